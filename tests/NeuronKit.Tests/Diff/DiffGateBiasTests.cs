using NeuronKit.Diff;
using NeuronKit.Tensors;
using NeuronKit.Tests.Layers;

namespace NeuronKit.Tests.Diff;

/// <summary>
/// A recurrent layer whose only change is one gate's bias: the neuron has no one bias delta to give (null), but it has
/// changed, and the layer's count says so.
/// </summary>
public class DiffGateBiasTests
{
    private const int Hidden = 3, Inputs = 2;

    // PyTorch's LSTM(2, 3) (gates i, f, g, o, each `Hidden` rows), its values 0, 1, 2, … tensor by tensor; with moved,
    // the value at that index of bias_ih (0) or bias_hh (1) is one larger.
    private static Model Lstm((int Tensor, int At)? moved = null)
    {
        double[] Values(int count, int from) => [.. Enumerable.Range(from, count).Select(i => (double)i)];
        var biasIh = Values(4 * Hidden, 100);
        var biasHh = Values(4 * Hidden, 200);
        if (moved is { } m) (m.Tensor == 0 ? biasIh : biasHh)[m.At] += 1;
        return new CheckpointBuilder()
            .Values("rnn.weight_ih_l0", DType.Float32, [4 * Hidden, Inputs], Values(4 * Hidden * Inputs, 0))
            .Values("rnn.weight_hh_l0", DType.Float32, [4 * Hidden, Hidden], Values(4 * Hidden * Hidden, 50))
            .Values("rnn.bias_ih_l0", DType.Float32, [4 * Hidden], biasIh)
            .Values("rnn.bias_hh_l0", DType.Float32, [4 * Hidden], biasHh)
            .Model();
    }

    [Theory]
    [InlineData(0, 0)] // gate i of neuron 0, bias_ih
    [InlineData(0, 1 * Hidden + 2)] // gate f of neuron 2
    [InlineData(1, 2 * Hidden + 1)] // gate g of neuron 1, bias_hh
    [InlineData(1, 3 * Hidden + 2)] // gate o of neuron 2
    public void A_change_in_one_gate_s_bias_changes_that_neuron_only(int tensor, int at)
    {
        // Given an LSTM and its copy whose one gate bias moved by 1
        using var a = Lstm();
        using var b = Lstm((tensor, at));

        // When the two are compared
        var diff = LayerDiff.Compute(a.Layer("rnn"), b.Layer("rnn"));

        // Then the neuron that bias belongs to has changed, though its weights did not and its bias delta is null
        int neuron = at % Hidden;
        Assert.Equal(1, diff.Changed);
        Assert.True(diff.Neurons[neuron].Changed);
        Assert.False(diff.Neurons[neuron].WeightsChanged);
        Assert.Null(diff.Neurons[neuron].BiasDelta);
        Assert.Equal(0, diff.Neurons[neuron].L2Delta);
    }

    [Fact]
    public void The_same_gate_biases_are_no_change()
    {
        using var a = Lstm();
        using var b = Lstm();

        var diff = LayerDiff.Compute(a.Layer("rnn"), b.Layer("rnn"));

        Assert.Equal(0, diff.Changed);
    }
}
