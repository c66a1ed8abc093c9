using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.NumPy;

/// <summary>
/// One .npy array (numpy/lib/format.py): magic, version, a Python-dict header, then the raw elements. Parsing checks
/// every size against the bytes the array lives in and reads none of the elements.
/// </summary>
internal static class NpyArray
{
    /// <summary>The magic string: 0x93 then "NUMPY".</summary>
    public static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    // numpy refuses headers over 10,000 bytes unless told otherwise (np.load max_header_size, numpy >= 1.24).
    private const int MaxHeaderSize = 10_000;
    private const int MaxRank = 64;
    private static readonly string[] Keys = ["descr", "fortran_order", "shape"];
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The header NumPy's <c>np.save</c> writes before the elements of a C-order array of <paramref name="dtype"/> and
    /// <paramref name="shape"/>: magic, version 1.0, the dict padded with spaces and a newline so that the elements start
    /// on a 64-byte boundary.
    /// </summary>
    public static byte[] Header(DType dtype, IReadOnlyList<long> shape)
    {
        string dims = shape.Count == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))})";
        string dict = $"{{'descr': '{NpyDTypes.Descr(dtype)}', 'fortran_order': False, 'shape': {dims}, }}";
        int total = (Magic.Length + 4 + dict.Length + 1 + 63) / 64 * 64;
        string text = dict.PadRight(total - Magic.Length - 4 - 1) + "\n";
        return [.. Magic, 1, 0, (byte)(text.Length & 0xFF), (byte)(text.Length >> 8), .. Encoding.Latin1.GetBytes(text)];
    }

    /// <summary>
    /// The array stored in <paramref name="length"/> bytes at <paramref name="offset"/> of <paramref name="source"/>, as a
    /// tensor named <paramref name="name"/>; <paramref name="where"/> names the file (and zip member) in errors.
    /// </summary>
    public static TensorInfo Read(ByteSource source, long offset, long length, string name, string where)
    {
        const int fixedSize = 8;
        if (length < Magic.Length || !source.Span(offset, Magic.Length).SequenceEqual(Magic))
            throw new CheckpointException($"{where} is not an .npy array (it does not start with \\x93NUMPY)");
        if (length < fixedSize + 2)
            throw new CheckpointException($"{where} is truncated: {length} bytes, too few for an .npy header");
        var prefix = source.Span(offset, fixedSize);
        int major = prefix[6], minor = prefix[7];
        if (major is < 1 or > 3 || minor != 0)
            throw new CheckpointException($"{where} is an .npy array of format version {major}.{minor}; NeuronKit reads 1.0, 2.0 and 3.0");
        int lengthSize = major == 1 ? 2 : 4;
        if (length < fixedSize + lengthSize)
            throw new CheckpointException($"{where} is truncated: {length} bytes, too few for an .npy header");
        var lengthBytes = source.Span(offset + fixedSize, lengthSize);
        long headerSize = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes) : BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        long headerStart = fixedSize + lengthSize;
        if (headerSize > MaxHeaderSize)
            throw new CheckpointException($"{where} has an .npy header of {headerSize:N0} bytes, more than the {MaxHeaderSize:N0} numpy allows");
        if (headerSize > length - headerStart)
            throw new CheckpointException($"{where} is truncated: its .npy header says {headerSize:N0} bytes, but only {length - headerStart:N0} follow");

        var (descr, fortran, shape) = ParseHeader(source.Span(offset + headerStart, (int)headerSize), major, where);
        var (dtype, refusal) = NpyDTypes.Parse(descr);
        if (dtype is null)
            throw new CheckpointException($"{where} holds an array of {refusal}");

        long dataStart = headerStart + headerSize;
        long dataLength = length - dataStart;
        long needed;
        try
        {
            needed = checked(shape.Aggregate(1L, (n, d) => checked(n * d)) * dtype.Value.Size());
        }
        catch (OverflowException)
        {
            throw new CheckpointException($"{where} has shape ({string.Join(", ", shape)}), too large to address");
        }
        if (needed > dataLength)
            throw new CheckpointException($"{where} is truncated: shape ({string.Join(", ", shape)}) of {descr} needs {needed:N0} bytes, " +
                $"but only {dataLength:N0} follow the header");
        if (needed < dataLength)
            throw new CheckpointException($"{where} has {dataLength - needed:N0} bytes after its data; an .npy array ends where its data ends");

        var storage = new TensorStorage(name, source, offset + dataStart, needed);
        return TensorInfo.Create(name, dtype.Value, shape, fortran ? ColumnMajorStrides(shape) : TensorInfo.ContiguousStrides(shape), 0, storage);
    }

    private static (string Descr, bool Fortran, long[] Shape) ParseHeader(ReadOnlySpan<byte> bytes, int major, string where)
    {
        string text;
        try
        {
            // Versions 1 and 2 write the header in latin-1, version 3 in UTF-8.
            text = major == 3 ? StrictUtf8.GetString(bytes) : Encoding.Latin1.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new CheckpointException($"{where} has an .npy version 3 header that is not UTF-8");
        }
        object? literal;
        try
        {
            literal = PythonLiteral.Parse(text);
        }
        catch (FormatException e)
        {
            throw new CheckpointException($"{where} has an .npy header that is not a plain Python dict literal: {e.Message} " +
                $"({Shorten(text)}); nothing in it is evaluated");
        }
        if (literal is not Dictionary<string, object?> dict)
            throw new CheckpointException($"{where} has an .npy header that is not a dict ({Shorten(text)})");
        var missing = Keys.Where(k => !dict.ContainsKey(k)).ToList();
        var extra = dict.Keys.Where(k => !Keys.Contains(k)).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw new CheckpointException($"{where} has an .npy header with the wrong keys " +
                $"({string.Join(", ", missing.Select(k => $"'{k}' missing").Concat(extra.Select(k => $"'{k}' unexpected")))})");

        string descr = dict["descr"] switch
        {
            string s => s,
            List<object?> => throw new CheckpointException($"{where} holds a structured array (fields {Shorten(FieldsText(dict["descr"]))}); " +
                "NeuronKit reads plain numeric arrays"),
            var other => throw new CheckpointException($"{where} has an .npy descr that is not a type string ({other})"),
        };
        if (dict["fortran_order"] is not bool fortran)
            throw new CheckpointException($"{where} has an .npy fortran_order that is not True or False");
        if (dict["shape"] is not PythonLiteral.Tuple { Items: var items } || items.Count > MaxRank
            || items.Any(d => d is not long n || n < 0))
            throw new CheckpointException($"{where} has an .npy shape that is not a tuple of up to {MaxRank} non-negative integers ({Shorten(text)})");
        return (descr, fortran, [.. items.Cast<long>()]);
    }

    // Fortran (column-major) order: the first index moves fastest.
    private static long[] ColumnMajorStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long step = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            strides[i] = step;
            step *= Math.Max(shape[i], 1);
        }
        return strides;
    }

    private static string FieldsText(object? descr) => descr is List<object?> fields
        ? string.Join(", ", fields.Select(f => f is PythonLiteral.Tuple { Items: [string field, ..] } ? field : "?"))
        : "";

    private static string Shorten(string text)
    {
        text = text.Trim();
        return text.Length <= 120 ? text : text[..117] + "...";
    }
}
