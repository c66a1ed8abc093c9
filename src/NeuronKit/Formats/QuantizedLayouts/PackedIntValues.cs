using System.Buffers.Binary;
using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// A pack-quantized weight [out, in] as float32 bytes: element (r, c) is <c>(q − z) · scale[r, g]</c> in float32, q the
/// bits-wide integer at bits (c mod f)·bits of word [r, c / f] less 2^(bits−1), z the zero point packed likewise at
/// [r / f, g] (0 without one), g column c's group (c / size, or <c>weight_g_idx[c]</c>), f = 32 / bits. Only the
/// words asked for are read; the scales, zero points and group indices on first use.
/// </summary>
internal sealed class PackedIntValues : DecodedFloats, IStoredIntegers
{
    private readonly string _name;
    private readonly TensorStorage _words;
    private readonly int _bits, _perWord, _offset;
    private readonly uint _mask;
    private readonly long _rows, _columns, _groups, _groupSize, _wordsPerRow;
    private readonly bool _perTensor;
    private readonly Lazy<float[]> _scales;
    private readonly Lazy<int[]?> _zeroPoints;
    private readonly Lazy<int[]?> _groupOf;

    public PackedIntValues(string name, TensorStorage words, int bits, long rows, long columns, TensorInfo scales, bool perTensor,
        long groups, long groupSize, TensorInfo? zeroPoints, TensorInfo? groupIndex) : base(rows * columns)
    {
        (_name, _words, _bits, _rows, _columns, _perTensor, _groups, _groupSize) = (name, words, bits, rows, columns, perTensor, groups, groupSize);
        _perWord = 32 / bits;
        _offset = 1 << (bits - 1);
        _mask = (1u << bits) - 1;
        _wordsPerRow = (columns + _perWord - 1) / _perWord;
        _scales = new(() => [.. scales.View().ToDoubles().Select(s => (float)s)]);
        _zeroPoints = new(() => zeroPoints is null ? null : Unpacked(zeroPoints));
        _groupOf = new(() => groupIndex is null ? null : GroupsOf(groupIndex, groups, name, "weight_g_idx"));
    }

    /// <inheritdoc/>
    protected override void Decode(long first, Span<float> decoded)
    {
        var (scales, zeroPoints, groupOf) = (_scales.Value, _zeroPoints.Value, _groupOf.Value);
        // Row by row: a row's words are contiguous, each read once.
        for (int i = 0; i < decoded.Length;)
        {
            long element = first + i, row = element / _columns, column = element % _columns;
            int run = (int)Math.Min(_columns - column, decoded.Length - i);
            long firstWord = column / _perWord, lastWord = (column + run - 1) / _perWord;
            var words = _words.Source.Span(_words.ByteOffset + (row * _wordsPerRow + firstWord) * sizeof(int), checked((int)(lastWord - firstWord + 1) * sizeof(int)));
            for (int k = 0; k < run; k++)
            {
                long c = column + k;
                uint word = BinaryPrimitives.ReadUInt32LittleEndian(words[(int)((c / _perWord - firstWord) * sizeof(int))..]);
                long group = groupOf is null ? c / _groupSize : groupOf[c];
                int zero = zeroPoints is null ? 0 : zeroPoints[row * _groups + group];
                decoded[i + k] = (Code(word, c) - zero) * scales[_perTensor ? 0 : row * _groups + group];
            }
            i += run;
        }
    }

    // The zero points [rows, groups], unpacked from their words [⌈rows/f⌉, groups] (packed down the rows).
    private int[] Unpacked(TensorInfo zeroPoints)
    {
        var words = zeroPoints.View().ToDoubles();
        var zeros = new int[checked(_rows * _groups)];
        for (long r = 0; r < _rows; r++)
            for (long g = 0; g < _groups; g++)
            {
                uint word = unchecked((uint)(int)words[r / _perWord * _groups + g]);
                zeros[r * _groups + g] = (int)((word >> (int)(r % _perWord * _bits)) & _mask) - _offset;
            }
        return zeros;
    }

    /// <inheritdoc/>
    public string Scheme => _perTensor ? "per_tensor_affine" : _groups == 1 ? "per_channel_affine" : "per_group_affine";

    /// <inheritdoc/>
    public int? Axis => _perTensor ? null : _groups == 1 ? 0 : 1;

    /// <inheritdoc/>
    public (long Integer, double Scale, double ZeroPoint) StoredAt(long element)
    {
        long row = element / _columns, c = element % _columns;
        long group = _groupOf.Value is { } groupOf ? groupOf[c] : c / _groupSize;
        uint word = BinaryPrimitives.ReadUInt32LittleEndian(_words.Source.Span(_words.ByteOffset + (row * _wordsPerRow + c / _perWord) * sizeof(int), sizeof(int)));
        return (Code(word, c), _scales.Value[_perTensor ? 0 : row * _groups + group], _zeroPoints.Value is { } zeros ? zeros[row * _groups + group] : 0);
    }

    // Column c's signed integer in its word: bits (c mod f)·bits, less the offset that made it unsigned.
    private int Code(uint word, long c) => (int)((word >> (int)(c % _perWord * _bits)) & _mask) - _offset;

    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches) =>
        throw new RequestException($"{_name} is stored as packed {_bits}-bit integers times scales: NeuronKit does not quantize edited values back into them");
}
