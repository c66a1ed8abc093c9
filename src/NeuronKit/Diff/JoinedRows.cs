using NeuronKit.Layers;
using NeuronKit.Neurons;

namespace NeuronKit.Diff;

/// <summary>
/// Two layers of one file read as the one layer another file keeps them in: the fused experts' <c>gate_up_proj</c>,
/// which llama.cpp's converter splits into <c>ffn_gate_exps</c> and <c>ffn_up_exps</c>. gpt-oss interleaves the gate's
/// rows and the up projection's (<see cref="Interleaved"/>: neuron 2k of the joined layer is neuron k of the first,
/// 2k + 1 neuron k of the second); Llama 4 puts the gate's first (neuron k is the first's k, n + k the second's k).
/// Made by the diff to pair the files' layers, never read from a file.
/// </summary>
internal sealed class JoinedRows : ILayerKind, IJoinedLayer
{
    private readonly Layer _first;
    private readonly Layer _second;

    private JoinedRows(Layer first, Layer second, bool interleaved)
    {
        _first = first;
        _second = second;
        Interleaved = interleaved;
    }

    /// <summary>
    /// The joined layer of <paramref name="first"/> and <paramref name="second"/> (the same kind, neuron count, layout
    /// and tensor roles and shapes, so that every neuron has the same parts), their rows taking turns or one after the
    /// other; null when they are not alike.
    /// </summary>
    public static Layer? Join(Layer first, Layer second, bool interleaved, string why) =>
        first.Kind != second.Kind || first.NeuronCount != second.NeuronCount || first.Layout != second.Layout
            || !first.Tensors.Select(t => (t.Role, t.Tensor.Shape.Text())).SequenceEqual(second.Tensors.Select(t => (t.Role, t.Tensor.Shape.Text())))
            ? null : new Layer
        {
            Name = $"{first.Name} + {second.Name}",
            Kind = first.Kind,
            NeuronCount = 2 * first.NeuronCount,
            Tensors = [.. first.Tensors, .. second.Tensors],
            Layout = interleaved ? $"rows of {first.Name} and {second.Name} in turn" : $"rows of {first.Name}, then of {second.Name}",
            Evidence = [why, interleaved ? $"neuron 2k is {first.Name}'s neuron k, 2k + 1 is {second.Name}'s"
                : $"neuron k is {first.Name}'s neuron k, {first.NeuronCount} + k is {second.Name}'s"],
            Module = first.Module,
            Implementation = new JoinedRows(first, second, interleaved),
        };

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Joined => [_first, _second];

    /// <summary>True when the two layers' rows take turns; false when the first's come before the second's.</summary>
    public bool Interleaved { get; }

    /// <inheritdoc/>
    public long NeuronOf(int which, long k) => Interleaved ? 2 * k + which : which * _first.NeuronCount + k;

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = [];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate) => null;

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request) =>
        throw new InvalidOperationException("joined rows are made by the diff, not read from a file");

    /// <inheritdoc/>
    // Neighbouring neurons come from two tensors: the diff reads them neuron by neuron.
    public bool StepsEvenly => false;

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron)
    {
        long half = _first.NeuronCount;
        return Interleaved ? (neuron % 2 == 0 ? _first : _second).Neuron(neuron / 2).Parts
            : (neuron < half ? _first : _second).Neuron(neuron % half).Parts;
    }
}
