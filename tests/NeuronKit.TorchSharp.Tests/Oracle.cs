using TorchSharp;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp.Tests;

/// <summary>
/// One expected part of a neuron: the tensor, gate and index text NeuronKit must report, and the same slice written as
/// TorchSharp indices, which the oracle applies to the module's own parameter.
/// </summary>
internal sealed record Expected(string Tensor, string? Gate, string Index, params TensorIndex[] By);

/// <summary>The oracle: TorchSharp's own indexing of a module's parameters.</summary>
internal static class Oracle
{
    /// <summary>state_dict()[tensor][by], as doubles, on the CPU.</summary>
    public static (double[] Values, long[] Shape) Slice(nn.Module module, string tensor, TensorIndex[] by)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var slice = module.state_dict()[tensor].index(by);
        return (slice.to_type(ScalarType.Float64).cpu().contiguous().data<double>().ToArray(), slice.shape);
    }

    /// <summary>A TorchSharp tensor's values as doubles.</summary>
    public static double[] Values(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        return tensor.to_type(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
    }

    /// <summary>
    /// Asserts that <paramref name="neuron"/> has exactly the <paramref name="expected"/> parts, in order, and that each part's
    /// NeuronKit values, its TorchSharp view's values and the oracle's agree element by element.
    /// </summary>
    public static void Matches(nn.Module module, LiveNeuron neuron, params Expected[] expected)
    {
        Assert.Equal(
            expected.Select(e => $"{e.Tensor}{e.Index} {e.Gate}"),
            neuron.Parts.Select(p => $"{p.Name}{p.Index} {p.Gate?.Name}"));
        foreach (var (part, want) in neuron.Parts.Zip(expected))
        {
            var (values, shape) = Slice(module, want.Tensor, want.By);
            Assert.Equal(shape, part.Shape);
            Assert.Equal(shape, part.Tensor.shape);
            Assert.Equal(values, part.ToDoubles());
            Assert.Equal(values, Values(part.Tensor));
        }
    }

    /// <summary>The parts of hidden unit <paramref name="unit"/> of a recurrent sub-layer, gate by gate, as the contract orders them.</summary>
    public static Expected[] Recurrent(string module, string suffix, string?[] gates, long hidden, long unit, bool bias = true)
    {
        string[] roles = bias ? ["weight_ih", "weight_hh", "bias_ih", "bias_hh"] : ["weight_ih", "weight_hh"];
        return
        [
            .. gates.SelectMany((gate, g) => roles.Select(role =>
                new Expected($"{module}.{role}{suffix}", gate, $"[{g * hidden + unit}]", TensorIndex.Single(g * hidden + unit)))),
        ];
    }

    /// <summary>The LSTM gates in PyTorch's order.</summary>
    public static readonly string?[] LstmGates = ["input", "forget", "cell", "output"];

    /// <summary>The GRU gates in PyTorch's order.</summary>
    public static readonly string?[] GruGates = ["reset", "update", "new"];
}
