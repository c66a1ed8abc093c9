namespace NeuronKit.Formats.Onnx;

/// <summary>Where a tensor's bytes lie in the model file, and which field held them.</summary>
/// <param name="Offset">The first byte, from the start of the file.</param>
/// <param name="Length">The number of bytes.</param>
/// <param name="Field">The TensorProto field they came from.</param>
/// <param name="Runs">
/// For bytes that lie in pieces (a Constant's unpacked value_floats: 4 bytes after each field's tag), each piece's offset
/// and length in order; null when they lie together.
/// </param>
internal sealed record OnnxDataRange(long Offset, int Length, OnnxDataField Field, IReadOnlyList<(long Offset, long Length)>? Runs = null);
