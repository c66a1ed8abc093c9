using System.Collections;
using System.Reflection;
using TorchSharp;
using TorchSharp.Modules;
using NeuronKit.TorchSharp.Tests.Modules;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp.Tests;

/// <summary>Reading activations leaves the module as it was, reads either direction of a recurrent layer, and refuses clearly.</summary>
public sealed class ActivationTests
{
    [TorchFact]
    public void No_hook_is_left_on_any_module_after_a_read_or_a_failed_one()
    {
        // Given the seed Sequential and its output before any read
        manual_seed(3);
        var seq = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 2));
        var model = new LiveModel(seq);
        using var x = randn(4, 10);
        using var before = seq.call(x);

        // When a read succeeds, a post read succeeds, and a read fails inside the forward pass
        model.Activations("0", 1, x);
        model.Activations("0", 1, x, post: true);
        using var wrong = randn(4, 7);
        Assert.Throws<RequestException>(() => model.Activations("0", 1, wrong, post: true));
        model.TopActivations("2", 0, [x, x], 1);

        // Then no module holds a hook, and the output is what it was
        Assert.All(seq.modules().Prepend(seq), m => Assert.Equal(0, ForwardHooks(m)));
        using var after = seq.call(x);
        Assert.Equal(Oracle.Values(before), Oracle.Values(after));
    }

    [TorchFact]
    public void The_module_runs_in_eval_mode_and_keeps_its_weights_and_each_module_s_train_flag()
    {
        // Given dropout before the layer, the whole module training but for one child set to eval
        manual_seed(4);
        var seq = nn.Sequential(nn.Dropout(0.9), nn.Linear(6, 3), nn.ReLU(), nn.Linear(3, 2));
        seq.train();
        seq.modules().ElementAt(3).eval();
        var flags = seq.modules().Prepend(seq).Select(m => m.training).ToList();
        var weights = seq.state_dict().ToDictionary(p => p.Key, p => Oracle.Values(p.Value));
        var model = new LiveModel(seq);
        using var x = randn(8, 6);

        // When the same neuron is read twice
        var first = model.Activations("1", 0, x);
        var second = model.Activations("1", 0, x);

        // Then dropout was off (both reads agree), and the flags and weights are as they were
        Assert.Equal(first.Items.SelectMany(i => i.Values), second.Items.SelectMany(i => i.Values));
        Assert.Equal(flags, seq.modules().Prepend(seq).Select(m => m.training));
        Assert.Equal([true, true, true, true, false], flags);
        Assert.All(seq.state_dict(), p => Assert.Equal(weights[p.Key], Oracle.Values(p.Value)));
    }

    [TorchTheory]
    [InlineData("LSTM")]
    [InlineData("GRU")]
    public void Unit_j_of_the_reverse_direction_is_output_feature_H_plus_j_per_time_step(string kind)
    {
        // Given a bidirectional module of hidden size 4 (a size libtorch 2.10's LSTM gets wrong under no_grad), batch
        // first, and its output
        manual_seed(5);
        nn.Module module = kind == "LSTM" ? nn.LSTM(3, 4, bidirectional: true, batchFirst: true) : nn.GRU(3, 4, bidirectional: true, batchFirst: true);
        var model = new LiveModel(module);
        using var x = randn(2, 6, 3);
        using var output = module is LSTM lstm ? lstm.call(x).Item1 : ((GRU)module).call(x).Item1;

        // When unit 1 of each direction is read
        var forward = model.Activations("l0", 1, x);
        var reverse = model.Activations("l0_reverse", 1, x);

        // Then they are features 1 and 4 + 1 of batch item b, over its 6 time steps
        foreach (var b in new[] { 0L, 1L })
        {
            Assert.Equal([6L], reverse.Items[(int)b].Shape);
            Assert.Equal(Oracle.Values(output[b, .., 1]), forward.Items[(int)b].Values);
            Assert.Equal(Oracle.Values(output[b, .., 5]), reverse.Items[(int)b].Values);
        }
    }

    [TorchFact]
    public void Top_k_over_many_inputs_leaves_no_tensor_of_the_enumeration_alive()
    {
        // Given 500 inputs made one by one by a lazy enumeration
        manual_seed(6);
        var model = new LiveModel(LiveActivationFixtures.Seed("conv"));
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        // When the 5 best are asked for
        var top = model.TopActivations("conv1", 4, Inputs(500), 5, ActivationRank.Mean);

        // Then 5 come back, best first, and every tensor made on the way is gone
        Assert.Equal(5, top.Count);
        Assert.True(top.Zip(top.Skip(1)).All(p => p.First.Value >= p.Second.Value));
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);

        static IEnumerable<Tensor> Inputs(int count)
        {
            for (int i = 0; i < count; i++) yield return randn(1, 3, 8, 8);
        }
    }

    [TorchTheory]
    [InlineData("fc9", 0, false, "no layer 'fc9'")]
    [InlineData("0", 5, false, "neuron 5 is out of range for layer '0'")]
    [InlineData("2", 0, true, "layer '2' is the last module of its Sequential")]
    public void A_wrong_layer_index_or_post_is_refused_as_a_request(string layer, long index, bool post, string message)
    {
        var model = new LiveModel(nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 2)));
        using var x = zeros(1, 10);

        var error = Assert.Throws<RequestException>(() => model.Activations(layer, index, x, post));

        Assert.Contains(message, error.Message);
    }

    [TorchFact]
    public void An_input_of_the_wrong_shape_is_refused_with_what_the_layer_takes()
    {
        var model = new LiveModel(LiveActivationFixtures.Seed("conv"));
        using var x = zeros(1, 4, 8, 8);

        var error = Assert.Throws<RequestException>(() => model.Activations("conv1", 0, x));

        Assert.Contains("the input [1, 4, 8, 8] (Float32) does not fit the module", error.Message);
        Assert.Equal(["layer 'conv1' (Conv2d) takes [N, 3, H, W] or [3, H, W]"], error.Hints);
    }

    [TorchFact]
    public void Post_outside_a_Sequential_and_a_layer_run_by_forward_are_refused_saying_why()
    {
        using var x = zeros(1, 3, 8, 8);
        var conv = new LiveModel(LiveActivationFixtures.Seed("conv"));
        var block = new LiveModel(new Block(4));
        using var y = zeros(2, 4);

        var notSequential = Assert.Throws<RequestException>(() => conv.Activations("conv1", 0, x, post: true));
        var neverRan = Assert.Throws<RequestException>(() => block.Activations("proj", 0, y));

        Assert.StartsWith("layer 'conv1' is not in a Sequential (the module is a SeedConv)", notSequential.Message);
        Assert.Equal("module 'proj' did not run when Block ran, so its hook saw nothing", neverRan.Message);
        Assert.Contains("proj.call(x), not .forward(x)", neverRan.Hints.Single());
        Assert.Equal(0, ForwardHooks(block.Module.named_modules().Single(m => m.name == "proj").module));
    }

    [TorchFact]
    public void A_lower_layer_of_a_stacked_LSTM_is_refused_because_hooks_see_only_the_last()
    {
        var model = new LiveModel(nn.LSTM(3, 4, numLayers: 2));
        using var x = zeros(5, 1, 3);

        var error = Assert.Throws<RequestException>(() => model.Activations("l0", 0, x));

        Assert.Contains("gives hooks only its last layer's output (l1)", error.Message);
    }

    // The forward hooks a TorchSharp module holds (HookableModule keeps them in a protected dictionary).
    private static int ForwardHooks(nn.Module module)
    {
        for (var type = module.GetType(); type is not null; type = type.BaseType)
            if (type.GetField("post_hooks", BindingFlags.NonPublic | BindingFlags.Instance) is { } field)
                return ((ICollection)field.GetValue(module)!).Count;
        return 0;
    }
}
