using NeuronKit.Neurons;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp.Tests;

/// <summary>Outgoing weights of a live module: a Sequential's children run in order, and the out parts are views of the consumer's own weights.</summary>
public sealed class OutgoingTests
{
    [TorchFact]
    public void A_live_Sequential_gives_the_next_Linear_s_column_through_its_BatchNorm_as_a_view_of_the_module_s_weight()
    {
        // Given a live Sequential: Linear, BatchNorm1d, ReLU, Linear
        var model = nn.Sequential(nn.Linear(6, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 4));
        var live = new LiveModel(model);

        // When neuron 3 of the first Linear is asked for with its outgoing weights
        using var neuron = live.WithOutgoing(live.Neuron("0", 3));

        // Then the BatchNorm's channel 3 is on the way and column 3 of the last Linear is out, read from the module itself,
        // and the order is the module's, not assumed
        var edge = Assert.Single(live.Graph.ConsumersOf(live.Layer("0")));
        Assert.False(edge.Assumed);
        Assert.Equal(["1.weight[3]", "1.bias[3]", "1.running_mean[3]", "1.running_var[3]"],
            neuron.Parts.Where(p => p.Direction == PartDirection.Through).Select(p => p.ToString()));
        var outgoing = Assert.Single(neuron.Parts, p => p.Direction == PartDirection.Out);
        Assert.Equal(("3.weight", "[:, 3]", "3"), (outgoing.Name, outgoing.Index, outgoing.Consumer));
        var weight = ((nn.Module<Tensor, Tensor>)model.children().Last()).parameters().First();
        Assert.Equal(weight[TensorIndex.Colon, 3].to_type(ScalarType.Float64).data<double>().ToArray(), outgoing.ToDoubles());
        Assert.Equal(weight[TensorIndex.Colon, 3].data<float>().ToArray(), outgoing.Tensor.data<float>().ToArray());
    }

    [TorchFact]
    public void A_Sequential_of_named_children_runs_them_in_its_order_so_outgoing_parts_and_prunes_follow_it()
    {
        // Given a Sequential whose children are named, not numbered, and its output with unit 2 of fc1 silenced by hand
        manual_seed(11);
        var fc1 = nn.Linear(6, 5);
        var fc2 = nn.Linear(5, 4);
        var model = nn.Sequential(("fc1", fc1), ("norm", nn.BatchNorm1d(5)), ("act", nn.ReLU()), ("fc2", fc2));
        model.eval();
        using var x = randn(7, 6);
        Tensor expected;
        using (no_grad())
        {
            var children = model.children().Cast<nn.Module<Tensor, Tensor>>().ToList();
            using var hidden = children[2].call(children[1].call(fc1.call(x)));
            hidden[TensorIndex.Colon, 2] = tensor(0f);
            expected = fc2.call(hidden);
        }
        var live = new LiveModel(model);

        // When neuron 2 of fc1 is asked for with its outgoing parts, and pruned
        using var neuron = live.WithOutgoing(live.Neuron("fc1", 2));
        var smaller = (nn.Module<Tensor, Tensor>)live.Prune([("fc1", [2])]);

        // Then the norm's channel 2 is on the way and fc2's column 2 reads it, by the module's own order, and the smaller
        // module computes the ablated output
        Assert.False(Assert.Single(live.Graph.ConsumersOf(live.Layer("fc1"))).Assumed);
        Assert.Equal(["fc1.weight[2]", "fc1.bias[2]", "norm.weight[2]", "norm.bias[2]", "norm.running_mean[2]", "norm.running_var[2]",
            "fc2.weight[:, 2]"], neuron.Parts.Select(p => p.ToString()));
        Assert.Equal([4L, 4], smaller.state_dict()["fc2.weight"].shape);
        using var actual = smaller.call(x);
        Assert.True(actual.allclose(expected, atol: 1e-5), "the pruned module computes the ablated output");
        expected.Dispose();
    }

    [TorchFact]
    public void A_norm_in_a_Sequential_nested_between_two_Linears_is_on_the_way_and_a_Linear_there_ends_the_path()
    {
        // Given a Linear whose output reaches the next Linear through a BatchNorm nested in a Sequential of its own, in eval mode
        manual_seed(12);
        var model = nn.Sequential(nn.Linear(6, 5), nn.Sequential(nn.BatchNorm1d(5), nn.ReLU()), nn.Linear(5, 4));
        using (no_grad())
        {
            var norm = model.state_dict();
            norm["1.0.running_mean"].uniform_(-0.5, 0.5);
            norm["1.0.running_var"].uniform_(0.5, 1.5);
        }
        model.eval();
        using var x = randn(7, 6);
        var live = new LiveModel(model);

        // When unit 1 of the first Linear is asked for with its outgoing parts, and pruned
        using var neuron = live.WithOutgoing(live.Neuron("0", 1));
        var smaller = (nn.Module<Tensor, Tensor>)live.Prune([("0", [1])]);

        // Then the nested BatchNorm's channel 1 is on the way (and cut), and the smaller module computes the original's
        // output with unit 1 ablated by its outgoing column
        Assert.Equal(["0.weight[1]", "0.bias[1]", "1.0.weight[1]", "1.0.bias[1]", "1.0.running_mean[1]", "1.0.running_var[1]", "2.weight[:, 1]"],
            neuron.Parts.Select(p => p.ToString()));
        Assert.Equal([4L], smaller.state_dict()["1.0.running_var"].shape);
        using var actual = smaller.call(x);
        using (no_grad()) model.state_dict()["2.weight"][TensorIndex.Colon, 1] = tensor(0f);
        using var expected = ((nn.Module<Tensor, Tensor>)model).call(x);
        Assert.True(actual.allclose(expected, atol: 1e-5), "the pruned module computes the ablated output");

        // And a Linear nested there reads the output first, which NeuronKit does not follow: no consumer, rather than the wrong one
        var deeper = new LiveModel(nn.Sequential(nn.Linear(6, 5), nn.Sequential(nn.Linear(5, 5), nn.ReLU()), nn.Linear(5, 4)));
        var refused = Assert.Throws<RequestException>(() => deeper.WithOutgoing(deeper.Neuron("0", 1)));
        Assert.Contains("1.0 (Linear), in a module nested between 0 and 2, reads it first", refused.Message);
    }

    [TorchFact]
    public void The_last_layer_of_a_live_module_has_no_known_consumer_unless_one_is_named()
    {
        var live = new LiveModel(nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 4)));

        var refused = Assert.Throws<RequestException>(() => live.WithOutgoing(live.Neuron("2", 0)));
        using var named = live.WithOutgoing(live.Neuron("0", 1), "2");

        Assert.Contains("no known consumer", refused.Message);
        Assert.Equal("2.weight[:, 1]", Assert.Single(named.Parts, p => p.Direction == PartDirection.Out).ToString());
    }
}
