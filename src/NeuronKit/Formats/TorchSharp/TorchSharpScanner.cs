using System.Text;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.TorchSharp;

/// <summary>
/// One pass over a .dat file's records (layout: <see cref="TorchSharpReader"/>): checks every count, name, dtype code,
/// shape and data range against the file, and records where each tensor's data lie without reading them.
/// </summary>
internal sealed class TorchSharpScanner(ByteSource source, string fileName)
{
    /// <summary>No ULEB128 of a 64-bit value needs more bytes (9 × 7 bits + 1).</summary>
    public const int MaxLeb128Bytes = 10;

    /// <summary>PyTorch's own limit on a tensor's dimensions.</summary>
    public const long MaxRank = 64;

    // The smallest record: a 1-byte name length, a 1-byte name, dtype, rank 1 and one dimension of 0 (no data).
    private const long MinEntryBytes = 5;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private long _position;

    /// <summary>
    /// True once the first record's name, dtype code and shape read as TorchSharp writes them (printable name, known code,
    /// rank ≤ 64, a size that fits 64 bits): then the file is a TorchSharp one, however it is damaged further on.
    /// </summary>
    public bool StartsLikeTorchSharp { get; private set; }

    /// <summary>True when the scan failed because the bytes ended early (or are too few for the count).</summary>
    public bool RanOutOfBytes { get; private set; }

    /// <summary>Every record, in file order; throws <see cref="CheckpointException"/> at the first thing that is not.</summary>
    public List<TorchSharpEntry> Scan()
    {
        long count = ReadULeb128("the tensor count", long.MaxValue);
        if (count == 0)
            throw Fail("holds no tensors (its tensor count is 0)");
        if (count > (source.Length - _position) / MinEntryBytes)
            throw Truncated($"its tensor count {count:N0} needs at least {MinEntryBytes} bytes per tensor, but only " +
                $"{source.Length - _position:N0} bytes follow");
        var entries = new List<TorchSharpEntry>();
        for (long i = 0; i < count; i++)
            entries.Add(ReadEntry(i));
        if (_position != source.Length)
            throw Fail($"has {source.Length - _position:N0} trailing bytes after its last tensor (from offset {_position:N0})");
        return entries;
    }

    private TorchSharpEntry ReadEntry(long index)
    {
        string name = ReadName(index);
        long codeOffset = _position;
        long code = ReadULeb128($"the dtype code of '{name}'", long.MaxValue);
        var scalarType = TorchSharpScalarTypes.Find(code) ?? throw Fail(
            $"gives tensor '{name}' dtype code {code:N0} at offset {codeOffset:N0}, which is not a TorchSharp ScalarType",
            [$"known codes: {TorchSharpScalarTypes.Known}"]);
        long rank = ReadULeb128($"the rank of '{name}'", MaxRank);
        var shape = new long[rank];
        for (int d = 0; d < rank; d++)
            shape[d] = ReadULeb128($"dimension {d} of '{name}'", long.MaxValue);
        long byteLength;
        try
        {
            byteLength = checked(shape.Aggregate(1L, (n, size) => n * size) * scalarType.Size);
        }
        catch (OverflowException)
        {
            throw Fail($"gives tensor '{name}' shape [{string.Join(", ", shape)}], whose size in bytes overflows 64 bits");
        }
        if (index == 0) StartsLikeTorchSharp = true;
        if (scalarType.DType is not { } dtype)
            throw Fail($"holds tensor '{name}' of dtype {scalarType.Name} ({scalarType.TorchName}), which NeuronKit does not read: " +
                scalarType.Refusal);
        if (byteLength > source.Length - _position)
            throw Truncated($"tensor '{name}' ({dtype.Name()} [{string.Join(", ", shape)}]) needs {byteLength:N0} bytes " +
                $"at offset {_position:N0}, but the file ends at {source.Length:N0}");
        var entry = new TorchSharpEntry(name, dtype, shape, _position, byteLength);
        _position += byteLength;
        return entry;
    }

    // A .NET BinaryWriter string: its UTF-8 byte count as a 7-bit varint (the same encoding as ULEB128), then the bytes.
    private string ReadName(long index)
    {
        long start = _position;
        long length = ReadULeb128($"the name length of tensor {index}", int.MaxValue);
        if (length == 0)
            throw Fail($"gives tensor {index} an empty name (at offset {start:N0})");
        if (length > source.Length - _position)
            throw Truncated($"the name of tensor {index} claims {length:N0} bytes at offset {_position:N0}, " +
                $"but only {source.Length - _position:N0} remain");
        string name;
        try
        {
            name = StrictUtf8.GetString(source.Span(_position, (int)length));
        }
        catch (DecoderFallbackException)
        {
            throw Fail($"gives tensor {index} a name that is not valid UTF-8 (at offset {_position:N0})");
        }
        if (name.Any(char.IsControl))
            throw Fail($"gives tensor {index} a name with control characters ('{Escape(name)}', at offset {_position:N0})");
        _position += length;
        return name;
    }

    private long ReadULeb128(string what, long max)
    {
        long start = _position;
        ulong value = 0;
        for (int i = 0; ; i++)
        {
            if (i == MaxLeb128Bytes)
                throw Fail($"stores {what} at offset {start:N0} as a LEB128 longer than {MaxLeb128Bytes} bytes");
            if (_position >= source.Length)
                throw Truncated($"{what} at offset {start:N0} runs past the end of the file");
            byte b = source.Span(_position++, 1)[0];
            ulong payload = b & 0x7fUL;
            if (i == MaxLeb128Bytes - 1 && payload > 1)
                throw Fail($"stores {what} at offset {start:N0} as a LEB128 too large for 64 bits");
            value |= payload << (7 * i);
            if ((b & 0x80) == 0) break;
        }
        if (value > (ulong)max)
            throw Fail($"gives {what} as {value:N0} (at offset {start:N0}), more than the largest allowed, {max:N0}");
        return (long)value;
    }

    private CheckpointException Fail(string problem, IReadOnlyList<string>? hints = null) =>
        new($"{fileName} {problem}", hints);

    private CheckpointException Truncated(string problem)
    {
        RanOutOfBytes = true;
        return new CheckpointException($"{fileName} is truncated: {problem}");
    }

    private static string Escape(string name) =>
        string.Concat(name.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
