namespace NeuronKit.Formats.Onnx;

/// <summary>Where a tensor's bytes lie in the model file, and which field held them.</summary>
/// <param name="Offset">The first byte, from the start of the file.</param>
/// <param name="Length">The number of bytes.</param>
/// <param name="Field">The TensorProto field they came from.</param>
internal sealed record OnnxDataRange(long Offset, int Length, OnnxDataField Field);
