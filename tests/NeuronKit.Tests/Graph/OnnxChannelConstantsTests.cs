using System.Text.Json;
using NeuronKit.Neurons;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;
using Onnx;
using static NeuronKit.Tests.Formats.Onnx.OnnxModelBuilder;

namespace NeuronKit.Tests.Graph;

/// <summary>
/// An operation on the way from one ONNX layer to the next whose constant holds an entry per channel (a PRelu's slope, a
/// Mul's layer scale) scales channel j by entry j: that entry is one of the neuron's through parts, and a prune cuts it
/// with the channel. graph/prelu.onnx and graph/layer_scale.onnx are torch.onnx.export's (make_channel_constants.py); the
/// pruned models run in ONNX Runtime in PruneOnnxTests.
/// </summary>
public class OnnxChannelConstantsTests
{
    public static TheoryData<string, string> Exported() => new()
    {
        { "prelu.onnx", "/0/Conv" },
        { "layer_scale.onnx", "/fc1/Gemm" },
    };

    [Theory]
    [MemberData(nameof(Exported))]
    public void A_per_channel_constant_on_the_way_is_a_through_part_with_the_value_torch_exported(string file, string layer)
    {
        // Given
        var expected = Expected(file);
        string tensor = expected.GetProperty("tensor").GetString()!;
        double[] values = [.. expected.GetProperty("values").EnumerateArray().Select(v => v.GetDouble())];
        using var model = Model.Open(Fixtures.Path("graph/" + file));

        // When
        var through = Enumerable.Range(0, values.Length)
            .Select(j => model.Graph.WithOutgoing(model.Neuron(layer, j)).Parts.Single(p => p.Direction == PartDirection.Through)).ToList();

        // Then
        Assert.All(through, p => Assert.Equal(tensor, p.Tensor));
        Assert.Equal(values, through.Select(p => Assert.Single(p.ToDoubles())));
    }

    [Theory]
    [MemberData(nameof(Exported))]
    public void A_prune_cuts_the_constant_with_the_channels(string file, string layer)
    {
        // Given
        var expected = Expected(file);
        string tensor = expected.GetProperty("tensor").GetString()!;
        long[] shape = [.. expected.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())];
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "pruned.onnx");

        // When
        var run = CliRun.Of(["prune", Fixtures.Path("graph/" + file), layer, "1", "-o", output]);

        // Then
        Assert.True(run.Exit == 0, run.Stderr);
        Assert.DoesNotContain("normalises", run.Stderr);
        using var pruned = Model.Open(output);
        Assert.Equal([shape[0] - 1, .. shape[1..]], pruned.Checkpoint.Find(tensor)!.Shape);
    }

    [Fact]
    public void A_per_channel_constant_off_dimension_0_is_refused_by_a_prune_saying_which()
    {
        // Given conv (4 channels) → Mul by a [1, 4, 1, 1] scale → conv2
        using var file = new TempFile("scaled.onnx", Model([Node("Conv", "conv", ["x", "cw"], "c"), Node("Mul", "scale", ["c", "s"], "m"),
            Node("Conv", "conv2", ["m", "c2w"], "y")], [Raw("cw", 4, 3, 1, 1), Raw("s", 1, 4, 1, 1), Raw("c2w", 2, 4, 1, 1)]).Bytes());
        using var folder = new TempFolder();

        // When
        var run = CliRun.Of(["prune", file.Path, "conv", "1", "-o", Path.Combine(folder.Path, "pruned.onnx")]);

        // Then
        Assert.Equal(2, run.Exit);
        Assert.Contains("error: layer 'conv' reaches 'conv2' through Mul node 'scale' and its constant s [1, 4, 1, 1], which NeuronKit cannot cut", run.Stderr);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void A_constant_every_channel_shares_or_that_lies_along_another_axis_leaves_the_prune_alone()
    {
        // Given conv (4 channels, 3 × 3 positions) → Mul by a scalar → Add of a [3] row along the last axis → conv2
        using var file = new TempFile("broadcast.onnx", Model([Node("Conv", "conv", ["x", "cw"], "c"), Node("Mul", "half", ["c", "k"], "m"),
            Node("Add", "shift", ["m", "w"], "a"), Node("Conv", "conv2", ["a", "c2w"], "y")],
            [Raw("cw", 4, 3, 1, 1), Raw("k"), Raw("w", 3), Raw("c2w", 2, 4, 1, 1)]).Bytes());
        using var model = Model.Open(file.Path);

        // When
        var edge = Assert.Single(model.Graph.ConsumersOf(model.Layer("conv")));

        // Then
        Assert.Equal(("conv2", null, 0), (edge.Consumer.Name, edge.Uncut, edge.Through.Count));
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output)
    {
        var node = new NodeProto { Name = name, OpType = op };
        node.Input.Add(inputs);
        node.Output.Add(output);
        return node;
    }

    private static JsonElement Expected(string file) =>
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path("graph/channel_constants.json"))).RootElement.EnumerateArray()
            .Single(c => c.GetProperty("file").GetString() == file);
}
