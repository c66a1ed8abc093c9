using NeuronKit.Layers;
using NeuronKit.Stats;

namespace NeuronKit.Tests.Layers;

// CheckpointBuilder fills every tensor with 0, 1, 2, …, so a bias entry's value is its index.
public class EffectiveBiasTests
{
    // PyTorch's recurrent sub-layer l0 with in = 3, H = 2 and the given number of gates.
    private static Model PyTorch(int gates) => new CheckpointBuilder()
        .Tensor("rnn.weight_ih_l0", gates * 2, 3).Tensor("rnn.weight_hh_l0", gates * 2, 2)
        .Tensor("rnn.bias_ih_l0", gates * 2).Tensor("rnn.bias_hh_l0", gates * 2).Model();

    // An ONNX GRU with in = 3, H = 2: W [1, 6, 3], R [1, 6, 2], B [1, 12] (Wb then Rb).
    private static Model OnnxGru(long? linearBeforeReset)
    {
        Dictionary<string, long> ints = new() { ["hidden_size"] = 2 };
        if (linearBeforeReset is { } value) ints["linear_before_reset"] = value;
        return new CheckpointBuilder().Tensor("W", 1, 6, 3).Tensor("R", 1, 6, 2).Tensor("B", 1, 12)
            .Node("GRU", "gru", ["x", "W", "R", "B"], ["y"], ints: ints).Model();
    }

    private static List<(string?, double?)> Biases(Model model, string layer, long j) =>
        [.. model.Neuron(layer, j).EffectiveBiases.Select(b => (b.Gate?.Name, b.Value()))];

    [Fact]
    public void Every_LSTM_gate_adds_bias_ih_and_bias_hh()
    {
        using var model = PyTorch(4);

        // Unit 1's rows are 1, 3, 5, 7 in both biases
        Assert.Equal([("input", 2.0), ("forget", 6.0), ("cell", 10.0), ("output", 14.0)], Biases(model, "rnn", 1));
        Assert.All(model.Neuron("rnn", 1).EffectiveBiases, b => Assert.Equal(["bias_ih", "bias_hh"], b.Parts.Select(p => p.Role.Name)));
    }

    [Fact]
    public void A_PyTorch_GRU_adds_the_reset_and_update_biases_but_not_the_new_gate_s_which_the_reset_gate_scales()
    {
        using var model = PyTorch(3);

        var biases = model.Neuron("rnn", 1).EffectiveBiases;

        Assert.Equal([("reset", 2.0), ("update", 6.0), ("new", (double?)null)], Biases(model, "rnn", 1));
        Assert.Equal([true, true, false], biases.Select(b => b.Sums));
        Assert.Equal("the reset gate scales bias_hh", biases[2].NotSummed);
        Assert.Equal([5.0, 5.0], biases[2].Parts.Select(p => p.ToDoubles()[0]));
    }

    [Fact]
    public void An_RNN_has_one_effective_bias_without_a_gate_and_other_layers_have_none()
    {
        using var rnn = PyTorch(1);
        using var linear = new CheckpointBuilder().Tensor("fc.weight", 2, 3).Tensor("fc.bias", 2).Model();

        Assert.Equal([((string?)null, (double?)2.0)], Biases(rnn, "rnn", 1));
        Assert.Empty(linear.Neuron("fc", 1).EffectiveBiases);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0L)]
    public void An_ONNX_GRU_with_linear_before_reset_0_adds_every_gate_s_Wb_and_Rb(long? linearBeforeReset)
    {
        using var model = OnnxGru(linearBeforeReset);

        // Unit 1: Wb at B[0, g·2 + 1], Rb at B[0, 6 + g·2 + 1]
        Assert.Equal([("update", 8.0), ("reset", 12.0), ("hidden", 16.0)], Biases(model, "gru", 1));
    }

    [Fact]
    public void An_ONNX_GRU_with_linear_before_reset_1_does_not_add_the_hidden_gate_s_biases()
    {
        using var model = OnnxGru(1);

        var hidden = model.Neuron("gru", 1).EffectiveBiases[2];

        Assert.Equal([("update", 8.0), ("reset", 12.0), ("hidden", (double?)null)], Biases(model, "gru", 1));
        Assert.Equal("the reset gate scales Rb", hidden.NotSummed);
        Assert.Equal(["Wb", "Rb"], hidden.Parts.Select(p => p.Role.Name));
    }

    [Fact]
    public void Statistics_report_the_same_gate_biases_and_count_only_weights_as_weights()
    {
        using var pytorch = PyTorch(3);
        using var onnx = OnnxGru(1);

        var fromPyTorch = LayerStats.Compute(pytorch.Layer("rnn")).Neurons[1];
        var fromOnnx = LayerStats.Compute(onnx.Layer("gru")).Neurons[1];

        // 3 gates × (3 inputs + 2 hidden) weights; no bias among them
        Assert.Equal((15L, (double?)null), (fromPyTorch.Weights, fromPyTorch.Bias));
        Assert.Equal([("reset", 2.0), ("update", 6.0), ("new", (double?)null)], fromPyTorch.GateBiases!.Select(g => (g.Gate.Name, g.Bias)));
        Assert.Equal((15L, (double?)null), (fromOnnx.Weights, fromOnnx.Bias));
        Assert.Equal([("update", 8.0), ("reset", 12.0), ("hidden", (double?)null)], fromOnnx.GateBiases!.Select(g => (g.Gate.Name, g.Bias)));
    }
}
