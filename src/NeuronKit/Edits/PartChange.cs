using NeuronKit.Neurons;

namespace NeuronKit.Edits;

/// <summary>One part an edit changes: its values before, the values asked for, and where in the files they go.</summary>
/// <param name="Neuron">The neuron the part was taken from.</param>
/// <param name="Part">The part.</param>
/// <param name="Before">Its values before the edit, row-major.</param>
/// <param name="Requested">The values the action gave, before the file's dtype or quantization rounds them.</param>
/// <param name="Writes">The byte runs planned for it (a quantized block counts whole; CRCs are not included).</param>
public sealed record PartChange(Neuron Neuron, NeuronPart Part, double[] Before, double[] Requested, IReadOnlyList<BytePatch> Writes)
{
    /// <summary>The values read back from the written file, row-major; null until the edit is written and checked.</summary>
    public double[]? After { get; internal set; }

    /// <summary>
    /// For a quantized part with stored integers (affine, or codes into a codebook), how many values fell outside what they
    /// can hold with their scales, and were saturated (more than half a step from the value asked for); null otherwise.
    /// </summary>
    public int? Clipped { get; internal set; }

    /// <summary>The largest |after − requested|: what the dtype's rounding or the quantization gave up; null until checked.</summary>
    public double? MaxError => After is null ? null : After.Zip(Requested, (a, r) => Math.Abs(a - r)).DefaultIfEmpty(0).Max();
}
