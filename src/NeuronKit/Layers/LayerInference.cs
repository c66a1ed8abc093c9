using NeuronKit.Formats;
using NeuronKit.Layers.Kinds;

namespace NeuronKit.Layers;

/// <summary>Groups a checkpoint's tensors into layers and picks each one's kind and layout.</summary>
internal static class LayerInference
{
    public static IReadOnlyList<Layer> Infer(Checkpoint checkpoint) =>
        checkpoint.Tensors.Select(t => TensorRows.Layer(checkpoint, t)).ToList();
}
