using System.Buffers.Binary;
using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Safetensors;

/// <summary>
/// A GPTQ or AWQ weight as the float32 Linear weight [out, in]: element (j, i) is <c>(q − z) · scales[g, j]</c>, q input
/// i's integer for output j, g its group (<c>g_idx[i]</c>, or i / (in / groups)), z the group's zero point for output j
/// (stored one less in GPTQ's v1 checkpoints). Words are read as asked; the zero points, scales and groups on first use.
/// </summary>
internal sealed class GroupQuantValues : DecodedFloats
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
    private readonly int _bits, _perWord;
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
        _perWord = 32 / bits;
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
        // A neuron's inputs run down GPTQ's words f at a time: a word is read once for the run it holds.
        long wordAt = -1;
        uint word = 0;
        for (int k = 0; k < decoded.Length; k++)
        {
            long element = first + k, output = element / _inputs, input = element % _inputs;
            long group = groupOf is null ? input / _groupSize : groupOf[input];
            var (row, column, shift) = _layout == Layout.Gptq
                ? (input / _perWord, output, (int)(input % _perWord) * _bits)
                : (input, output / 8, AwqNibble[output % 8] * 4);
            long at = row * _wordColumns + column;
            if (at != wordAt)
            {
                word = BinaryPrimitives.ReadUInt32LittleEndian(_words.Source.Span(_words.ByteOffset + at * sizeof(int), sizeof(int)));
                wordAt = at;
            }
            int q = (int)((word >> shift) & _mask);
            decoded[k] = (q - zeros[group * _outputs + output]) * scales[group * _outputs + output];
        }
    }

    // Every group's zero point per output [groups, outputs], unpacked as the layout packs them (plus one when stored less one).
    private int[] Unpacked(TensorInfo packed)
    {
        var words = packed.View().ToDoubles();
        long columns = packed.Shape[1];
        var zeros = new int[checked(_groups * _outputs)];
        for (long g = 0; g < _groups; g++)
            for (long j = 0; j < _outputs; j++)
            {
                var (column, shift) = _layout == Layout.Gptq ? (j / _perWord, (int)(j % _perWord) * _bits) : (j / 8, AwqNibble[j % 8] * 4);
                uint value = unchecked((uint)(int)words[g * columns + column]) >> shift & _mask;
                zeros[g * _outputs + j] = (int)value + (_zerosLessOne ? 1 : 0);
            }
        return zeros;
    }

    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches) =>
        throw new RequestException($"{_name} is stored as {(_layout == Layout.Gptq ? "GPTQ" : "AWQ")}'s packed {_bits}-bit integers times " +
            "group scales: NeuronKit does not quantize edited values back into them");
}
