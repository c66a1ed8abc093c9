using Google.Protobuf;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Formats.Onnx;
using Onnx;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// An ONNX Gemm whose C is one bias broadcast to every output: each neuron shows it as its bias, but it is no one
/// neuron's alone, so an edit leaves it unless asked for it (and refuses to change it then) and a prune keeps it whole.
/// </summary>
public class BroadcastBiasTests
{
    [Theory]
    [InlineData(new long[] { 1 })]
    [InlineData(new long[] { 1, 1 })]
    public void Zeroing_a_neuron_with_its_outgoing_weights_leaves_the_shared_bias(long[] shape)
    {
        using var folder = new TempFolder();
        string model = Write(folder, shape), output = Path.Combine(folder.Path, "edited.onnx");

        var run = CliRun.Of("edit", model, "fc1", "2", "--zero", "--outgoing", "-o", output);

        Assert.True(run.Exit == 0, run.Stderr);
        using var edited = Model.Open(output);
        Assert.Equal([0.5], edited.Checkpoint.Find("C1")!.View().ToDoubles());
        Assert.All(edited.Layer("fc1").Neuron(2).Part("weight")!.ToDoubles(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void Asking_to_change_the_shared_bias_is_refused_and_nothing_is_written()
    {
        using var folder = new TempFolder();
        string model = Write(folder, [1]);

        var run = CliRun.Of("edit", model, "fc1", "2", "--scale", "2", "--part", "bias", "-o", Path.Combine(folder.Path, "edited.onnx"));

        Assert.Equal(2, run.Exit);
        Assert.Contains("C1[0] is one bias that every neuron of 'fc1' shares", run.Stderr);
        Assert.Equal([model], Directory.GetFiles(folder.Path));
    }

    [Theory]
    [InlineData(new long[] { 1 })]
    [InlineData(new long[] { 1, 1 })]
    public void A_prune_keeps_the_shared_bias_whole(long[] shape)
    {
        using var folder = new TempFolder();
        string model = Write(folder, shape), output = Path.Combine(folder.Path, "pruned.onnx");

        var run = CliRun.Of("prune", model, "fc1", "2", "-o", output);

        Assert.True(run.Exit == 0, run.Stderr);
        using var pruned = Model.Open(output);
        Assert.Equal(shape, pruned.Checkpoint.Find("C1")!.Shape);
        Assert.Equal([4L, 6], pruned.Checkpoint.Find("W1")!.Shape);
        Assert.Equal([3L, 4], pruned.Checkpoint.Find("W2")!.Shape);
    }

    // fc1 = Gemm(x, W1 [5, 6], C1 = 0.5 of the given shape), relu, fc2 = Gemm(·, W2 [3, 5], C2 [3]).
    private static string Write(TempFolder folder, long[] shape)
    {
        var c1 = new TensorProto { Name = "C1", DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(BitConverter.GetBytes(0.5f)) };
        c1.Dims.Add(shape);
        var fc1 = Gemm("fc1", "x", "W1", "C1", "h");
        var relu = new NodeProto { Name = "relu", OpType = "Relu" };
        relu.Input.Add("h");
        relu.Output.Add("r");
        var model = OnnxModelBuilder.Model([fc1, relu, Gemm("fc2", "r", "W2", "C2", "y")],
            OnnxModelBuilder.Raw("W1", 5, 6), c1, OnnxModelBuilder.Raw("W2", 3, 5), OnnxModelBuilder.Raw("C2", 3));
        string path = Path.Combine(folder.Path, "broadcast.onnx");
        File.WriteAllBytes(path, model.Bytes());
        return path;
    }

    private static NodeProto Gemm(string name, string input, string weight, string bias, string output)
    {
        var node = new NodeProto { Name = name, OpType = "Gemm" };
        node.Input.Add([input, weight, bias]);
        node.Output.Add(output);
        node.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        return node;
    }
}
