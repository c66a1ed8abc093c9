namespace NeuronKit.Formats.Onnx;

/// <summary>Which TensorProto field a tensor's bytes were found in, which fixes how they must be read.</summary>
internal enum OnnxDataField
{
    /// <summary><c>raw_data</c> (9): elements of the tensor's data_type, little-endian.</summary>
    RawData,
    /// <summary>Packed <c>float_data</c> (4): float32 little-endian, as raw_data of a FLOAT tensor.</summary>
    FloatData,
    /// <summary>Packed <c>double_data</c> (10): float64 little-endian, as raw_data of a DOUBLE tensor.</summary>
    DoubleData,
}
