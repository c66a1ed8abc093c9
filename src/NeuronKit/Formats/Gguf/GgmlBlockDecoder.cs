namespace NeuronKit.Formats.Gguf;

/// <summary>Decodes one quantized block (<see cref="GgmlType.TypeSize"/> bytes) into its <see cref="GgmlType.BlockSize"/> floats.</summary>
internal delegate void GgmlBlockDecoder(ReadOnlySpan<byte> block, Span<float> values);
