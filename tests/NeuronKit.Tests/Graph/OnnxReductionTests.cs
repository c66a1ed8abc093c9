using System.Text.Json;
using NeuronKit.Neurons;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Graph;

/// <summary>
/// A reduction on the way from one ONNX layer to the next (torch's x.mean([2, 3]) and x.amax((2, 3), keepdim=True),
/// exported as ReduceMean and ReduceMax) keeps channel j apart, so the next layer reads it; one over the channel axis
/// mixes the channels and ends the path, saying so. graph/reduce_*.onnx are torch.onnx.export's (make_reductions.py); the
/// pruned models run in ONNX Runtime in PruneOnnxTests.
/// </summary>
public class OnnxReductionTests
{
    private static readonly JsonElement[] Cases =
        [.. JsonDocument.Parse(File.ReadAllText(Fixtures.Path("graph/reductions.json"))).RootElement.EnumerateArray()];

    [Theory]
    [InlineData("reduce_mean.onnx")]   // ReduceMean axes [2, 3], keepdims 0, into a Gemm
    [InlineData("reduce_max.onnx")]    // ReduceMax axes [2, 3], keepdims 1, into a 1×1 Conv
    public void A_reduction_over_other_axes_leads_to_the_next_layer_s_column_j(string file)
    {
        // Given the next layer's weight column j as PyTorch's module holds it
        var expected = Cases.Single(c => c.GetProperty("file").GetString() == file);
        using var model = Model.Open(Fixtures.Path("graph/" + file));
        var neuron = model.Neuron(expected.GetProperty("layer").GetString()!, expected.GetProperty("neuron").GetInt64());

        // When its outgoing parts are read
        var outgoing = model.Graph.WithOutgoing(neuron).Parts.Where(p => p.Direction == PartDirection.Out).ToList();

        // Then the one part is that column
        var part = Assert.Single(outgoing);
        Assert.Equal((expected.GetProperty("consumer").GetString(), expected.GetProperty("tensor").GetString(), expected.GetProperty("index").GetString()),
            (part.Consumer, part.Tensor, part.Index));
        Assert.Equal(expected.GetProperty("values").EnumerateArray().Select(v => (float)v.GetDouble()), part.ToFloats());
    }

    [Fact]
    public void A_reduction_over_the_channel_axis_ends_the_path_and_says_why()
    {
        // Given conv → x.mean(1) → flatten → fc: fc reads each position's mean over conv's channels

        // When conv's outgoing weights are asked for
        var run = CliRun.Of("show", Fixtures.Path("graph/reduce_channels.onnx"), "/conv/Conv", "1", "--outgoing");

        // Then there is no slice to give, and the reduction is named
        Assert.Equal(2, run.Exit);
        Assert.Contains("ReduceMean node '/ReduceMean' reads it, and the channels cannot be followed: it reduces the channel axis, which mixes the channels", run.Stderr);
    }
}
