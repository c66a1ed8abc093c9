using System.Buffers.Binary;
using System.Text;

namespace NeuronKit.Tests.Remote;

/// <summary>
/// A 64 MiB safetensors file written at test time (too large to commit): Linear 'fc' with weight [4096, 4096] and bias
/// [4096], float32, each value a function of its index, so a second write with another <c>salt</c> has the same length
/// and different bytes; and a LoRA adapter of 'fc' to merge into it.
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

    /// <summary>
    /// A PEFT LoRA adapter of rank 1 for 'fc' (adapter_model.safetensors and its adapter_config.json) in
    /// <paramref name="folder"/>: 32 KiB, so that the base it is merged into is the file read over HTTP.
    /// </summary>
    public static string WriteAdapter(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "adapter_config.json"),
            """{"peft_type": "LORA", "r": 1, "lora_alpha": 2, "target_modules": ["fc"], "fan_in_fan_out": false}""");
        const int factorBytes = Rows * 4;
        string header = $"{{\"base_model.model.fc.lora_A.weight\":{{\"dtype\":\"F32\",\"shape\":[1,{Rows}],\"data_offsets\":[0,{factorBytes}]}}," +
            $"\"base_model.model.fc.lora_B.weight\":{{\"dtype\":\"F32\",\"shape\":[{Rows},1],\"data_offsets\":[{factorBytes},{2 * factorBytes}]}}}}";
        header = header.PadRight((header.Length + 7) / 8 * 8);
        using var stream = new FileStream(Path.Combine(folder, "adapter_model.safetensors"), FileMode.Create, FileAccess.Write);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(Encoding.ASCII.GetBytes(header));
        var factor = new byte[factorBytes];
        for (int side = 0; side < 2; side++)
        {
            for (int i = 0; i < Rows; i++)
                BinaryPrimitives.WriteSingleLittleEndian(factor.AsSpan(i * 4), Value(side, i, salt: 5));
            stream.Write(factor);
        }
        return folder;
    }

    public static float Value(int row, int column, int salt) => ((row * 31 + column * 7 + salt) % 1000) / 1000f - 0.5f;
}
