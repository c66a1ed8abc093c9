using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// An MLX-quantized weight as float32 values: element i of row r is <c>scales[r, g] · q + biases[r, g]</c>, q the
/// <c>bits</c>-bit unsigned integer at bit i·bits of the row's little-endian bit stream, g = i / group_size, computed
/// in double and rounded once (MLX rounds each step to the scales' dtype). A run reads its row's bytes and its groups'
/// scales and biases once. Its stored side (<c>show --raw</c>) is q with its group's scale and, as the min that q = 0
/// decodes to, its group's bias.
/// </summary>
internal sealed class MlxQuantValues : MlxPackedRows, IStoredIntegers
{
    private readonly string _name;
    private readonly int _groupSize, _axis;
    private readonly TensorView _scales, _biases;

    public MlxQuantValues(string name, int bits, int groupSize, long rows, long inputs, TensorInfo words, TensorInfo scales, TensorInfo biases)
        : base(rows, inputs, bits, words.Storage)
    {
        (_name, _groupSize, _axis) = (name, groupSize, words.Shape.Count - 1);
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
            long i = from + k;
            long g = i / _groupSize - groupFrom;
            values[k] = (float)(scales[g] * Code(bytes, i * Bits - bitFrom) + biases[g]);
        }
    }

    /// <inheritdoc/>
    public string Scheme => "per_group_affine";

    /// <inheritdoc/>
    public int? Axis => _axis;

    /// <inheritdoc/>
    public (long Integer, double Scale, double ZeroPoint) StoredAt(long element) =>
        (CodeAt(element), Group(_scales, element), 0);

    /// <inheritdoc/>
    public double? MinAt(long element) => Group(_biases, element);

    // Element's group's entry of a [rows, groups] scales or biases view.
    private double Group(TensorView perGroup, long element) =>
        perGroup.Select(0, element / Inputs).Narrow(0, element % Inputs / _groupSize, 1).ToDoubles()[0];

    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches) =>
        throw new RequestException($"{_name} is stored as MLX's packed {Bits}-bit integers with group scales and biases: " +
            "NeuronKit does not quantize edited values back into them");
}
