using static NeuronKit.Tests.Layers.CheckpointBuilder;

namespace NeuronKit.Tests.Layers.Kinds;

public class OnnxRecurrentTests
{
    // A bidirectional ONNX LSTM, H = 2, in = 3, with peepholes: W [2, 8, 3], R [2, 8, 2], B [2, 16], P [2, 6].
    private static Model BidirectionalLstm() => new CheckpointBuilder()
        .Tensor("W", 2, 8, 3).Tensor("R", 2, 8, 2).Tensor("B", 2, 16).Tensor("P", 2, 6)
        .Node("LSTM", "lstm", ["x", "W", "R", "B", "", "", "", "P"], ["y", "y_h", "y_c"],
            ints: new() { ["hidden_size"] = 2 }, strings: new() { ["direction"] = "bidirectional" })
        .Model();

    [Fact]
    public void A_bidirectional_LSTM_node_is_one_layer_per_direction_and_its_bare_name_lists_them()
    {
        using var model = BidirectionalLstm();

        Assert.Equal(["lstm.forward", "lstm.reverse"], model.Layers.Select(l => l.Name));
        Assert.All(model.Layers, l => Assert.Equal(("LSTM", 2L, "lstm"), (l.Kind, l.NeuronCount, l.Module)));
        var error = Assert.Throws<RequestException>(() => model.Layer("lstm"));
        Assert.Equal("'lstm' has 2 sub-layers: lstm.forward, lstm.reverse", error.Message);
    }

    [Fact]
    public void Unit_j_of_the_reverse_direction_is_row_g_H_plus_j_of_slice_1_for_each_gate_in_ONNX_order()
    {
        using var model = BidirectionalLstm();

        var neuron = model.Neuron("lstm.reverse", 1);

        // Gates i, o, f, c; each W, R, Wb, Rb, and P for the first three
        Assert.Equal(19, neuron.Parts.Count);
        Assert.Equal(
            ["W [1, 1] input", "R [1, 1] input", "Wb [1, 1] input", "Rb [1, 9] input", "P [1, 1] input",
             "W [1, 3] output", "R [1, 3] output", "Wb [1, 3] output", "Rb [1, 11] output", "P [1, 3] output",
             "W [1, 5] forget", "R [1, 5] forget", "Wb [1, 5] forget", "Rb [1, 13] forget", "P [1, 5] forget",
             "W [1, 7] cell", "R [1, 7] cell", "Wb [1, 7] cell", "Rb [1, 15] cell"],
            neuron.Parts.Select(p => $"{p.Role.Name} {p.Index} {p.Gate?.Name}"));
        Assert.Equal(Run(27, 3), neuron.Parts[0].ToDoubles());         // W[1, 1]: element (8 + 1) · 3
        Assert.Equal(Run(18, 2), neuron.Parts[1].ToDoubles());         // R[1, 1]: element (8 + 1) · 2
        Assert.Equal([17.0], neuron.Parts[2].ToDoubles());             // B[1, 1]
        Assert.Equal([25.0], neuron.Parts[3].ToDoubles());             // B[1, 8 + 1]: Rb
        Assert.Equal([7.0], neuron.Parts[4].ToDoubles());              // P[1, 1]
        Assert.Contains("entry 8 + 1 = 9 is Rb", neuron.Parts[3].Note);
    }

    [Fact]
    public void A_rank_2_GRU_from_an_old_exporter_is_read_without_the_direction_axis()
    {
        // Given W [6, 3], R [6, 2], B [12]: one direction, no D axis (exporters before 2018)
        using var model = new CheckpointBuilder().Tensor("W", 6, 3).Tensor("R", 6, 2).Tensor("B", 12)
            .Node("GRU", "", ["x", "W", "R", "B"], ["gru_out"], ints: new() { ["linear_before_reset"] = 1 })
            .Model();

        var layer = model.Layer("gru_out");
        var neuron = layer.Neuron(0);

        Assert.Equal(("GRU", 2L), (layer.Kind, layer.NeuronCount));
        Assert.Contains(layer.Evidence, e => e.StartsWith("linear_before_reset = 1"));
        Assert.Equal(["W [0] update", "R [0] update", "Wb [0] update", "Rb [6] update", "W [2] reset", "R [2] reset",
                      "Wb [2] reset", "Rb [8] reset", "W [4] hidden", "R [4] hidden", "Wb [4] hidden", "Rb [10] hidden"],
            neuron.Parts.Select(p => $"{p.Role.Name} {p.Index} {p.Gate?.Name}"));
    }

    [Fact]
    public void An_RNN_node_whose_shapes_do_not_fit_leaves_its_tensors_to_names_and_shapes()
    {
        // Given R with 3 columns but hidden_size 2
        using var model = new CheckpointBuilder().Tensor("W", 1, 2, 3).Tensor("R", 1, 2, 3)
            .Node("RNN", "rnn", ["x", "W", "R"], ["y"], ints: new() { ["hidden_size"] = 2 })
            .Model();

        Assert.Equal(["W", "R"], model.Layers.Select(l => l.Name));
        Assert.All(model.Layers, l => Assert.Equal("Tensor", l.Kind));
    }

    [Fact]
    public void An_LSTM_without_B_has_weights_only()
    {
        using var model = new CheckpointBuilder().Tensor("W", 1, 4, 3).Tensor("R", 1, 4, 1)
            .Node("LSTM", "lstm", ["x", "W", "R"], ["y"])
            .Model();

        var neuron = model.Neuron("lstm", 0);

        Assert.Equal(["W", "R", "W", "R", "W", "R", "W", "R"], neuron.Parts.Select(p => p.Role.Name));
    }
}
