using static NeuronKit.Tests.Layers.CheckpointBuilder;

namespace NeuronKit.Tests.Layers.Kinds;

public class RecurrentTests
{
    // One sub-layer's tensors in PyTorch's order, with in = 3 and H = 2.
    private static CheckpointBuilder SubLayer(CheckpointBuilder builder, string module, string suffix, int gates, int input = 3, int hidden = 2) =>
        builder.Tensor($"{module}.weight_ih{suffix}", gates * hidden, input)
            .Tensor($"{module}.weight_hh{suffix}", gates * hidden, hidden)
            .Tensor($"{module}.bias_ih{suffix}", gates * hidden)
            .Tensor($"{module}.bias_hh{suffix}", gates * hidden);

    [Fact]
    public void An_LSTM_neuron_is_row_g_H_plus_j_of_every_gate_in_PyTorch_order()
    {
        // Given LSTM(3, 2): weight_ih_l0 [8, 3], weight_hh_l0 [8, 2], bias_ih_l0 [8], bias_hh_l0 [8]
        using var model = SubLayer(new CheckpointBuilder(), "rnn", "_l0", 4).Model();

        var layer = Assert.Single(model.Layers);
        var neuron = model.Neuron("rnn", 1);

        Assert.Equal(("rnn.l0", "rnn", "LSTM", 2L, "[4H, in], gates i, f, g, o", false),
            (layer.Name, layer.Module, layer.Kind, layer.NeuronCount, layer.Layout, layer.Assumed));
        Assert.Contains(layer.Evidence, e => e.Contains("weight_ih_l0 has 8 rows = 4 × H with H = 2"));
        // Then the parts go gate by gate: weight_ih, weight_hh, bias_ih, bias_hh, at rows 1, 3, 5, 7
        Assert.Equal(16, neuron.Parts.Count);
        string[] gates = ["input", "forget", "cell", "output"];
        string[] roles = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"];
        for (int g = 0; g < 4; g++)
            for (int r = 0; r < 4; r++)
            {
                var part = neuron.Parts[g * 4 + r];
                Assert.Equal(($"rnn.{roles[r]}_l0", roles[r], gates[g], $"[{g * 2 + 1}]"), (part.Tensor, part.Role.Name, part.Gate?.Name, part.Index));
                Assert.Contains($"row {g}·2 + 1 = {g * 2 + 1} is the {gates[g]} gate of unit 1", part.Note);
            }
        Assert.Equal(Run(9, 3), neuron.Part("weight_ih", "forget")!.ToDoubles());
        Assert.Equal(Run(14, 2), neuron.Part("weight_hh", "output")!.ToDoubles());
        Assert.Equal([5.0], neuron.Part("bias_hh", "cell")!.ToDoubles());
    }

    [Fact]
    public void A_two_layer_bidirectional_GRU_is_four_sub_layers_in_file_order()
    {
        var builder = new CheckpointBuilder();
        foreach (string suffix in (string[])["_l0", "_l0_reverse", "_l1", "_l1_reverse"])
            SubLayer(builder, "gru", suffix, 3, input: suffix.StartsWith("_l0") ? 3 : 4);
        using var model = builder.Model();

        Assert.Equal(["gru.l0", "gru.l0_reverse", "gru.l1", "gru.l1_reverse"], model.Layers.Select(l => l.Name));
        Assert.All(model.Layers, l => Assert.Equal(("GRU", "gru", 2L, "[3H, in], gates r, z, n"), (l.Kind, l.Module, l.NeuronCount, l.Layout)));
        var neuron = model.Neuron("gru.l1_reverse", 0);
        Assert.Equal(["reset", "reset", "reset", "reset", "update", "update", "update", "update", "new", "new", "new", "new"],
            neuron.Parts.Select(p => p.Gate?.Name));
        Assert.Equal("gru.weight_ih_l1_reverse", neuron.Parts[0].Tensor);
        Assert.Equal("[4]", neuron.Parts[8].Index);
        Assert.Equal(Run(16, 4), neuron.Parts[8].ToDoubles());
    }

    [Fact]
    public void An_RNN_has_one_block_and_no_gates()
    {
        using var model = SubLayer(new CheckpointBuilder(), "rnn", "_l0", 1).Model();

        var layer = model.Layer("rnn");
        var neuron = layer.Neuron(1);

        Assert.Equal(("RNN", "[H, in]"), (layer.Kind, layer.Layout));
        Assert.Equal(["[1]", "[1]", "[1]", "[1]"], neuron.Parts.Select(p => p.Index));
        Assert.All(neuron.Parts, p => Assert.Null(p.Gate?.Name));
        Assert.All(neuron.Parts, p => Assert.Null(p.Note));
    }

