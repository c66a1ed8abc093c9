using System.Text;

namespace NeuronKit.Tests.Formats.Safetensors;

/// <summary>Builds safetensors files by hand, for layouts no writer would produce.</summary>
internal static class SafetensorsBytes
{
    /// <summary>The 8-byte length, <paramref name="header"/> padded with spaces to a multiple of 8, then <paramref name="data"/>.</summary>
    public static byte[] Build(string header, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header);
        int padded = (json.Length + 7) / 8 * 8;
        return [.. BitConverter.GetBytes((ulong)padded), .. json, .. Enumerable.Repeat((byte)' ', padded - json.Length), .. data];
    }

    /// <summary>A file of float32 matrices, each [rows, columns], in order, holding 0.5, 1.5, 2.5, … throughout.</summary>
    public static byte[] Matrices(IEnumerable<(string Name, int Rows, int Columns)> tensors)
    {
        var header = new StringBuilder("{");
        long at = 0;
        foreach (var (name, rows, columns) in tensors)
        {
            header.Append($"{(at == 0 ? "" : ",")}\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{rows},{columns}],\"data_offsets\":[{at},{at + rows * columns * 4}]}}");
            at += rows * columns * 4;
        }
        return Build(header.Append('}').ToString(), Floats((int)(at / 4)));
    }

    /// <summary><paramref name="count"/> float32 values 0.5, 1.5, 2.5, …</summary>
    public static byte[] Floats(int count) => [.. Enumerable.Range(0, count).SelectMany(i => BitConverter.GetBytes(i + 0.5f))];
}
