using NeuronKit.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp;

/// <summary>
/// Where neuron j sits in a layer's output, by layer kind: the last dimension (Linear, Embedding: [B, …, out]), the channel
/// dimension (Conv/ConvTranspose: [B, C, spatial…] or unbatched [C, spatial…]), or the feature of a recurrent output
/// sequence ([T, B, D·H], [B, T, D·H] batch-first, or unbatched [T, D·H]; the reverse direction's unit j is H + j).
/// </summary>
internal abstract record NeuronAxis
{
    // https://pytorch.org/docs/stable/generated/torch.nn.LSTM.html: output holds both directions' h_t, forward first.
    private static readonly Dictionary<string, Func<NeuronAxis>> ByKind = new(StringComparer.Ordinal)
    {
        ["Linear"] = () => new Last(), ["Embedding"] = () => new Last(),
        ["Conv1d"] = () => new Channel(1), ["Conv2d"] = () => new Channel(2), ["Conv3d"] = () => new Channel(3),
        ["ConvTranspose1d"] = () => new Channel(1), ["ConvTranspose2d"] = () => new Channel(2), ["ConvTranspose3d"] = () => new Channel(3),
    };

    /// <summary>The axis of <paramref name="layer"/>'s neurons; <paramref name="batchFirst"/> for a recurrent module's layout.</summary>
    public static NeuronAxis For(Layer layer, bool batchFirst)
    {
        if (layer.Kind is "LSTM" or "GRU" or "RNN" && layer.Module is not null)
            return new Sequence(layer.Name.EndsWith("_reverse", StringComparison.Ordinal) ? layer.NeuronCount : 0, batchFirst);
        return ByKind.TryGetValue(layer.Kind, out var axis) ? axis()
            : throw new RequestException($"NeuronKit does not read the activations of a {layer.Kind} layer ('{layer.Name}')",
                [$"it reads those of {string.Join(", ", ByKind.Keys)}, LSTM, GRU and RNN"]);
    }

    /// <summary>What the layer takes, for an error about an input that does not fit.</summary>
    public abstract string Expects(nn.Module module);

    /// <summary>Neuron <paramref name="neuron"/>'s values in <paramref name="output"/>, one entry per batch item.</summary>
    public IReadOnlyList<NeuronActivation> Read(Tensor output, long neuron)
    {
        using var scope = NewDisposeScope();
        var (perItem, batched) = Select(output, neuron);
        var items = batched ? perItem : perItem.unsqueeze(0);
        var values = items.to_type(ScalarType.Float64).cpu().contiguous();
        long[] shape = values.shape[1..];
        long size = shape.Aggregate(1L, (n, d) => n * d);
        double[] all = values.data<double>().ToArray();
        return [.. Enumerable.Range(0, (int)values.shape[0]).Select(b => new NeuronActivation(b, shape, all[(int)(b * size)..(int)((b + 1) * size)]))];
    }

    /// <summary>The neuron's slice of the output, batch first when <c>batched</c>.</summary>
    protected abstract (Tensor PerItem, bool Batched) Select(Tensor output, long neuron);

    private sealed record Last : NeuronAxis
    {
        public override string Expects(nn.Module module) => module is Linear linear
            ? $"[…, {linear.in_features}] (any leading dimensions, the last {linear.in_features})" : "indices (int64)";

        protected override (Tensor, bool) Select(Tensor output, long neuron) => (output.select(-1, neuron), output.dim() > 1);
    }

    private sealed record Channel(int Spatial) : NeuronAxis
    {
        public override string Expects(nn.Module module)
        {
            long channels = module is Convolution conv ? conv.in_channels : -1;
            string spatial = Spatial switch { 1 => "L", 2 => "H, W", _ => "D, H, W" };
            return $"[N, {channels}, {spatial}] or [{channels}, {spatial}]";
        }

        protected override (Tensor, bool) Select(Tensor output, long neuron) =>
            output.dim() == Spatial + 2 ? (output.select(1, neuron), true) : (output.select(0, neuron), false);
    }

    private sealed record Sequence(long Offset, bool BatchFirst) : NeuronAxis
    {
        public override string Expects(nn.Module module)
        {
            long inputs = module.named_parameters().FirstOrDefault(p => p.name == "weight_ih_l0").parameter?.shape[1] ?? -1;
            return BatchFirst ? $"[N, T, {inputs}] (batch first)" : $"[T, N, {inputs}] or unbatched [T, {inputs}]";
        }

        protected override (Tensor, bool) Select(Tensor output, long neuron)
        {
            var unit = output.select(-1, Offset + neuron);
            return output.dim() == 2 ? (unit, false) : (BatchFirst ? unit : unit.t(), true);
        }
    }
}
