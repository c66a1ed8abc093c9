using Onnx;
using static NeuronKit.Tests.Formats.Onnx.OnnxModelBuilder;

namespace NeuronKit.Tests.Graph;

/// <summary>
/// ONNX edges through a Transpose: followed where the perm puts the channels on the axis the consumer reads, refused with
/// the reason where it does not or cannot be told (transpose.onnx and transpose_blocked.onnx are the forward-pass cases);
/// through an Unsqueeze, whose inserted axes move the channels (onnx_axes/se_unsqueeze.onnx is the forward-pass case).
/// </summary>
public class OnnxChannelAxisTests
{
    private static NodeProto Node(string op, string name, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { Name = name, OpType = op };
        node.Input.Add(inputs);
        node.Output.Add(output);
        node.Attribute.Add(attributes);
        return node;
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.Add(values);
        return attribute;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    // conv (4 channels, NCHW) → the nodes after it.
    private static TempFile Write(string name, IEnumerable<NodeProto> after, params TensorProto[] weights) =>
        new(name, Model([Node("Conv", "conv", ["x", "cw"], "c"), .. after], [Raw("cw", 4, 3, 1, 1), .. weights]).Bytes());

    [Fact]
    public void A_transpose_that_puts_the_channels_last_reaches_a_MatMul_which_reads_the_last_axis()
    {
        using var file = Write("nhwc.onnx", [Node("Transpose", "t", ["c"], "t_out", Ints("perm", 0, 2, 3, 1)), Node("MatMul", "proj", ["t_out", "mw"], "y")],
            Raw("mw", 4, 2));
        using var model = Model.Open(file.Path);

        var edge = Assert.Single(model.Graph.ConsumersOf(model.Layer("conv")));
        var outgoing = model.Graph.WithOutgoing(model.Neuron("conv", 3)).Parts.Last();

        Assert.Equal(("proj", "ONNX graph: conv → Transpose → proj"), (edge.Consumer.Name, edge.Evidence[0]));
        Assert.Equal(("mw", "[3]"), (outgoing.Tensor, outgoing.Index));
    }

    [Fact]
    public void A_flatten_of_channels_moved_last_would_interleave_them_and_is_refused_with_the_reason()
    {
        using var file = Write("interleaved.onnx", [Node("Transpose", "t", ["c"], "t_out", Ints("perm", 0, 2, 3, 1)),
            Node("Flatten", "flat", ["t_out"], "f", Int("axis", 1)), Node("Gemm", "fc", ["f", "fw"], "y", Int("transB", 1))], Raw("fw", 2, 16));
        using var model = Model.Open(file.Path);

        var refused = Assert.Throws<RequestException>(() => model.Graph.WithOutgoing(model.Neuron("conv", 0)));

        Assert.Equal("layer 'conv' has no known consumer: Flatten node 'flat' merges axes 1 to 3 with the channels on axis 3 after others: " +
            "channel j would be spread over every C-th input, which NeuronKit does not map", refused.Message);
    }

    [Fact]
    public void A_transpose_without_perm_of_a_value_of_unknown_rank_is_not_guessed()
    {
        // A MatMul of a computed value (relu(x)) by a 2-D weight: the file gives no rank for either
        using var file = new TempFile("reversed.onnx", Model([Node("Relu", "r", ["x"], "xr"), Node("MatMul", "lin", ["xr", "lw"], "l"),
            Node("Transpose", "t", ["l"], "t_out"), Node("MatMul", "proj", ["t_out", "mw"], "y")], [Raw("lw", 3, 4), Raw("mw", 4, 2)]).Bytes());
        using var model = Model.Open(file.Path);

        var refused = Assert.Throws<RequestException>(() => model.Graph.WithOutgoing(model.Neuron("lin", 0)));

        Assert.Equal("layer 'lin' has no known consumer: Transpose node 't' reads it, and the channel axis cannot be followed: " +
            "Transpose node 't' reverses the axes of a value whose rank NeuronKit does not know", refused.Message);
    }

    [Fact]
    public void A_transpose_without_perm_of_a_conv_output_reverses_its_weight_s_rank_of_axes()
    {
        // A Conv's output has its weight's rank (4): reversed, the channels are on axis 2, which a MatMul does not read
        using var file = Write("reversed.onnx", [Node("Transpose", "t", ["c"], "t_out"), Node("MatMul", "proj", ["t_out", "mw"], "y")], Raw("mw", 4, 2));
        using var model = Model.Open(file.Path);

        var refused = Assert.Throws<RequestException>(() => model.Graph.WithOutgoing(model.Neuron("conv", 0)));

        Assert.Equal("layer 'conv' has no known consumer: conv → Transpose → proj: proj reads axis -1 of its input as its channels, " +
            "but the channels are on axis 2 there, where Transpose node 't' moved them", refused.Message);
    }

    [Theory]
    [InlineData(new long[] { 0, -1 }, new long[] { 0, 5 }, true)]   // [1, N, C, H, W, 1]: C on axis 2, squeezed back to 1
    [InlineData(new long[] { 1 }, new long[] { 1 }, true)]          // [N, 1, C, H, W]: C on axis 2, squeezed back to 1
    [InlineData(new long[] { 2, 3 }, new long[] { 2, 3 }, true)]    // [N, C, 1, 1, H, W]: C stays on axis 1
    [InlineData(new long[] { 0 }, new long[] { 4 }, false)]         // [1, N, C, H, W] less axis 4: C on axis 2, not the Conv's 1
    public void An_unsqueeze_moves_the_channels_past_each_axis_it_inserts_at_or_before_them(long[] inserted, long[] squeezed, bool reaches)
    {
        // Given conv → Unsqueeze(axes as a constant input, opset 13) → Squeeze → a Conv that reads axis 1
        var axes = new TensorProto { Name = "axes", DataType = (int)TensorProto.Types.DataType.Int64 };
        axes.Dims.Add(inserted.Length);
        axes.Int64Data.Add(inserted);
        using var file = Write("unsqueeze.onnx", [Node("Unsqueeze", "u", ["c", "axes"], "u_out"), Node("Squeeze", "s", ["u_out"], "s_out", Ints("axes", squeezed)),
            Node("Conv", "next", ["s_out", "nw"], "y")], Raw("nw", 2, 4, 1, 1), axes);
        using var model = Model.Open(file.Path);

        // When conv's neuron 3 is read with its outgoing parts, then it reaches next's input 3 only where the axes bring the channels back to 1
        if (reaches && model.Graph.WithOutgoing(model.Neuron("conv", 3)).Parts.Last() is var part)
            Assert.Equal(("nw", "[:, 3]"), (part.Tensor, part.Index));
        else
            Assert.Contains("next reads axis 1 of its input as its channels, but the channels are on axis 2 there",
                Assert.Throws<RequestException>(() => model.Graph.WithOutgoing(model.Neuron("conv", 3))).Message);
    }
}
