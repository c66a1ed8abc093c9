namespace NeuronKit.Tensors;

/// <summary>The element type of a stored tensor, named as PyTorch names it.</summary>
public enum DType
{
    /// <summary>IEEE 754 single precision.</summary>
    Float32,
    /// <summary>IEEE 754 double precision.</summary>
    Float64,
    /// <summary>IEEE 754 half precision.</summary>
    Float16,
    /// <summary>The upper 16 bits of a float32.</summary>
    BFloat16,
    /// <summary>Signed 8-bit integer.</summary>
    Int8,
    /// <summary>Signed 16-bit integer.</summary>
    Int16,
    /// <summary>Signed 32-bit integer.</summary>
    Int32,
    /// <summary>Signed 64-bit integer.</summary>
    Int64,
    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8,
    /// <summary>One byte, 0 or 1.</summary>
    Bool,
}
