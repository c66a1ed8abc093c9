using System.Buffers.Binary;
using System.Text;

namespace NeuronKit.Tests.Remote;

/// <summary>
/// A 64 MiB safetensors file written at test time (too large to commit): Linear 'fc' with weight [4096, 4096] and bias
/// [4096], float32, each value a function of its index, so a second write with another <c>salt</c> has the same length
/// and different bytes.
/// </summary>
internal static class LargeSafetensors
{
    public const int Rows = 4096;

    public static string Write(string folder, string name = "big.safetensors", int salt = 0)
    {
        const long weightBytes = (long)Rows * Rows * 4;
        string header = $"{{\"fc.weight\":{{\"dtype\":\"F32\",\"shape\":[{Rows},{Rows}],\"data_offsets\":[0,{weightBytes}]}}," +
            $"\"fc.bias\":{{\"dtype\":\"F32\",\"shape\":[{Rows}],\"data_offsets\":[{weightBytes},{weightBytes + Rows * 4}]}}}}";
        header = header.PadRight((header.Length + 7) / 8 * 8);
        string path = Path.Combine(folder, name);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(Encoding.ASCII.GetBytes(header));
        var row = new byte[Rows * 4];
        for (int r = 0; r <= Rows; r++) // the last "row" is the bias
        {
            for (int c = 0; c < Rows; c++)
                BinaryPrimitives.WriteSingleLittleEndian(row.AsSpan(c * 4), Value(r, c, salt));
            stream.Write(row);
        }
        return path;
    }

    public static float Value(int row, int column, int salt) => ((row * 31 + column * 7 + salt) % 1000) / 1000f - 0.5f;
}
