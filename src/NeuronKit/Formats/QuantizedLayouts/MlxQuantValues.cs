using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// An MLX-quantized weight as float32 values: element i of row r is <c>scales[r, g] · q + biases[r, g]</c>, q the
/// <c>bits</c>-bit unsigned integer at bit i·bits of the row's little-endian bit stream, g = i / group_size, computed
/// in double and rounded once (MLX rounds each step to the scales' dtype). A run reads its row's bytes and its groups'
/// scales and biases once.
/// </summary>
internal sealed class MlxQuantValues : MlxPackedRows
{
    private readonly string _name;
    private readonly int _groupSize;
    private readonly uint _mask;
    private readonly TensorView _scales, _biases;

    public MlxQuantValues(string name, int bits, int groupSize, long rows, long inputs, TensorInfo words, TensorInfo scales, TensorInfo biases)
        : base(rows, inputs, bits, words.Storage)
    {
        (_name, _groupSize) = (name, groupSize);
        _mask = (1u << bits) - 1;
        long groups = inputs / groupSize;
        _scales = Rows(scales, rows, groups);
        _biases = Rows(biases, rows, groups);
    }

    // A [rows, groups] view of a scales or biases tensor of any rank (its leading dims flattened).
    private static TensorView Rows(TensorInfo tensor, long rows, long groups) =>
        TensorInfo.Contiguous(tensor.Name, tensor.DType, [rows, groups], tensor.Storage).View();

    /// <inheritdoc/>
    protected override void DecodeRun(long row, long from, ReadOnlySpan<byte> bytes, long bitFrom, Span<float> values)
    {
        long groupFrom = from / _groupSize, groupTo = (from + values.Length - 1) / _groupSize;
        var scales = _scales.Select(0, row).Narrow(0, groupFrom, groupTo - groupFrom + 1).ToDoubles();
        var biases = _biases.Select(0, row).Narrow(0, groupFrom, groupTo - groupFrom + 1).ToDoubles();
        for (int k = 0; k < values.Length; k++)
        {
            long i = from + k, bit = i * Bits - bitFrom;
            int at = (int)(bit >> 3);
            uint pair = bytes[at] | (at + 1 < bytes.Length ? (uint)bytes[at + 1] << 8 : 0);
            uint q = (pair >> (int)(bit & 7)) & _mask;
            long g = i / _groupSize - groupFrom;
            values[k] = (float)(scales[g] * q + biases[g]);
        }
    }

    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches) =>
        throw new RequestException($"{_name} is stored as MLX's packed {Bits}-bit integers with group scales and biases: " +
            "NeuronKit does not quantize edited values back into them");
}
