namespace NeuronKit.Edits;

/// <summary>The prune writer of each format, beside its reader; a format missing here is refused by name.</summary>
internal static class PruneWriters
{
    private static readonly IReadOnlyList<IPruneWriter> All =
    [
        new Formats.Safetensors.SafetensorsPruneWriter(),
        new Formats.NumPy.NumPyPruneWriter(),
        new Formats.Onnx.OnnxPruneWriter(),
        new Formats.Gguf.GgufPruneWriter(),
        new Formats.PyTorch.PyTorchPruneWriter(),
        new Formats.TorchSharp.TorchSharpPruneWriter(),
        new Formats.Flax.FlaxPruneWriter(),
        new Formats.Keras.KerasPruneWriter(),
    ];

    /// <summary>The writer of <paramref name="format"/>, or null.</summary>
    public static IPruneWriter? For(string format) => All.FirstOrDefault(w => w.Format == format);
}
