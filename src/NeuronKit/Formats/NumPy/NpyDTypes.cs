using NeuronKit.Tensors;

namespace NeuronKit.Formats.NumPy;

/// <summary>
/// NumPy's array-protocol type strings (<c>descr</c>, e.g. <c>&lt;f4</c>): byte order, kind, item size. The kinds NeuronKit
/// reads map to a <see cref="DType"/>; the others are refused with what they are. NumPy has no bfloat16 or 8-bit
/// floats: ml_dtypes saves those as raw void (<c>V</c>), which cannot say which type it was.
/// </summary>
internal static class NpyDTypes
{
    private static readonly (string Code, DType DType)[] Readable =
    [
        ("f2", DType.Float16), ("f4", DType.Float32), ("f8", DType.Float64),
        ("i1", DType.Int8), ("i2", DType.Int16), ("i4", DType.Int32), ("i8", DType.Int64),
        ("u1", DType.UInt8), ("u2", DType.UInt16), ("u4", DType.UInt32), ("u8", DType.UInt64),
        ("b1", DType.Bool),
        ("c8", DType.Complex64), ("c16", DType.Complex128),
    ];

    private static readonly (char Kind, string Meaning)[] Refused =
    [
        ('O', "Python objects, stored as a pickle; refused, nothing is unpickled"),
        ('c', "complex numbers of a size NeuronKit cannot read (two long doubles?)"),
        ('f', "a float of a size NeuronKit cannot read (long double?)"),
        ('U', "unicode strings, not numbers"),
        ('S', "byte strings, not numbers"),
        ('a', "byte strings, not numbers"),
        ('V', "raw void bytes (ml_dtypes' bfloat16 and float8 are saved so), which do not say their type"),
        ('M', "datetimes, not weights"),
        ('m', "timedeltas, not weights"),
    ];

    private static readonly Dictionary<string, DType> ByCode = Readable.ToDictionary(e => e.Code, e => e.DType, StringComparer.Ordinal);

    /// <summary>True when NumPy has <paramref name="dtype"/> (not bfloat16, the 8-bit floats or the quantized types).</summary>
    public static bool Holds(DType dtype) => ByCode.ContainsValue(dtype);

    /// <summary>The little-endian descr NumPy writes for <paramref name="dtype"/> (<c>&lt;f4</c>; <c>|b1</c> for one byte).</summary>
    public static string Descr(DType dtype)
    {
        string code = Readable.First(e => e.DType == dtype).Code;
        return (code[^1] == '1' ? "|" : "<") + code;
    }

    /// <summary>
    /// The <see cref="DType"/> of <paramref name="descr"/>, or the reason it cannot be read (one phrase naming the type).
    /// </summary>
    public static (DType? DType, string? Refusal) Parse(string descr)
    {
        if (descr.Length < 2) return (null, $"dtype '{descr}', which is not a NumPy type string");
        char order = descr[0];
        string code = order is '<' or '>' or '|' or '=' ? descr[1..] : descr;
        if (ByCode.TryGetValue(code, out var dtype))
        {
            bool multiByte = dtype.Size() > 1;
            if (multiByte && order == '>')
                return (null, $"dtype '{descr}', which is big-endian; NeuronKit reads little-endian arrays " +
                    "(in Python, arr.astype(arr.dtype.newbyteorder('<')) before saving)");
            if (multiByte && order is '|' or '=')
                return (null, $"dtype '{descr}', whose byte order '{order}' does not say little- or big-endian");
            return (dtype, null);
        }
        foreach (var (kind, meaning) in Refused)
            if (code.Length > 0 && code[0] == kind)
                return (null, $"dtype '{descr}' ({meaning})");
        return (null, $"dtype '{descr}', which is not a NumPy type NeuronKit knows");
    }
}
