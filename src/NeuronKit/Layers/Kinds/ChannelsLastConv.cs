using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// A convolution whose kernel keeps its channels last, as Keras and Flax store it: kernel [k…, in/groups, filters], so
/// filter j is kernel[…, j] whatever the groups, and bias [filters]. A Keras Conv1D, Conv2D or Conv3D by its class, or
/// any kernel of rank 3 to 5 whose bias fits its last dimension.
/// keras/src/layers/convolutional/base_conv.py: <c>kernel_shape = self.kernel_size + (input_channel // self.groups, self.filters)</c>
/// </summary>
internal sealed class ChannelsLastConv : ILayerKind
{
    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = ["keras.Conv1D", "keras.Conv2D", "keras.Conv3D"];

    /// <summary>The layout of a channels-last kernel of <paramref name="rank"/>, with <paramref name="channels"/> naming its last two dimensions.</summary>
    internal static string Layout(int rank, string channels) => $"[{Conv.Kernel(rank)}, {channels}] (channels last)";

    /// <summary>Every index of a kernel of <paramref name="rank"/> but its last <paramref name="last"/> dimensions, whole.</summary>
    internal static SliceItem[] Spatial(int rank, int last = 2) => [.. Enumerable.Repeat(SliceItem.All, rank - last)];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate)
    {
        if (!candidate.HasOnly("kernel", "bias") || candidate.Find("kernel") is not { } kernel || !Conv.IsConvRank(kernel.Shape.Count))
            return null;
        var bias = candidate.Find("bias");
        string name = $"Conv{kernel.Shape.Count - 2}d", shape = kernel.Shape.Text();
        if (bias is null)
            return [Layer(candidate, name, kernel, null, true,
                [$"kernel {shape} has no bias to tell a convolution (filters last) from a transposed one (filters second to last); {name} assumed"])];
        if (!bias.Shape.SequenceEqual([kernel.Shape[^1]])) return null;
        bool ambiguous = kernel.Shape[^2] == kernel.Shape[^1];
        return [Layer(candidate, name, kernel, bias, ambiguous,
            [$"bias length {bias.Shape[0]} equals the last dim of kernel {shape}: filters last, a convolution as Keras and Flax store it",
             .. ambiguous ? new[] { $"it also equals the dim before it, as a transposed convolution's would; {name} assumed" } : []])];
    }

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request)
    {
        candidate.RequireOnly(request, "kernel", "bias");
        int rank = request.Name[^2] - '0' + 2;
        var kernel = candidate.Find("kernel")
            ?? throw new RequestException($"{request.Name} needs a tensor named kernel, and '{candidate.Module}' has none");
        if (kernel.Shape.Count != rank)
            throw new RequestException($"{request.Name} needs a rank-{rank} kernel [{Conv.Kernel(rank)}, in/groups, filters], and {kernel.Name} is {kernel.Shape.Text()}");
        var bias = candidate.Find("bias");
        if (bias is not null && !bias.Shape.SequenceEqual([kernel.Shape[^1]]))
            throw new RequestException($"{bias.Name} is {bias.Shape.Text()}, but kernel {kernel.Shape.Text()} has {kernel.Shape[^1]} filters on its last dim");
        return [Layer(candidate, $"Conv{rank - 2}d", kernel, bias, false,
            [request.Evidence, $"kernel {kernel.Shape.Text()} = [{Conv.Kernel(rank)}, in/groups, filters]: filter j is kernel[…, j]"])];
    }

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron)
    {
        var kernel = layer.Role("weight")!;
        var weight = new NeuronPart(kernel.Tensor, PartRole.Weight, new TensorSlice([.. Spatial(kernel.Tensor.Shape.Count, 1), SliceItem.At(neuron)]),
            note: $"filter {neuron} is kernel[…, {neuron}]: this kernel keeps its filters on the last dim");
        var bias = layer.Role("bias");
        return bias is null ? [weight] : [weight, Slices.Row(bias, neuron, PartRole.Bias)];
    }

    /// <inheritdoc/>
    public long? InputWidth(Layer layer, long groups) => layer.Role("weight")!.Tensor.Shape[^2] * groups;

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart>? InputParts(Layer layer, long first, long count, long groups)
    {
        // kernel [k…, in/groups, filters]: input channel c is index c mod in/groups of its group's filters only.
        var kernel = layer.Role("weight")!.Tensor;
        long perGroup = kernel.Shape[^2], outPerGroup = kernel.Shape[^1] / groups, group = first / perGroup;
        var filters = groups == 1 ? SliceItem.All : SliceItem.Range(group * outPerGroup, (group + 1) * outPerGroup);
        var inputs = count == 1 ? SliceItem.At(first % perGroup) : SliceItem.Range(first % perGroup, first % perGroup + count);
        return [new NeuronPart(kernel, PartRole.Weight, new TensorSlice([.. Spatial(kernel.Shape.Count), inputs, filters]))];
    }

    private Layer Layer(LayerCandidate candidate, string kind, TensorInfo kernel, TensorInfo? bias, bool assumed, IReadOnlyList<string> evidence) => new()
    {
        Name = candidate.Module,
        Kind = kind,
        NeuronCount = kernel.Shape[^1],
        Tensors = bias is null ? [new("weight", kernel)] : [new("weight", kernel), new("bias", bias)],
        Layout = Layout(kernel.Shape.Count, "in/groups, out"),
        Evidence = evidence,
        Assumed = assumed,
        Implementation = this,
    };
}
