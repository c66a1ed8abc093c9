using NeuronKit.Tensors;

namespace NeuronKit.Layers.Kinds;

/// <summary>
/// Keras' Dense, and Flax's, by their names: kernel [in, units] and bias [units], so unit j is column j of the kernel
/// (keras/src/layers/core/dense.py: <c>kernel_shape = (input_dim, self.units)</c>). Read as a Linear stored (in, out).
/// </summary>
internal sealed partial class Linear
{
    /// <summary>The class name a Keras file's Dense layers are read by.</summary>
    public const string KerasDense = "keras.Dense";

    private const string Kernel = "kernel";

    // A kernel [in, units], alone or with its bias [units]: the names say the layout, so nothing is assumed.
    private Layer[]? MatchKernel(LayerCandidate candidate)
    {
        if (!candidate.HasOnly(Kernel, "bias") || candidate.Find(Kernel) is not { Shape.Count: 2 } kernel) return null;
        var bias = candidate.Find("bias");
        if (bias is not null && !bias.Shape.SequenceEqual([kernel.Shape[1]])) return null;
        string tensors = bias is null ? $"kernel {kernel.Shape.Text()}" : $"kernel {kernel.Shape.Text()} and bias {bias.Shape.Text()}";
        return [Layer(candidate, kernel, bias, InOut, false,
            [$"{tensors}: a Dense layer as Keras and Flax store it, kernel [in, units], neuron j is column j"])];
    }

    private Layer[] ReadKernel(LayerCandidate candidate, KindRequest request)
    {
        candidate.RequireOnly(request, Kernel, "bias");
        var kernel = candidate.Find(Kernel)
            ?? throw new RequestException($"{request.Name} needs a tensor named kernel, and '{candidate.Module}' has none");
        if (kernel.Shape.Count != 2)
            throw new RequestException($"{request.Name} needs a 2-d kernel [in, units], and {kernel.Name} is {kernel.Shape.Text()}");
        var bias = candidate.Find("bias");
        if (bias is not null && !bias.Shape.SequenceEqual([kernel.Shape[1]]))
            throw new RequestException($"{bias.Name} is {bias.Shape.Text()}, but kernel {kernel.Shape.Text()} has {kernel.Shape[1]} units");
        return [Layer(candidate, kernel, bias, InOut, false, [request.Evidence, "kernel [in, units]: neuron j is column j"])];
    }
}
