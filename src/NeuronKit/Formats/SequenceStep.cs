namespace NeuronKit.Formats;

/// <summary>One layer of a sequential model, as <see cref="ModelGraph.Sequence"/> lists them.</summary>
/// <param name="Name">The layer's name as NeuronKit names its layers (<c>dense_1</c>); a wrapper's layers are under it (<c>bidirectional.forward_lstm</c>).</param>
/// <param name="Class">The layer's class as its framework names it (<c>Dense</c>, <c>Flatten</c>, <c>GlobalAveragePooling2D</c>).</param>
/// <param name="Groups">The groups a convolution reads its input in, as the model says (1 for every other layer).</param>
public sealed record SequenceStep(string Name, string Class, long Groups = 1);