    [Fact]
    public void An_LSTM_with_proj_size_takes_H_from_weight_hr_and_adds_its_column()
    {
        // Given LSTM(3, 2, proj_size=1): weight_hh_l0 [8, 1] and weight_hr_l0 [1, 2]
        using var model = new CheckpointBuilder()
            .Tensor("lstm.weight_ih_l0", 8, 3).Tensor("lstm.weight_hh_l0", 8, 1)
            .Tensor("lstm.bias_ih_l0", 8).Tensor("lstm.bias_hh_l0", 8).Tensor("lstm.weight_hr_l0", 1, 2).Model();

        var layer = model.Layer("lstm.l0");
        var neuron = layer.Neuron(1);

        Assert.Equal(("LSTM", 2L, "[4H, in], gates i, f, g, o, weight_hr [proj, H]"), (layer.Kind, layer.NeuronCount, layer.Layout));
        Assert.Contains(layer.Evidence, e => e.Contains("proj_size 1"));
        var projection = neuron.Parts[^1];
        Assert.Equal(("lstm.weight_hr_l0", "weight_hr", (string?)null, "[:, 1]"), (projection.Tensor, projection.Role.Name, projection.Gate?.Name, projection.Index));
        Assert.Equal([1.0], projection.ToDoubles());
        Assert.Equal(17, neuron.Parts.Count);
    }

    [Fact]
    public void A_recurrent_layer_without_biases_has_weight_parts_only()
    {
        using var model = new CheckpointBuilder().Tensor("rnn.weight_ih_l0", 6, 3).Tensor("rnn.weight_hh_l0", 6, 2).Model();

        var neuron = model.Neuron("rnn", 0);

        Assert.Equal("GRU", neuron.Layer.Kind);
        Assert.Equal(["weight_ih", "weight_hh", "weight_ih", "weight_hh", "weight_ih", "weight_hh"], neuron.Parts.Select(p => p.Role.Name));
    }

    [Fact]
    public void A_cell_is_one_layer_named_by_its_module()
    {
        using var model = new CheckpointBuilder().Tensor("cell.weight_ih", 8, 3).Tensor("cell.weight_hh", 8, 2)
            .Tensor("cell.bias_ih", 8).Tensor("cell.bias_hh", 8).Model();

        var layer = Assert.Single(model.Layers);

        Assert.Equal(("cell", "LSTMCell", (string?)null, 2L), (layer.Name, layer.Kind, layer.Module, layer.NeuronCount));
        Assert.Equal("cell.weight_ih", model.Neuron("cell", 0).Parts[0].Tensor);
    }

    [Fact]
    public void The_module_class_decides_and_is_the_first_evidence()
    {
        using var model = SubLayer(new CheckpointBuilder(), "rnn", "_l0", 3).Class("rnn", "torch.nn.modules.rnn.GRU").Model();

        var layer = model.Layer("rnn");

        Assert.Equal("GRU", layer.Kind);
        Assert.Equal("module class torch.nn.modules.rnn.GRU", layer.Evidence[0]);
    }

    [Fact]
    public void Asking_for_GRU_on_an_LSTM_explains_the_row_count()
    {
        using var model = SubLayer(new CheckpointBuilder(), "rnn", "_l0", 4).Model();

        var error = Assert.Throws<RequestException>(() => model.Layer("rnn", "GRU"));

        Assert.Equal("layer 'rnn.l0' cannot be read as GRU: rnn.weight_ih_l0 has 8 rows = 4 × H (H = 2), but GRU stacks 3 gates of H rows",
            error.Message);
    }

    [Fact]
    public void A_sub_layer_whose_shapes_do_not_fit_is_left_as_fallback_layers()
    {
        // Given weight_hh_l1 with a row count that differs from weight_ih_l1's
        using var model = SubLayer(new CheckpointBuilder(), "rnn", "_l0", 4)
            .Tensor("rnn.weight_ih_l1", 8, 2).Tensor("rnn.weight_hh_l1", 6, 2).Model();

        Assert.Equal(["rnn.l0", "rnn.weight_ih_l1", "rnn.weight_hh_l1"], model.Layers.Select(l => l.Name));
        Assert.Equal(["LSTM", "Tensor", "Tensor"], model.Layers.Select(l => l.Kind));
    }
}
