using NeuronKit.Neurons;
using NeuronKit.Tests.Layers;

namespace NeuronKit.Tests.Graph;

/// <summary>
/// Consumers from a Sequential's numbered children, decided by shapes alone (the tensors hold their element indices, so a
/// slice's values say which elements it took); forward-pass checks of the same rules live with the graph fixtures.
/// </summary>
public class SequentialSiblingsTests
{
    [Fact]
    public void A_Linear_feeds_the_next_numbered_Linear_whose_column_j_multiplies_neuron_j()
    {
        using var model = new CheckpointBuilder().Tensor("0.weight", 5, 6).Tensor("0.bias", 5).Tensor("2.weight", 4, 5).Tensor("2.bias", 4).Model();

        var edge = Assert.Single(model.Graph.ConsumersOf(model.Layer("0")));
        var neuron = model.Graph.WithOutgoing(model.Neuron("0", 3));

        Assert.Equal(("2", 0L, 1L, 1L, true), (edge.Consumer.Name, edge.Map.Offset, edge.Map.Spread, edge.Groups, edge.Assumed));
        var outgoing = Assert.Single(neuron.Parts, p => p.Direction == PartDirection.Out);
        Assert.Equal(("2.weight", "[:, 3]", "2"), (outgoing.Tensor, outgoing.Index, outgoing.Consumer));
        Assert.Equal([3.0, 8, 13, 18], outgoing.ToDoubles());
        Assert.All(neuron.Parts.Take(2), p => Assert.Equal((PartDirection.In, (string?)null), (p.Direction, p.Consumer)));
    }

    [Fact]
    public void A_BatchNorm_between_two_convolutions_is_passed_through_channel_for_channel()
    {
        using var model = new CheckpointBuilder()
            .Tensor("features.0.weight", 4, 3, 3, 3).Tensor("features.0.bias", 4)
            .Tensor("features.1.weight", 4).Tensor("features.1.bias", 4).Tensor("features.1.running_mean", 4).Tensor("features.1.running_var", 4)
            .Tensor("features.3.weight", 6, 4, 3, 3).Model();

        var neuron = model.Graph.WithOutgoing(model.Neuron("features.0", 2));

        Assert.Equal([("features.1.weight", "[2]", PartDirection.Through), ("features.1.bias", "[2]", PartDirection.Through),
                ("features.1.running_mean", "[2]", PartDirection.Through), ("features.1.running_var", "[2]", PartDirection.Through),
                ("features.3.weight", "[:, 2]", PartDirection.Out)],
            neuron.Parts.Skip(2).Select(p => (p.Tensor, p.Index, p.Direction)));
        Assert.All(neuron.Parts.Skip(2), p => Assert.Equal("features.3", p.Consumer));
    }

    [Fact]
    public void A_grouped_and_a_depthwise_consumer_read_channel_j_in_its_group_only()
    {
        using var model = new CheckpointBuilder()
            .Tensor("0.weight", 8, 4, 1, 1).Tensor("2.weight", 8, 4, 3, 3).Tensor("4.weight", 8, 1, 3, 3).Model();

        var grouped = model.Graph.WithOutgoing(model.Neuron("0", 5)).Parts.Last();
        var depthwise = model.Graph.WithOutgoing(model.Neuron("2", 5)).Parts.Last();

        Assert.Equal(2, model.Graph.ConsumersOf(model.Layer("0"))[0].Groups);
        Assert.Equal(("2.weight", "[4:8, 1]"), (grouped.Tensor, grouped.Index));
        Assert.Equal(("4.weight", "[5:6, 0]"), (depthwise.Tensor, depthwise.Index));
        Assert.EndsWith("groups = 8 (depthwise)", model.Graph.ConsumersOf(model.Layer("2"))[0].Evidence[^1]);
    }

    [Fact]
    public void A_Linear_after_a_flatten_reads_a_block_of_positions_per_channel()
    {
        using var model = new CheckpointBuilder().Tensor("0.weight", 4, 3, 3, 3).Tensor("3.weight", 2, 16).Model();

        var outgoing = model.Graph.WithOutgoing(model.Neuron("0", 1)).Parts.Last();

        Assert.Equal(("3.weight", "[:, 4:8]"), (outgoing.Tensor, outgoing.Index));
        Assert.Equal([4.0, 5, 6, 7, 20, 21, 22, 23], outgoing.ToDoubles());
    }

    [Fact]
    public void A_Linear_is_not_taken_to_feed_a_wider_Linear_through_a_flatten_because_it_keeps_its_units_last()
    {
        // Linear(5, 3) over a sequence [4, 5] makes [4, 3]; a flatten makes unit j inputs j, j + 3, j + 6, j + 9 of
        // Linear(12, 2), not the block 4j .. 4j + 3 a convolution's flatten would give.
        using var model = new CheckpointBuilder().Tensor("0.weight", 3, 5).Tensor("2.weight", 2, 12).Model();

        var refused = Assert.Throws<RequestException>(() => model.Graph.WithOutgoing(model.Neuron("0", 1)));
        var named = Assert.Throws<RequestException>(() => model.Edge(model.Layer("0"), "2"));

        Assert.Equal("layer '0' has no known consumer: the next numbered layer, 2 (Linear), does not read 3 channels", refused.Message);
        Assert.Equal("layer '2' reads 12 inputs, which do not fit the 3 neurons of '0' as one slice each: a flatten of a channels-last " +
            "output interleaves them (channel j is inputs j, j + 3, …)", named.Message);
    }

