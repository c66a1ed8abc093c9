using NeuronKit.Tensors;

namespace NeuronKit.Formats.Gguf;

// Layout of a GGUF file, versions 2 and 3 (ggml docs/gguf.md, include/gguf.h), all little-endian:
//  1. u32 magic "GGUF" | u32 version (1: u32 counts, obsolete; 3 added big-endian files, unmarked, so a byte-swapped
//     version is how one shows) | u64 tensor_count | u64 metadata_kv_count
//  2. metadata_kv_count × { gguf_string key | u32 value_type | value }, gguf_string = u64 length + UTF-8 bytes;
//     value types 0..12 (GgufValueType); ARRAY = u32 element type + u64 count + elements.
//     general.alignment (uint32, a power of two; default 32) sets the alignment of 3 and 4.
//  3. tensor_count × { gguf_string name (< 64 bytes) | u32 n_dims (<= 4) | u64 ne[n_dims] | u32 ggml_type | u64 offset }
//     ne[0] varies fastest, so the PyTorch shape is ne reversed: a Linear weight [out, in] is stored ne = [in, out].
//  4. zero padding to the alignment: the data section starts here.
//  5. each tensor at data start + offset (a multiple of the alignment), ne[0] / block elements × block bytes × ne[1] ×
//     ne[2] × ne[3] bytes; a quantized row is whole blocks along ne[0], so rows decode on their own.

/// <summary>
/// Reads GGUF files (llama.cpp, ggml): tensors of the plain types as views of the mapped file, quantized ones through
/// <see cref="DequantizedRows"/>, which decode only the blocks a neuron needs; a model split in several files
/// (<see cref="GgufSplits"/>) from any one of them.
/// </summary>
public sealed class GgufReader : ICheckpointReader
{
    private static readonly byte[] Magic = "GGUF"u8.ToArray();

    /// <inheritdoc/>
    public string Name => "gguf";

    /// <inheritdoc/>
    public string Description => "GGUF v2/v3 (llama.cpp, ggml), one file or gguf-split's splits: f32, f16, bf16, f64, integers, Q4_0/Q4_1/Q5_0/Q5_1/Q8_0, Q2_K..Q6_K, IQ4_NL/IQ4_XS, MXFP4/NVFP4, TQ1_0/TQ2_0 and Q1_0/Q2_0";

    /// <inheritdoc/>
    public bool Detect(ReadOnlySpan<byte> head) => head.StartsWith(Magic);

    /// <inheritdoc/>
    public Checkpoint Open(string path)
    {
        string fileName = ByteSources.FileName(path);
        var file = ByteSources.Open(path);
        try
        {
            var header = Header(file, fileName);
            if (GgufSplits.CountOf(header.Metadata, fileName) is { } splits)
            {
                file.Dispose();
                return GgufSplits.Open(path, splits, Header, View);
            }
            var tensors = header.Tensors.Select(t => View(t, file, header.DataStart)).ToList();
            return new Checkpoint(path, Name, tensors, [file], header.Metadata);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    // The header of a GGUF file, its tensors checked against the file's length.
    private static GgufHeader Header(ByteSource file, string fileName)
    {
        if (!file.Span(0, (int)Math.Min(file.Length, Magic.Length)).StartsWith(Magic))
            throw new CheckpointException($"{fileName} is not a GGUF file (it does not start with the magic bytes \"GGUF\")");
        var header = GgufHeader.Read(new GgufCursor(file, fileName));
        CheckPlacement(header, file.Length, fileName);
        return header;
    }

    // Every tensor aligned, inside the file, and clear of its neighbours (llama.cpp also wants them in order and
    // back to back; the spec only asks for alignment, so order is not required here).
    private static void CheckPlacement(GgufHeader header, long fileLength, string fileName)
    {
        foreach (var t in header.Tensors)
        {
            if (t.Offset % (ulong)header.Alignment != 0)
                throw new CheckpointException($"{fileName} has tensor '{t.Name}' at offset {t.Offset:N0}, not a multiple of the " +
                    $"alignment {header.Alignment}");
            Int128 end = (Int128)header.DataStart + t.Offset + t.ByteSize;
            if (end > fileLength)
                throw new CheckpointException($"{fileName} is truncated or corrupt: tensor '{t.Name}' ({t.ByteSize:N0} bytes at " +
                    $"data offset {t.Offset:N0}) ends at byte {end:N0}, past the end of the file ({fileLength:N0} bytes)");
        }
        var byOffset = header.Tensors.Where(t => t.ByteSize > 0).OrderBy(t => t.Offset).ToList();
        for (int i = 1; i < byOffset.Count; i++)
        {
            var (before, after) = (byOffset[i - 1], byOffset[i]);
            if (after.Offset < before.Offset + (ulong)before.ByteSize)
                throw new CheckpointException($"{fileName} has tensor '{after.Name}' (data offset {after.Offset:N0}) that overlaps " +
                    $"tensor '{before.Name}' (bytes {before.Offset:N0}..{before.Offset + (ulong)before.ByteSize:N0})");
        }
    }

    private static TensorInfo View(GgufTensorInfo t, ByteSource file, long dataStart)
    {
        long start = dataStart + (long)t.Offset;
        if (t.Type.Plain is { } dtype)
            return TensorInfo.Contiguous(t.Name, dtype, t.Shape, new TensorStorage(t.Name, file, start, t.ByteSize));
        // Blocks run along ne[0], the last dimension in PyTorch's order: a scale changes along it.
        int axis = Math.Max(t.Shape.Length - 1, 0);
        var rows = t.Type.Integers is not null ? new DequantizedIntegerRows(file, start, t.Elements, t.Type, axis)
            : t.Type.Codebook is not null ? new DequantizedCodeRows(file, start, t.Elements, t.Type, axis)
            : new DequantizedRows(file, start, t.Elements, t.Type);
        return TensorInfo.Contiguous(t.Name, DType.Float32, t.Shape, new TensorStorage(t.Name, rows, 0, rows.Length))
            with { StoredAs = t.Type.Name, ByteSize = t.ByteSize };
    }
}
