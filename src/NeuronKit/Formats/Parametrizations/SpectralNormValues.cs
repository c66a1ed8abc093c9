using NeuronKit.Edits;
using NeuronKit.Formats.QuantizedLayouts;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Parametrizations;

/// <summary>
/// A spectral-normed weight as float32 values: in eval mode PyTorch divides the stored weight by
/// <c>σ = u · (W v)</c>, W the weight as a matrix with the normed dimension first and the rest flattened, u and v the
/// power iteration's saved vectors; element e is <c>weight[e] / σ</c> in float32. σ is summed in double and rounded once,
/// where PyTorch sums in float32: a value can be a unit or two of the last place apart. σ needs all of the weight, read
/// once on first use.
/// </summary>
internal sealed class SpectralNormValues(string name, TensorInfo weight, Lazy<double> sigma, string stored) : DecodedFloats(weight.ElementCount), IPartwiseCut
{
    private readonly TensorView _weight = MaskedValues.FlatView(weight);

    /// <inheritdoc/>
    protected override void Decode(long first, Span<float> values)
    {
        var w = _weight.Narrow(0, first, values.Length).ToDoubles();
        float by = (float)sigma.Value;
        for (int i = 0; i < values.Length; i++) values[i] = (float)w[i] / by;
    }

    /// <summary>Any cut changes σ, and so every value left: refused.</summary>
    public IReadOnlyList<TensorCut> PartCuts(TensorCut cut) =>
        throw new RequestException($"{name} is spectral-normed ({stored}): removing any of its rows or columns would change its " +
            "largest singular value, and so every value the module computes", [RemoveHint]);

    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches) =>
        throw new RequestException($"{name} is spectral-normed ({stored}): NeuronKit reads the values the module computes, and does not " +
            "write edited values back into the weight and its power iteration's vectors", [RemoveHint]);

    private const string RemoveHint = "make it one tensor first: torch.nn.utils.remove_spectral_norm(module) (or parametrize.remove_parametrizations) before saving";
}
