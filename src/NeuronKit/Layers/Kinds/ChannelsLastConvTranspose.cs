using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// A transposed convolution whose kernel keeps its channels last, as Keras stores it: kernel [k…, filters, in], so filter
/// j is kernel[…, j, :], and bias [filters]. Read by its class only (Keras' Conv1DTranspose to Conv3DTranspose): a
/// depthwise kernel [k…, in, 1] with its bias [in] has the same shapes.
/// keras/src/layers/convolutional/base_conv_transpose.py: <c>kernel_shape = self.kernel_size + (self.filters, input_dim)</c>
/// </summary>
internal sealed class ChannelsLastConvTranspose : ILayerKind
{
    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = ["keras.Conv1DTranspose", "keras.Conv2DTranspose", "keras.Conv3DTranspose"];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate) => null;

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request)
    {
        candidate.RequireOnly(request, "kernel", "bias");
        int rank = request.Name["keras.Conv".Length] - '0' + 2;
        var kernel = candidate.Find("kernel")
            ?? throw new RequestException($"{request.Name} needs a tensor named kernel, and '{candidate.Module}' has none");
        if (kernel.Shape.Count != rank)
            throw new RequestException($"{request.Name} needs a rank-{rank} kernel [{Conv.Kernel(rank)}, filters, in], and {kernel.Name} is {kernel.Shape.Text()}");
        var bias = candidate.Find("bias");
        if (bias is not null && !bias.Shape.SequenceEqual([kernel.Shape[^2]]))
            throw new RequestException($"{bias.Name} is {bias.Shape.Text()}, but kernel {kernel.Shape.Text()} has {kernel.Shape[^2]} filters on its second to last dim");
        return [new Layer
        {
            Name = candidate.Module,
            Kind = $"ConvTranspose{rank - 2}d",
            NeuronCount = kernel.Shape[^2],
            Tensors = bias is null ? [new("weight", kernel)] : [new("weight", kernel), new("bias", bias)],
            Layout = ChannelsLastConv.Layout(rank, "out, in"),
            Evidence = [request.Evidence, $"kernel {kernel.Shape.Text()} = [{Conv.Kernel(rank)}, filters, in]: filter j is kernel[…, j, :]"],
            Implementation = this,
        }];
    }

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron)
    {
        var kernel = layer.Role("weight")!;
        var weight = new NeuronPart(kernel.Tensor, PartRole.Weight, new TensorSlice([.. ChannelsLastConv.Spatial(kernel.Tensor.Shape.Count), SliceItem.At(neuron)]),
            note: $"filter {neuron} is kernel[…, {neuron}, :]: a transposed kernel keeps its filters second to last");
        var bias = layer.Role("bias");
        return bias is null ? [weight] : [weight, Slices.Row(bias, neuron, PartRole.Bias)];
    }

    /// <inheritdoc/>
    public long? InputWidth(Layer layer, long groups) => layer.Role("weight")!.Tensor.Shape[^1];

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart>? InputParts(Layer layer, long first, long count, long groups)
    {
        var kernel = layer.Role("weight")!.Tensor;
        var inputs = count == 1 ? SliceItem.At(first) : SliceItem.Range(first, first + count);
        return [new NeuronPart(kernel, PartRole.Weight, new TensorSlice([.. ChannelsLastConv.Spatial(kernel.Shape.Count), SliceItem.All, inputs]))];
    }
}