    [Fact]
    public void A_Linear_is_not_taken_to_feed_a_narrower_convolution_as_groups_because_a_reshape_must_spread_its_units()
    {
        // Linear(5, 16) → nn.Unflatten(1, (4, 2, 2)) → Conv2d(4, 8, 1): unit j is input channel j // 4 at position j % 4,
        // which the filters of every group read; 16 units as 4 groups of the conv's 4 inputs would give unit j filters
        // 2·(j // 4) .. 2·(j // 4) + 1 only.
        using var model = new CheckpointBuilder().Tensor("0.weight", 16, 5).Tensor("3.weight", 8, 4, 1, 1).Model();

        var refused = Assert.Throws<RequestException>(() => model.Graph.WithOutgoing(model.Neuron("0", 5)));
        var named = Assert.Throws<RequestException>(() => model.Edge(model.Layer("0"), "3"));

        Assert.Equal("layer '0' has no known consumer: the next numbered layer, 3 (Conv2d), does not read 16 channels", refused.Message);
        Assert.Equal("layer '3' reads 4 inputs, which do not fit the 16 neurons of '0'", named.Message);
    }

    [Fact]
    public void The_last_layer_and_a_misfit_have_no_consumer_and_the_error_says_why_and_what_to_do()
    {
        using var model = new CheckpointBuilder().Tensor("0.weight", 5, 6).Tensor("1.weight", 4, 7).Model();

        var last = Assert.Throws<RequestException>(() => model.Graph.WithOutgoing(model.Neuron("1", 0)));
        var misfit = Assert.Throws<RequestException>(() => model.Graph.WithOutgoing(model.Neuron("0", 0)));

        Assert.Equal("layer '1' has no known consumer: it is the last numbered layer of the saved module", last.Message);
        Assert.Equal(["name it with --consumer LAYER"], last.Hints);
        Assert.Equal("layer '0' has no known consumer: the next numbered layer, 1 (Linear), does not read 5 channels", misfit.Message);
    }

    [Fact]
    public void A_consumer_named_by_the_user_must_fit_the_shapes()
    {
        using var model = new CheckpointBuilder().Tensor("a.weight", 5, 6).Tensor("b.weight", 4, 5).Tensor("c.weight", 4, 7).Model();

        var edge = model.Edge(model.Layer("a"), "b");
        var refused = Assert.Throws<RequestException>(() => model.Edge(model.Layer("a"), "c"));

        Assert.Equal(("b", false, "--consumer b (asked for)"), (edge.Consumer.Name, edge.Assumed, edge.Evidence[0]));
        Assert.Empty(model.Graph.ConsumersOf(model.Layer("a")));
        Assert.Equal("layer 'c' reads 7 inputs, which do not fit the 5 neurons of 'a'", refused.Message);
    }

    [Fact]
    public void A_pickled_Sequential_settles_the_order_so_the_edge_is_not_assumed()
    {
        using var model = new CheckpointBuilder().Tensor("net.0.weight", 5, 6).Tensor("net.1.weight", 4, 5)
            .Class("net", "torch.nn.modules.container.Sequential").Model();

        var edge = Assert.Single(model.Graph.ConsumersOf(model.Layer("net.0")));

        Assert.False(edge.Assumed);
        Assert.StartsWith("module class torch.nn.modules.container.Sequential: its children run in order", edge.Evidence[0]);
    }

    [Fact]
    public void Stats_flag_a_neuron_whose_outgoing_weights_are_all_zero_as_unused_and_leave_layers_without_consumers_unmeasured()
    {
        // Given a Linear whose consumer's column 0 is all zero (the consumer's weights are its element indices: column 0 of a
        // [1, 5] weight is the single element 0)
        using var model = new CheckpointBuilder().Tensor("0.weight", 5, 6).Tensor("2.weight", 1, 5).Model();

        var stats = NeuronKit.Stats.ModelStats.Compute(model, new NeuronKit.Stats.StatsOptions { Outgoing = true });
        var without = NeuronKit.Stats.ModelStats.Compute(model);

        Assert.All(without.Layers[0].Neurons, n => Assert.Equal((null, false), (n.OutgoingL2, n.Unused)));
        var first = stats.Layers[0];
        Assert.Equal([true, false, false, false, false], first.Neurons.Select(n => n.Unused));
        Assert.Equal([0.0, 1, 2, 3, 4], first.Neurons.Select(n => n.OutgoingL2!.Value));
        Assert.Equal(1, first.UnusedCount);
        Assert.All(stats.Layers[1].Neurons, n => Assert.Null(n.OutgoingL2));
    }
}
