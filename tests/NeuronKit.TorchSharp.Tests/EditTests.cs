using NeuronKit.Edits;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp.Tests;

/// <summary>Edits of a live module change the module's own tensors, as neuron edit changes a file.</summary>
public sealed class EditTests
{
    [TorchFact]
    public void Zeroing_a_neuron_with_its_outgoing_weights_ablates_it_in_the_module()
    {
        // Given a live MLP and its output with hidden unit 1 silenced by hand, layer by layer
        manual_seed(3);
        var first = nn.Linear(6, 5);
        var last = nn.Linear(5, 4);
        var model = nn.Sequential(first, nn.ReLU(), last);
        using var x = randn(8, 6);
        Tensor expected;
        using (no_grad())
        {
            using var hidden = nn.functional.relu(first.forward(x));
            hidden[TensorIndex.Colon, 1] = tensor(0f);
            expected = last.forward(hidden);
        }
        var live = new LiveModel(model);

        // When neuron 1 of the first Linear is zeroed with its outgoing weights
        using var neuron = live.WithOutgoing(live.Neuron("0", 1));
        var changes = live.Edit(neuron, new EditAction.Zero(), outgoing: true);

        // Then its row, its bias and the next layer's column are zero in the module, and the module computes the ablated output
        Assert.Equal(["0.weight[1]", "0.bias[1]", "2.weight[:, 1]"], changes.Select(c => c.Part.ToString()));
        Assert.All(changes, c => Assert.All(c.After, v => Assert.Equal(0, v)));
        Assert.Contains(changes, c => c.Before.Any(v => v != 0));
        using var actual = model.forward(x);
        Assert.True(actual.allclose(expected, atol: 1e-6), "the edited module computes the ablated output");
        expected.Dispose();
    }

    [TorchFact]
    public void Scaling_one_gate_of_an_LSTM_unit_changes_only_that_block_of_the_module_s_tensor()
    {
        manual_seed(4);
        var lstm = nn.LSTM(3, 4);
        var live = new LiveModel(lstm);
        using var before = lstm.get_parameter("weight_hh_l0")!.detach().clone();

        using var neuron = live.Neuron("l0", 2);
        var change = Assert.Single(live.Edit(neuron, new EditAction.Scale(2), part: "weight_hh:forget"));

        // The forget gate is rows 4..7 of weight_hh_l0; unit 2's row is 6.
        using var after = lstm.get_parameter("weight_hh_l0")!.detach();
        Assert.Equal("weight_hh_l0[6]", change.Part.ToString());
        Assert.Equal(before[6].mul(2).data<float>().ToArray(), after[6].data<float>().ToArray());
        using var rest = after.index_select(0, tensor(new long[] { 0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15 }));
        using var restBefore = before.index_select(0, tensor(new long[] { 0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15 }));
        Assert.Equal(restBefore.data<float>().ToArray(), rest.data<float>().ToArray());
    }

