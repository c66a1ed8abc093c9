namespace NeuronKit.Formats;

/// <summary>One layer of a model's config, as <see cref="ModelGraph.Sequence"/> lists them.</summary>
/// <param name="Name">The layer's name as NeuronKit names its layers (<c>dense_1</c>); a wrapper's layers are under it (<c>bidirectional.forward_lstm</c>).</param>
/// <param name="Class">The layer's class as its framework names it (<c>Dense</c>, <c>Flatten</c>, <c>GlobalAveragePooling2D</c>).</param>
/// <param name="Groups">The groups a convolution reads its input in, as the model says (1 for every other layer).</param>
public sealed record SequenceStep(string Name, string Class, long Groups = 1)
{
    /// <summary>
    /// The steps whose outputs this one reads, by <see cref="Name"/>, in order (a Keras Functional model's inbound
    /// nodes; a layer called more than once, those of every call); null in a sequential model, where each step reads the
    /// one before it.
    /// </summary>
    public IReadOnlyList<string>? Inputs { get; init; }

    /// <summary>The axis a concatenation joins its inputs on, as the model says (Keras' default, −1: the last, the channels).</summary>
    public long Axis { get; init; } = -1;

    /// <summary>The channels a model input holds (the last dimension of a Keras InputLayer's shape); null when unknown or no input.</summary>
    public long? Channels { get; init; }

    /// <summary>
    /// How a wrapper joins its two directions' outputs (a Keras Bidirectional's merge_mode: <c>concat</c>, <c>sum</c>,
    /// <c>ave</c>, <c>mul</c>, <c>none</c>); null for every other layer, and where a format does not say (concatenated).
    /// </summary>
    public string? Merge { get; init; }

    /// <summary>True when the layer is called more than once (a shared layer), so that its inputs are those of several calls.</summary>
    public bool Shared { get; init; }
}
