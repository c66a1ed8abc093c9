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
    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16,
    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32,
    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64,
    /// <summary>OCP 8-bit float E4M3: bias 7, no infinities, NaN only at S.1111.111 (max 448).</summary>
    Float8E4M3FN,
    /// <summary>OCP 8-bit float E5M2: bias 15, IEEE-style infinities and NaNs (max 57344).</summary>
    Float8E5M2,
    /// <summary>8-bit float E4M3 of Graphcore/AMD: bias 8, no infinities, no negative zero, NaN only at 0x80 (max 240).</summary>
    Float8E4M3FNUZ,
    /// <summary>8-bit float E5M2 of Graphcore/AMD: bias 16, no infinities, no negative zero, NaN only at 0x80 (max 57344).</summary>
    Float8E5M2FNUZ,
    /// <summary>OCP MX scale E8M0: an unsigned power of two 2^(e-127), no zero, NaN at 0xFF.</summary>
    Float8E8M0,
    /// <summary>A complex number of two float32, real part first.</summary>
    Complex64,
    /// <summary>A complex number of two float64, real part first.</summary>
    Complex128,
}
