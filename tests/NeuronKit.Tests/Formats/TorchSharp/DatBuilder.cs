namespace NeuronKit.Tests.Formats.TorchSharp;

/// <summary>Writes .dat bytes the way TorchSharp's module.save does, with hooks for writing them wrong.</summary>
internal sealed class DatBuilder
{
    private readonly List<byte> _bytes = [];

    /// <summary>An unsigned LEB128, as TorchSharp's LEB128Codec.Encode writes it.</summary>
    public DatBuilder Leb(ulong value)
    {
        do
        {
            byte b = (byte)(value & 0x7f);
            value >>= 7;
            _bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        } while (value != 0);
        return this;
    }

    /// <summary>Raw bytes, for broken encodings.</summary>
    public DatBuilder Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    /// <summary>A BinaryWriter string: UTF-8 byte count, then the bytes.</summary>
    public DatBuilder Name(string name)
    {
        byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(name);
        return Leb((ulong)utf8.Length).Raw(utf8);
    }

    /// <summary>A whole record: name, dtype code, shape and <paramref name="data"/> bytes.</summary>
    public DatBuilder Tensor(string name, int code, long[] shape, byte[] data)
    {
        Name(name).Leb((ulong)code).Leb((ulong)shape.Length);
        foreach (long d in shape) Leb((ulong)d);
        return Raw(data);
    }

    /// <summary>A float32 record holding <paramref name="values"/>.</summary>
    public DatBuilder Floats(string name, long[] shape, params float[] values) =>
        Tensor(name, 6, shape, [.. values.SelectMany(BitConverter.GetBytes)]);

    public byte[] ToArray() => [.. _bytes];

    /// <summary>A file of one count and the given records.</summary>
    public static DatBuilder Count(ulong count) => new DatBuilder().Leb(count);
}
