using NeuronKit.Layers;
using NeuronKit.Neurons;

namespace NeuronKit.Diff;

/// <summary>
/// Two layers of one file read as the one layer another file keeps them in, their neurons taking turns: gpt-oss's
/// fused experts <c>gate_up_proj</c> interleave the gate's rows and the up projection's (row 2k is gate k, 2k + 1 up
/// k), which llama.cpp's converter splits into <c>ffn_gate_exps</c> and <c>ffn_up_exps</c>. Neuron 2k of the joined
/// layer is neuron k of the first, 2k + 1 neuron k of the second. Made by the diff to pair the files' layers, never
/// read from a file.
/// </summary>
internal sealed class InterleavedRows : ILayerKind
{
    private readonly Layer _even;
    private readonly Layer _odd;

    private InterleavedRows(Layer even, Layer odd)
    {
        _even = even;
        _odd = odd;
    }

    /// <summary>
    /// The joined layer of <paramref name="even"/> and <paramref name="odd"/> (the same kind and neuron count), or null
    /// when they are not alike.
    /// </summary>
    public static Layer? Join(Layer even, Layer odd, string why) =>
        even.Kind != odd.Kind || even.NeuronCount != odd.NeuronCount || even.Layout != odd.Layout ? null : new Layer
        {
            Name = $"{even.Name} + {odd.Name}",
            Kind = even.Kind,
            NeuronCount = 2 * even.NeuronCount,
            Tensors = [.. even.Tensors, .. odd.Tensors],
            Layout = $"rows of {even.Name} and {odd.Name} in turn",
            Evidence = [why, $"neuron 2k is {even.Name}'s neuron k, 2k + 1 is {odd.Name}'s"],
            Module = even.Module,
            Implementation = new InterleavedRows(even, odd),
        };

    /// <summary>The two layers joined, in turn order.</summary>
    public IReadOnlyList<Layer> Joined => [_even, _odd];

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = [];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate) => null;

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request) =>
        throw new InvalidOperationException("interleaved rows are made by the diff, not read from a file");

    /// <inheritdoc/>
    // Neighbouring neurons come from two tensors: the diff reads them neuron by neuron.
    public bool StepsEvenly => false;

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron) => (neuron % 2 == 0 ? _even : _odd).Neuron(neuron / 2).Parts;
}
