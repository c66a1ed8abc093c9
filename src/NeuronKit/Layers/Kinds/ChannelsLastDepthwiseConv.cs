using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// A depthwise convolution as Keras stores it: kernel [k…, in, multiplier] (Keras 3 names it kernel, Keras 2
/// depthwise_kernel) and bias [in · multiplier]; output channel j = c · multiplier + m filters input channel c alone, so
/// it is kernel[…, c, m]. Read by its class, or by Keras 2's name depthwise_kernel.
/// keras/src/layers/convolutional/base_depthwise_conv.py: <c>depthwise_shape = self.kernel_size + (input_channel, self.depth_multiplier)</c>
/// </summary>
internal sealed class ChannelsLastDepthwiseConv : ILayerKind
{
    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = ["keras.DepthwiseConv1D", "keras.DepthwiseConv2D"];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate) =>
        candidate.HasOnly("depthwise_kernel", "bias") && candidate.Find("depthwise_kernel") is { } kernel && Conv.IsConvRank(kernel.Shape.Count)
            && Fits(kernel, candidate.Find("bias"))
            ? [Layer(candidate, kernel, candidate.Find("bias"), $"the name depthwise_kernel (Keras 2's DepthwiseConv): kernel {kernel.Shape.Text()} = " +
                $"[{Conv.Kernel(kernel.Shape.Count)}, in, multiplier]")]
            : null;

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request)
    {
        candidate.RequireOnly(request, "kernel", "depthwise_kernel", "bias");
        int rank = request.Name[^2] - '0' + 2;
        var kernel = candidate.Find("kernel") ?? candidate.Find("depthwise_kernel")
            ?? throw new RequestException($"{request.Name} needs a tensor named kernel, and '{candidate.Module}' has none");
        if (kernel.Shape.Count != rank)
            throw new RequestException($"{request.Name} needs a rank-{rank} kernel [{Conv.Kernel(rank)}, in, multiplier], and {kernel.Name} is {kernel.Shape.Text()}");
        var bias = candidate.Find("bias");
        if (!Fits(kernel, bias))
            throw new RequestException($"{bias!.Name} is {bias.Shape.Text()}, but kernel {kernel.Shape.Text()} makes {kernel.Shape[^2] * kernel.Shape[^1]} channels");
        return [Layer(candidate, kernel, bias, request.Evidence)];
    }

    private static bool Fits(TensorInfo kernel, TensorInfo? bias) => bias is null || bias.Shape.SequenceEqual([kernel.Shape[^2] * kernel.Shape[^1]]);

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron)
    {
        var kernel = layer.Role("weight")!;
        long multiplier = kernel.Tensor.Shape[^1], channel = neuron / multiplier, m = neuron % multiplier;
        var weight = new NeuronPart(kernel.Tensor, PartRole.Weight,
            new TensorSlice([.. ChannelsLastConv.Spatial(kernel.Tensor.Shape.Count), SliceItem.At(channel), SliceItem.At(m)]),
            note: $"output channel {neuron} = {channel} · {multiplier} + {m}: input channel {channel}'s filter {m}");
        var bias = layer.Role("bias");
        return bias is null ? [weight] : [weight, Slices.Row(bias, neuron, PartRole.Bias)];
    }

    /// <inheritdoc/>
    public long? InputWidth(Layer layer, long groups) => layer.Role("weight")!.Tensor.Shape[^2];

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart>? InputParts(Layer layer, long first, long count, long groups)
    {
        var kernel = layer.Role("weight")!.Tensor;
        var inputs = count == 1 ? SliceItem.At(first) : SliceItem.Range(first, first + count);
        return [new NeuronPart(kernel, PartRole.Weight, new TensorSlice([.. ChannelsLastConv.Spatial(kernel.Shape.Count), inputs]))];
    }

    private Layer Layer(LayerCandidate candidate, TensorInfo kernel, TensorInfo? bias, string evidence) => new()
    {
        Name = candidate.Module,
        Kind = $"Conv{kernel.Shape.Count - 2}d",
        NeuronCount = kernel.Shape[^2] * kernel.Shape[^1],
        Tensors = bias is null ? [new("weight", kernel)] : [new("weight", kernel), new("bias", bias)],
        Layout = ChannelsLastConv.Layout(kernel.Shape.Count, "in, multiplier") + ", depthwise",
        Evidence = [evidence, $"output channel j = c · {kernel.Shape[^1]} + m is kernel[…, c, m]"],
        Implementation = this,
    };
}
