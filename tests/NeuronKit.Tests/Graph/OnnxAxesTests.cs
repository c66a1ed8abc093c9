using System.Text.Json;
using NeuronKit.Neurons;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Graph;

/// <summary>
/// ONNX graphs where only the rank of a layer's output says which axis an operation on the way works on: a Concat along
/// the width of two convolutions' outputs (not their channels), a Concat along the time axis of two Linear layers over a
/// sequence whose rank the file does not give, a mean over time of a Linear over the declared 3-D input, a Concat of two
/// bias-free Linear layers (MatMul) over a declared 2-D input; and views that spread a convolution's input channel over
/// several units (a Linear viewed as a 4-channel map, a pixel shuffle written with view and permute), which a convolution
/// of group 1 does not read as groups; an SE gate unsqueezed back to the channels' axis; GELU and SiLU as torch.onnx writes
/// them, Muls of two values that come from one channel, which merge no branches. onnx_axes/*.onnx are torch.onnx.export's
/// (make_onnx_axes.py, which proved each slice by a forward pass).
/// </summary>
public class OnnxAxesTests
{
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("onnx_axes/expected.json"))).RootElement;

    public static TheoryData<string, long> Outgoing()
    {
        var cases = new TheoryData<string, long>();
        foreach (var c in Expected.GetProperty("outgoing").EnumerateArray()) cases.Add(c.GetProperty("file").GetString()!, c.GetProperty("neuron").GetInt64());
        return cases;
    }

    public static TheoryData<string> Refused()
    {
        var cases = new TheoryData<string>();
        foreach (var c in Expected.GetProperty("refused").EnumerateArray()) cases.Add(c.GetProperty("file").GetString()!);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Outgoing))]
    public void A_layer_whose_output_rank_the_file_gives_reaches_the_proved_column(string file, long j)
    {
        // Given the consumer's weight column that PyTorch's forward pass proved reads channel j
        var expected = Expected.GetProperty("outgoing").EnumerateArray()
            .Single(c => c.GetProperty("file").GetString() == file && c.GetProperty("neuron").GetInt64() == j);
        using var model = Model.Open(Fixtures.Path("onnx_axes/" + file));

        // When the layer's neuron j is read with its outgoing parts
        var outgoing = model.Graph.WithOutgoing(model.Neuron(expected.GetProperty("layer").GetString()!, j)).Parts
            .Where(p => p.Direction == PartDirection.Out).ToList();

        // Then the one part is that column
        var part = Assert.Single(outgoing);
        Assert.Equal((expected.GetProperty("consumer").GetString(), expected.GetProperty("tensor").GetString(), expected.GetProperty("index").GetString()),
            (part.Consumer, part.Tensor, part.Index));
        Assert.Equal(expected.GetProperty("values").EnumerateArray().Select(v => (float)v.GetDouble()), part.ToFloats());
    }

    [Fact]
    public void GELU_and_SiLU_written_as_Muls_of_one_channel_are_activations_not_merges_of_branches()
    {
        // When the layers of GELU (x · (1 + Erf(x / √2)) · 0.5) and SiLU (x · Sigmoid(x)) as torch.onnx writes them are listed
        var layers = JsonDocument.Parse(CliRun.Of("layers", Fixtures.Path("onnx_axes/activations.onnx"), "--json").Stdout).RootElement.GetProperty("layers");

        // Then each layer's consumer is the next, along a path of Muls that no other branch merges into
        var consumers = layers.EnumerateArray().Where(l => l.TryGetProperty("consumers", out var c) && c.GetArrayLength() > 0)
            .Select(l => l.GetProperty("consumers")[0]).ToList();
        Assert.Equal([("/l2/Gemm", false, "ONNX graph: /l1/Gemm → Mul → Mul → /l2/Gemm"), ("/l3/Gemm", false, "ONNX graph: /l2/Gemm → Mul → /l3/Gemm")],
            consumers.Select(c => (c.GetProperty("layer").GetString(), c.GetProperty("residual").GetBoolean(), c.GetProperty("evidence")[0].GetString())));
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_path_that_does_not_keep_channel_j_apart_is_refused_saying_why(string file)
    {
        // Given a Concat that joins the layer's output with another along time or width, not its channels, or a view that
        // spreads a consumer's input channel over several of the layer's units (a convolution of group 1 reading fewer inputs)
        var expected = Expected.GetProperty("refused").EnumerateArray().Single(c => c.GetProperty("file").GetString() == file);

        // When neuron 1's outgoing weights are asked for
        var run = CliRun.Of("show", Fixtures.Path("onnx_axes/" + file), expected.GetProperty("layer").GetString()!, "1", "--outgoing");

        // Then no slice is given, and the reason names what is on the way
        Assert.Equal(2, run.Exit);
        Assert.Empty(run.Stdout);
        Assert.Contains(expected.GetProperty("reason").GetString()!, run.Stderr);
    }
}