    [TorchFact]
    public void A_dat_file_edited_by_neuron_edit_loads_in_TorchSharp_with_the_edit()
    {
        // Given a module saved by TorchSharp
        manual_seed(5);
        var saved = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 4));
        using var file = TempFile.Saved(saved);
        string output = file.Path + ".edited.dat";
        try
        {
            // When neuron 2 of the first Linear is halved with its outgoing column, to a new file
            using (var model = Model.Open(file.Path))
            {
                var neuron = model.Graph.WithOutgoing(model.Neuron("0", 2));
                ModelEdit.Plan(model, [(neuron, ModelEdit.Select(neuron, part: null, outgoing: true))], new EditAction.Scale(0.5)).WriteTo(output);
            }

            // Then TorchSharp's own load reads it, with exactly those values halved and every other one as it was
            var loaded = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 4));
            loaded.load(output);
            var before = saved.state_dict();
            var after = loaded.state_dict();
            using var expectedFirst = before["0.weight"].clone();
            using var expectedBias = before["0.bias"].clone();
            using var expectedLast = before["2.weight"].clone();
            using (no_grad())
            {
                expectedFirst[2] = expectedFirst[2] * 0.5f;
                expectedBias[2] = expectedBias[2] * 0.5f;
                expectedLast[TensorIndex.Colon, 2] = expectedLast[TensorIndex.Colon, 2] * 0.5f;
            }
            Assert.Equal(expectedFirst.data<float>().ToArray(), after["0.weight"].data<float>().ToArray());
            Assert.Equal(expectedBias.data<float>().ToArray(), after["0.bias"].data<float>().ToArray());
            Assert.Equal(expectedLast.data<float>().ToArray(), after["2.weight"].data<float>().ToArray());
            Assert.Equal(before["2.bias"].data<float>().ToArray(), after["2.bias"].data<float>().ToArray());
        }
        finally
        {
            File.Delete(output);
        }
    }

    [TorchFact]
    public void Pruning_a_live_Sequential_gives_a_smaller_one_that_computes_the_ablated_output()
    {
        // Given a Sequential with a BatchNorm between two Linears, and its output with hidden units 1 and 3 silenced by hand
        manual_seed(6);
        var model = nn.Sequential(nn.Linear(6, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 4));
        using (no_grad())
        {
            var norm = model.state_dict();
            norm["1.running_mean"].uniform_(-0.5, 0.5);
            norm["1.running_var"].uniform_(0.5, 1.5);
        }
        model.eval();
        using var x = randn(7, 6);
        Tensor expected;
        using (no_grad())
        {
            var layers = model.children().Cast<nn.Module<Tensor, Tensor>>().ToList();
            using var hidden = layers[2].forward(layers[1].forward(layers[0].forward(x)));
            hidden[TensorIndex.Colon, 1] = tensor(0f);
            hidden[TensorIndex.Colon, 3] = tensor(0f);
            expected = layers[3].forward(hidden);
        }

        // When units 1 and 3 of the first Linear are pruned from the live module
        var smaller = (nn.Module<Tensor, Tensor>)new LiveModel(model).Prune([("0", [1, 3])]);
        smaller.eval();

        // Then the new module has 3 hidden units where BatchNorm and the last Linear read them, and computes the ablated output
        var sizes = smaller.state_dict().ToDictionary(t => t.Key, t => t.Value.shape);
        Assert.Equal([3L, 6], sizes["0.weight"]);
        Assert.Equal([3L], sizes["1.running_var"]);
        Assert.Equal([4L, 3], sizes["3.weight"]);
        using var actual = smaller.forward(x);
        Assert.True(actual.allclose(expected, atol: 1e-5), "the pruned module computes the ablated output");
        expected.Dispose();
    }

    [TorchFact]
    public void Pruning_a_float64_Sequential_keeps_its_BatchNorm_float64_and_computes_the_ablated_output()
    {
        // Given a float64 Sequential with a BatchNorm between two Linears, in eval mode
        manual_seed(8);
        var model = nn.Sequential(nn.Linear(6, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 4)).to(ScalarType.Float64);
        using (no_grad())
        {
            var norm = model.state_dict();
            norm["1.running_mean"].uniform_(-0.5, 0.5);
            norm["1.running_var"].uniform_(0.5, 1.5);
        }
        model.eval();
        using var x = randn(7, 6, dtype: ScalarType.Float64);

        // When unit 2 of the first Linear is pruned, and the same unit is ablated in the original by its outgoing column
        var smaller = (nn.Module<Tensor, Tensor>)new LiveModel(model).Prune([("0", [2])]);
        smaller.eval();
        using var actual = smaller.forward(x);
        using (no_grad()) model.state_dict()["3.weight"][TensorIndex.Colon, 2] = tensor(0.0);
        using var expected = ((nn.Module<Tensor, Tensor>)model).forward(x);

        // Then every tensor of the smaller module, the BatchNorm's too, is float64, and it computes the ablated output
        Assert.All(smaller.state_dict().Where(t => t.Value.is_floating_point()), t => Assert.Equal(ScalarType.Float64, t.Value.dtype));
        Assert.True(actual.allclose(expected, rtol: 1e-12, atol: 1e-12), "the pruned float64 module computes the ablated output");
    }

    [TorchFact]
    public void A_rebuilt_Sequential_is_in_the_train_or_eval_mode_of_the_original_module_by_module()
    {
        // Given a Sequential in eval mode but for one Dropout left training, with a BatchNorm
        manual_seed(9);
        var model = nn.Sequential(nn.Linear(6, 5), nn.BatchNorm1d(5), nn.Dropout(0.5), nn.Dropout(0.5), nn.Linear(5, 2));
        model.eval();
        model.named_modules().Single(m => m.name == "3").module.train();
        var flags = model.named_modules().Select(m => (m.name, m.module.training)).Prepend(("", model.training)).ToList();

        // When unit 1 of the first Linear is pruned by NeuronKit's own rebuild
        var smaller = new LiveModel(model).Prune([("0", [1])]);

        // Then each module of the smaller one has its original's flag, and the original's flags are as they were
        Assert.Equal(flags, smaller.named_modules().Select(m => (m.name, m.module.training)).Prepend(("", smaller.training)));
        Assert.Equal(flags, model.named_modules().Select(m => (m.name, m.module.training)).Prepend(("", model.training)));
        Assert.Contains(flags, f => f.training);
        Assert.Contains(flags, f => !f.training);
    }

    [TorchFact]
    public void A_module_of_one_s_own_class_is_pruned_into_the_smaller_one_the_caller_builds()
    {
        manual_seed(7);
        var model = new Modules.Named(("rnn", nn.LSTM(3, 5)), ("fc", nn.Linear(5, 2)));
        var live = new LiveModel(model);

        var refused = Assert.Throws<RequestException>(() => live.Prune([("rnn.l0", [2])], consumers: "fc"));
        var smaller = live.Prune([("rnn.l0", [2])], () => new Modules.Named(("rnn", nn.LSTM(3, 4)), ("fc", nn.Linear(4, 2))), "fc");

        Assert.Contains("cannot be rebuilt smaller by NeuronKit", refused.Message);
        var before = model.state_dict();
        var after = smaller.state_dict();
        long[] kept = [0, 1, 3, 4, 5, 6, 8, 9, 10, 11, 13, 14, 15, 16, 18, 19];   // every gate's rows but unit 2's
        using var rows = tensor(kept);
        using var columns = tensor(new long[] { 0, 1, 3, 4 });
        using var weightHh = before["rnn.weight_hh_l0"].index_select(0, rows).index_select(1, columns);
        using var fc = before["fc.weight"].index_select(1, columns);
        Assert.Equal(weightHh.data<float>().ToArray(), after["rnn.weight_hh_l0"].data<float>().ToArray());
        Assert.Equal(fc.data<float>().ToArray(), after["fc.weight"].data<float>().ToArray());
    }
}
