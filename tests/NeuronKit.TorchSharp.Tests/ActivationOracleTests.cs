using System.Text.Json;
using static NeuronKit.TorchSharp.Tests.LiveActivationFixtures;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp.Tests;

/// <summary>Activations of the seed modules, checked against PyTorch's own forward hooks (tests/fixtures/make_live_activations.py).</summary>
public sealed class ActivationOracleTests
{
    public static TheoryData<int> Cases => [.. Enumerable.Range(0, Answers.GetProperty("cases").GetArrayLength())];

    public static TheoryData<int> Tops => [.. Enumerable.Range(0, Answers.GetProperty("top").GetArrayLength())];

    [TorchTheory]
    [MemberData(nameof(Cases))]
    public void A_neuron_s_activations_on_an_input_are_those_PyTorch_s_forward_hook_sees(int number)
    {
        // Given a seed module with the sample's weights and the input PyTorch ran
        var expected = Answers.GetProperty("cases")[number];
        var model = new LiveModel(Seed(expected.GetProperty("model").GetString()!));
        using var input = Input(expected.GetProperty("input").GetString()!);

        // When neuron j of the layer is read through a hook (after the ReLU for post)
        var got = model.Activations(expected.GetProperty("layer").GetString()!, expected.GetProperty("neuron").GetInt64(), input,
            post: expected.GetProperty("post").GetBoolean());

        // Then each batch item has PyTorch's shape, values, mean and max
        string what = $"case {number}: {expected.GetProperty("layer")}[{expected.GetProperty("neuron")}] on {expected.GetProperty("input")}";
        var items = expected.GetProperty("activations").EnumerateArray().ToList();
        Assert.Equal(items.Count, got.Items.Count);
        foreach (var (want, item) in items.Zip(got.Items))
        {
            Assert.Equal(want.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()), item.Shape);
            var values = Flatten(want.GetProperty("values")).ToList();
            Assert.Equal(values.Count, item.Values.Length);
            foreach (var (v, a) in values.Zip(item.Values)) Near(v, a, $"{what}, item {item.Item}");
            Near(want.GetProperty("mean").GetDouble(), item.Mean, $"{what}, mean of item {item.Item}");
            Near(want.GetProperty("max").GetDouble(), item.Max, $"{what}, max of item {item.Item}");
        }
    }

    [TorchTheory]
    [MemberData(nameof(Tops))]
    public void The_top_k_inputs_of_a_stream_are_PyTorch_s_in_its_order(int number)
    {
        // Given a stack of inputs, fed one row at a time by a lazy enumeration
        var expected = Answers.GetProperty("top")[number];
        var model = new LiveModel(Seed(expected.GetProperty("model").GetString()!));
        using var stack = Input(expected.GetProperty("inputs").GetString()!);

        // When the k best are asked for, by max or mean
        var top = model.TopActivations(expected.GetProperty("layer").GetString()!, expected.GetProperty("neuron").GetInt64(), Rows(stack),
            expected.GetProperty("k").GetInt32(), expected.GetProperty("by").GetString() == "mean" ? ActivationRank.Mean : ActivationRank.Max,
            post: expected.GetProperty("post").GetBoolean());

        // Then they are PyTorch's inputs, in its order, with its values
        var want = expected.GetProperty("top").EnumerateArray().ToList();
        Assert.Equal(want.Select(w => w.GetProperty("input").GetInt32()), top.Select(t => t.Input));
        foreach (var (w, t) in want.Zip(top)) Near(w.GetProperty("value").GetDouble(), t.Value, $"top {number}, input {t.Input}");
        Assert.All(top, t => Assert.Equal(0, t.Activation.Item));
    }

    // Each row as an input of batch 1, made only when asked for.
    private static IEnumerable<Tensor> Rows(Tensor stack)
    {
        for (long i = 0; i < stack.shape[0]; i++) yield return stack[i].unsqueeze(0);
    }
}
