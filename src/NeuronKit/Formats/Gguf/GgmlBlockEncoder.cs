namespace NeuronKit.Formats.Gguf;

/// <summary>Quantizes one block's <see cref="GgmlType.BlockSize"/> floats into its <see cref="GgmlType.TypeSize"/> bytes.</summary>
internal delegate void GgmlBlockEncoder(ReadOnlySpan<float> values, Span<byte> block);
