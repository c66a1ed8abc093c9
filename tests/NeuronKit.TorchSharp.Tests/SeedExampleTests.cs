using NeuronKit.TorchSharp.Tests.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.TensorIndex;

namespace NeuronKit.TorchSharp.Tests;

/// <summary>The seed's three questions, asked of live TorchSharp modules.</summary>
public sealed class SeedExampleTests
{
    [TorchFact]
    public void Neuron_1_of_layer_0_of_the_seed_Sequential_is_row_1_of_its_weight_and_element_1_of_its_bias()
    {
        // Given the seed's nn.Sequential(Linear(10, 5), ReLU(), Linear(5, 2))
        var seq = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 2));

        // When neuron 1 of layer 0 is asked for
        using var neuron = new LiveModel(seq).Neuron("0", 1);

        // Then it is 0.weight[1] (10 weights) and 0.bias[1], as TorchSharp indexes them
        Assert.Equal("0", neuron.Layer.Name);
        Assert.Equal("Linear", neuron.Layer.Kind);
        Assert.Equal(5, neuron.Layer.NeuronCount);
        Oracle.Matches(seq, neuron, new("0.weight", null, "[1]", Single(1)), new("0.bias", null, "[1]", Single(1)));
        Assert.Equal([10L], neuron.Part("weight")!.Shape);
    }

    [TorchFact]
    public void Filter_4_of_the_seed_Conv2d_is_its_whole_3_by_3_by_3_slice_and_its_bias()
    {
        var model = new SeedConv();

        using var filter = new LiveModel(model).Neuron("conv1", 4);

        Assert.Equal("Conv2d", filter.Layer.Kind);
        Assert.Equal(16, filter.Layer.NeuronCount);
        Oracle.Matches(model, filter, new("conv1.weight", null, "[4]", Single(4)), new("conv1.bias", null, "[4]", Single(4)));
        Assert.Equal([3L, 3, 3], filter.Part("weight")!.Shape);
    }

    [TorchFact]
    public void Hidden_unit_2_of_the_seed_LSTM_is_four_gates_of_rows_in_each_of_its_four_tensors()
    {
        var model = new SeedLstm();

        // When the bare module name is asked for: it has one sub-layer, rnn.l0
        using var unit = new LiveModel(model).Neuron("rnn", 2);

        Assert.Equal("rnn.l0", unit.Layer.Name);
        Assert.Equal("LSTM", unit.Layer.Kind);
        Assert.Equal(20, unit.Layer.NeuronCount);
        Oracle.Matches(model, unit, Oracle.Recurrent("rnn", "_l0", Oracle.LstmGates, 20, 2));
        Assert.Equal("[62]", unit.Part("bias_hh", "output")!.Index);
    }

    [TorchFact]
    public void The_module_extension_methods_answer_the_same_question()
    {
        var seq = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 2));

        using var neuron = seq.Neuron("2", -1);

        Assert.Equal(["0 (Linear, 5 neurons)", "2 (Linear, 2 neurons)"], seq.Layers().Select(l => l.ToString()));
        Assert.Equal(1, neuron.Index);
        Oracle.Matches(seq, neuron, new("2.weight", null, "[1]", Single(1)), new("2.bias", null, "[1]", Single(1)));
    }
}
