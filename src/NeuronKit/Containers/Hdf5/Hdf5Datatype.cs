using NeuronKit.Tensors;

namespace NeuronKit.Containers.Hdf5;

/// <summary>
/// A datatype message: the class (integer, float, string, variable-length, …), the element size, and what the reader
/// needs of the class's bit field and properties. Fixed-point and IEEE floating-point numbers map to a <see cref="DType"/>;
/// fixed and variable-length strings are read as text; other classes are named and left unread.
/// </summary>
/// <param name="Class">The datatype class number (0 fixed-point, 1 floating-point, 3 string, 9 variable-length, …).</param>
/// <param name="Size">The size of one element in bytes.</param>
/// <param name="BigEndian">True when the numbers are stored big-endian.</param>
/// <param name="Signed">For fixed-point numbers, true when they are signed.</param>
/// <param name="Precision">For numbers, the significant bits (all of them in every type h5py writes).</param>
/// <param name="ExponentBits">For floating-point numbers, the exponent's size in bits.</param>
/// <param name="MantissaBits">For floating-point numbers, the mantissa's size in bits.</param>
/// <param name="VariableString">For a variable-length type, true when it is a string (not a sequence).</param>
internal sealed record Hdf5Datatype(int Class, long Size, bool BigEndian, bool Signed, int Precision, int ExponentBits, int MantissaBits,
    bool VariableString)
{
    public const int FixedPoint = 0, FloatingPoint = 1, String = 3, VariableLength = 9;

    private static readonly string[] ClassNames =
        ["integer", "float", "time", "string", "bit field", "opaque", "compound", "reference", "enum", "variable-length", "array"];

    /// <summary>Reads the datatype message in <paramref name="fields"/>.</summary>
    public static Hdf5Datatype Read(ref Hdf5Fields fields, Hdf5File file, string what)
    {
        int classAndVersion = fields.Byte();
        int cls = classAndVersion & 0x0f;
        int bits = fields.Byte() | (fields.Byte() << 8) | (fields.Byte() << 16);
        long size = fields.UInt32();
        if (size == 0) throw file.Corrupt($"{what} has a datatype of 0 bytes");
        switch (cls)
        {
            case FixedPoint:
            {
                fields.Skip(2); // bit offset
                int precision = fields.UInt16();
                return new(cls, size, (bits & 0x01) != 0, (bits & 0x08) != 0, precision, 0, 0, false);
            }
            case FloatingPoint:
            {
                fields.Skip(2); // bit offset
                int precision = fields.UInt16();
                fields.Skip(1); // exponent location
                int exponent = fields.Byte();
                fields.Skip(1); // mantissa location
                int mantissa = fields.Byte();
                fields.Skip(4); // exponent bias
                // Byte order is bits 0 and 6: 00 little-endian, 01 big-endian, 11 VAX (read as not little-endian).
                return new(cls, size, (bits & 0x41) != 0, true, precision, exponent, mantissa, false);
            }
            case String:
                return new(cls, size, false, false, 0, 0, 0, false) { SpacePadded = (bits & 0x0f) == 2 };
            case VariableLength:
                // The base type follows; strings need nothing of it.
                return new(cls, size, false, false, 0, 0, 0, (bits & 0x0f) == 1);
            default:
                return new(cls, size, false, false, 0, 0, 0, false);
        }
    }

    /// <summary>What the type is, for messages (<c>float32</c>, <c>big-endian float32</c>, <c>compound</c>).</summary>
    public string Description => Class switch
    {
        FixedPoint or FloatingPoint => (BigEndian ? "big-endian " : "") + (Class == FloatingPoint ? "float" : Signed ? "int" : "uint") + 8 * Size,
        _ when Class < ClassNames.Length => ClassNames[Class],
        _ => $"datatype class {Class}",
    };

    /// <summary>The element type of a little-endian integer or IEEE float of every bit its size holds; null for anything else.</summary>
    public DType? DType => (Class, Size, BigEndian, Precision == 8 * Size) switch
    {
        (FloatingPoint, 2, false, true) when ExponentBits == 5 && MantissaBits == 10 => Tensors.DType.Float16,
        (FloatingPoint, 4, false, true) when ExponentBits == 8 && MantissaBits == 23 => Tensors.DType.Float32,
        (FloatingPoint, 8, false, true) when ExponentBits == 11 && MantissaBits == 52 => Tensors.DType.Float64,
        (FixedPoint, 1, false, true) => Signed ? Tensors.DType.Int8 : Tensors.DType.UInt8,
        (FixedPoint, 2, false, true) => Signed ? Tensors.DType.Int16 : Tensors.DType.UInt16,
        (FixedPoint, 4, false, true) => Signed ? Tensors.DType.Int32 : Tensors.DType.UInt32,
        (FixedPoint, 8, false, true) => Signed ? Tensors.DType.Int64 : Tensors.DType.UInt64,
        _ => null,
    };

    /// <summary>For a fixed-length string, true when it is padded with spaces (else with NULs, or NUL-terminated).</summary>
    public bool SpacePadded { get; init; }

    /// <summary>True for text: a fixed-length string or a variable-length string.</summary>
    public bool IsText => Class == String || (Class == VariableLength && VariableString);
}
