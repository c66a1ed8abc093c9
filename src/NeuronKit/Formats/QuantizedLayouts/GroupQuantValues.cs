using System.Buffers.Binary;
using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.QuantizedLayouts;

/// <summary>
/// A GPTQ (2, 3, 4 or 8 bits) or AWQ (4 bits) weight as the float32 Linear weight [out, in]: element (j, i) is <c>(q − z) · scales[g, j]</c>, q input
/// i's integer for output j, g its group (<c>g_idx[i]</c>, or i / (in / groups)), z the group's zero point for output j
/// (stored one less in GPTQ's v1 checkpoints). Words are read as asked; the zero points, scales and groups on first use.
/// </summary>
internal sealed class GroupQuantValues : DecodedFloats, IStoredIntegers
{
    /// <summary>Which tool packed the words.</summary>
    public enum Layout
    {
        /// <summary>AutoGPTQ: qweight packed down the inputs, qzeros along the outputs.</summary>
        Gptq,

        /// <summary>AutoAWQ GEMM: qweight and qzeros packed along the outputs in AWQ's nibble order.</summary>
        Awq,
    }

    // AWQ packs outputs 0 … 7 of a word into nibbles 0, 2, 4, 6, 1, 3, 5, 7 (AWQ_ORDER): output o is in nibble Nibble[o].
    private static readonly int[] AwqNibble = [0, 4, 1, 5, 2, 6, 3, 7];

    private readonly string _name;
    private readonly Layout _layout;
    private readonly int _bits;
    private readonly uint _mask;
    private readonly long _outputs, _inputs, _groupSize;
    private readonly TensorStorage _words;
    private readonly long _wordColumns;
    private readonly Lazy<int[]> _zeros;
    private readonly Lazy<float[]> _scales;
    private readonly Lazy<int[]?> _groupOf;
    private readonly long _groups;
    private readonly bool _zerosLessOne;

    public GroupQuantValues(string name, Layout layout, int bits, long outputs, long inputs, TensorInfo words, TensorInfo zeros,
        TensorInfo scales, TensorInfo? groupIndex, bool zerosLessOne) : base(outputs * inputs)
    {
        _zerosLessOne = zerosLessOne;
        (_name, _layout, _bits, _outputs, _inputs, _words) = (name, layout, bits, outputs, inputs, words.Storage);
        _mask = (1u << bits) - 1;
        _wordColumns = words.Shape[1];
        _groups = scales.Shape[0];
        _groupSize = inputs / _groups;
        _zeros = new(() => Unpacked(zeros));
        _scales = new(() => [.. scales.View().ToDoubles().Select(s => (float)s)]);
        _groupOf = new(() => groupIndex is null ? null : GroupsOf(groupIndex, _groups, name, "g_idx"));
    }

    /// <inheritdoc/>
    protected override void Decode(long first, Span<float> decoded)
    {
        var (zeros, scales, groupOf) = (_zeros.Value, _scales.Value, _groupOf.Value);
        // A neuron's inputs run down GPTQ's words: a word is read once for the run it holds.
        var words = new WordCache();
        for (int k = 0; k < decoded.Length; k++)
        {
            long element = first + k, output = element / _inputs, input = element % _inputs;
            long at = (groupOf is null ? input / _groupSize : groupOf[input]) * _outputs + output;
            decoded[k] = (Code(output, input, ref words) - zeros[at]) * scales[at];
        }
    }

    /// <inheritdoc/>
    public string Scheme => _groups == 1 ? "per_channel_affine" : "per_group_affine";

    /// <inheritdoc/>
    public int? Axis => _groups == 1 ? 0 : 1;

    /// <inheritdoc/>
    public (long Integer, double Scale, double ZeroPoint) StoredAt(long element)
    {
        long output = element / _inputs, input = element % _inputs;
        long at = (_groupOf.Value is { } groupOf ? groupOf[input] : input / _groupSize) * _outputs + output;
        var words = new WordCache();
        return (Code(output, input, ref words), _scales.Value[at], _zeros.Value[at]);
    }

    // The words last read, so that a run of a neuron's inputs reads each word once.
    private struct WordCache()
    {
        public long At = -1, NextAt = -1;
        public uint Word, Next;
    }

    // The unsigned integer of (output, input). GPTQ: output j's inputs are a little-endian bit stream down column j (input i
    // at bit i·bits, a 3-bit value across two words where it falls so); AWQ: nibbles along the row in its order.
    private int Code(long output, long input, ref WordCache words)
    {
        var (row, column, shift) = _layout == Layout.Gptq
            ? (input * _bits / 32, output, (int)(input * _bits % 32))
            : (input, output / 8, AwqNibble[output % 8] * 4);
        long at = row * _wordColumns + column;
        if (at != words.At) (words.Word, words.At) = (Word(at), at);
        uint value = words.Word >> shift;
        if (shift + _bits > 32)
        {
            long below = at + _wordColumns;
            if (below != words.NextAt) (words.Next, words.NextAt) = (Word(below), below);
            value |= words.Next << (32 - shift);
        }
        return (int)(value & _mask);
    }

    private uint Word(long at) => BinaryPrimitives.ReadUInt32LittleEndian(_words.Source.Span(_words.ByteOffset + at * sizeof(int), sizeof(int)));

    // Every group's zero point per output [groups, outputs], unpacked as the layout packs them (plus one when stored less one).
    private int[] Unpacked(TensorInfo packed)
    {
        var words = packed.View().ToDoubles();
        long columns = packed.Shape[1];
        var zeros = new int[checked(_groups * _outputs)];
        for (long g = 0; g < _groups; g++)
            for (long j = 0; j < _outputs; j++)
            {
                // GPTQ: a little-endian bit stream along the row (output j at bit j·bits); AWQ: nibbles in its order.
                var (column, shift) = _layout == Layout.Gptq ? (j * _bits / 32, (int)(j * _bits % 32)) : (j / 8, AwqNibble[j % 8] * 4);
                ulong pair = unchecked((uint)(int)words[g * columns + column])
                    | (column + 1 < columns ? (ulong)unchecked((uint)(int)words[g * columns + column + 1]) << 32 : 0);
                zeros[g * _outputs + j] = (int)(pair >> shift & _mask) + (_zerosLessOne ? 1 : 0);
            }
        return zeros;
    }

    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches) =>
        throw new RequestException($"{_name} is stored as {(_layout == Layout.Gptq ? "GPTQ" : "AWQ")}'s packed {_bits}-bit integers times " +
            "group scales: NeuronKit does not quantize edited values back into them");
}
