namespace NeuronKit.Formats.Gguf;

/// <summary><c>enum gguf_type</c>: the type of a metadata value (ggml include/gguf.h).</summary>
internal enum GgufValueType : uint
{
    /// <summary>u8.</summary>
    UInt8 = 0,
    /// <summary>i8.</summary>
    Int8 = 1,
    /// <summary>u16.</summary>
    UInt16 = 2,
    /// <summary>i16.</summary>
    Int16 = 3,
    /// <summary>u32.</summary>
    UInt32 = 4,
    /// <summary>i32.</summary>
    Int32 = 5,
    /// <summary>f32.</summary>
    Float32 = 6,
    /// <summary>One byte, 0 or 1.</summary>
    Bool = 7,
    /// <summary>A gguf_string.</summary>
    String = 8,
    /// <summary>u32 element type, u64 count, elements.</summary>
    Array = 9,
    /// <summary>u64.</summary>
    UInt64 = 10,
    /// <summary>i64.</summary>
    Int64 = 11,
    /// <summary>f64.</summary>
    Float64 = 12,
}
