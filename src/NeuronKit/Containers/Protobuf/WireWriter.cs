using System.Buffers;

namespace NeuronKit.Containers.Protobuf;

/// <summary>Writes protobuf tags, varints and length-delimited fields to a buffer.</summary>
public static class WireWriter
{
    /// <summary>Writes <paramref name="value"/> as a base-128 varint.</summary>
    public static void Varint(IBufferWriter<byte> output, ulong value)
    {
        var span = output.GetSpan(10);
        int i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i++] = (byte)value;
        output.Advance(i);
    }

    /// <summary>Writes field <paramref name="number"/> as length-delimited with <paramref name="payload"/>.</summary>
    public static void LengthDelimited(IBufferWriter<byte> output, int number, ReadOnlySpan<byte> payload)
    {
        Varint(output, ((ulong)number << 3) | (ulong)WireType.LengthDelimited);
        Varint(output, (ulong)payload.Length);
        output.Write(payload);
    }
}
