using Google.Protobuf;
using NeuronKit.Tensors;
using Onnx;
using static NeuronKit.Tests.Formats.Onnx.OnnxModelBuilder;

namespace NeuronKit.Tests.Formats.Onnx;

/// <summary>
/// Quantized ONNX graphs (ONNX Runtime's QDQ, QOperator and dynamic formats) read as the layers they compute, each weight
/// dequantized as DequantizeLinear does; the values are oracle-checked (tests/fixtures/onnx/expected.json, qdq.onnx,
/// qoperator.onnx, dynamic.onnx, integer.onnx), the cases here are what the oracle does not state.
/// </summary>
public class OnnxQuantizedTests
{
    private static string Fixture(string file) => Fixtures.Path($"onnx/{file}");

    [Fact]
    public void A_QDQ_model_lists_its_consumer_nodes_as_layers_with_their_scales_and_zero_points_and_no_tensor_layer()
    {
        using var model = Model.Open(Fixture("qdq.onnx"));

        Assert.Equal(["/conv/Conv", "/deconv/ConvTranspose", "/fc/Gemm", "/proj/MatMul"], model.Layers.Select(l => l.Name));
        Assert.Equal(["Conv2d", "ConvTranspose2d", "Linear", "Linear"], model.Layers.Select(l => l.Kind));
        Assert.Equal(["weight", "bias", "weight_scale", "weight_zero_point", "bias_scale", "bias_zero_point"],
            model.Layers[0].Tensors.Select(t => t.Role));
        Assert.Equal(["conv.bias_quantized_scale", "conv.bias_quantized_zero_point"], model.Layers[0].Tensors.Skip(4).Select(t => t.Tensor.Name));
        // The activations' QuantizeLinear/DequantizeLinear scales belong to no layer, but are tensors of the file.
        Assert.NotNull(model.Checkpoint.Find("input_scale"));
    }

    [Fact]
    public void The_evidence_names_the_DequantizeLinear_its_scale_its_zero_point_and_the_axis()
    {
        using var model = Model.Open(Fixture("qdq.onnx"));

        string conv = string.Join("; ", model.Layer("/conv/Conv").Evidence);
        Assert.Contains("conv.weight_quantized [4, 2, 2, 2] int8 is dequantized by DequantizeLinear 'conv.weight_DequantizeLinear': " +
            "(q − zero_point) · scale in float32 with scale conv.weight_scale [4] and zero point conv.weight_zero_point [4], per index of axis 0", conv);
        Assert.Contains("conv.bias_quantized [4] int32 is dequantized by DequantizeLinear", conv);
        Assert.Contains("per index of axis 1", string.Join("; ", model.Layer("/deconv/ConvTranspose").Evidence));
        Assert.EndsWith("with scale fc.weight_scale [] and zero point fc.weight_zero_point [], per tensor", model.Layer("/fc/Gemm").Evidence[^1]);
    }

    [Fact]
    public void A_dequantized_part_is_its_stored_integers_minus_zero_point_times_scale_in_float32()
    {
        // Given the Gemm's uint8 weight, read back from the file as stored
        using var model = Model.Open(Fixture("qdq.onnx"));
        var stored = model.Checkpoint.Find("fc.weight_quantized")!;
        float scale = (float)model.Checkpoint.Find("fc.weight_scale")!.View().ToDoubles()[0];
        double zeroPoint = model.Checkpoint.Find("fc.weight_zero_point")!.View().ToDoubles()[0];

        // When neuron 3 is asked for
        var part = model.Neuron("/fc/Gemm", 3).Parts[0];

        // Then its values are (q - zero_point) * scale in float32, and it says it is stored as uint8
        double[] row = stored.View().Select(0, 3).ToDoubles();
        Assert.Equal(row.Select(q => (double)((float)(q - zeroPoint) * scale)), part.ToDoubles());
        Assert.Equal(("uint8", DType.Float32, DType.UInt8), (part.StoredAs, part.DType, stored.DType));
        var quantized = part.ToQuantized()!;
        Assert.Equal(("per_tensor_affine", (int?)null), (quantized.Scheme, quantized.Axis));
        Assert.Equal(row, quantized.Integers.Select(v => (double)v));
    }

    [Fact]
    public void Dequantized_bytes_read_the_same_through_span_and_read_at_any_offset()
    {
        using var model = Model.Open(Fixture("qdq.onnx"));
        var source = model.Layer("/conv/Conv").Tensors[0].Tensor.Storage.Source;
        Assert.Equal(32 * sizeof(float), source.Length);

        for (int offset = 0; offset < 24; offset += 3)
        {
            var read = new byte[37];
            source.Read(offset, read);
            Assert.Equal(source.Span(offset, 37).ToArray(), read);
        }
    }

    [Fact]
    public void A_negative_axis_counts_from_the_end_and_a_scale_of_one_entry_is_per_tensor()
    {
        // Given a DequantizeLinear along axis -1 of [3, 4], and one whose 1-d scale has a single entry beside a scalar zero point
        using var file = new TempFile("q.onnx", Model(
            [Dequantize("w", "w_scale", "w_zero_point", axis: -1), Gemm("fc", "w_dq"),
             Dequantize("v", "v_scale", "v_zero_point"), Gemm("fc2", "v_dq", "y2")],
            Int8("w", [3, 4], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), Float("w_scale", [4], [0.5f, 1, 2, 4]),
            Int8("w_zero_point", [4], [0, 1, 0, -1]),
            Int8("v", [2, 2], [-128, 127, 0, 1]), Float("v_scale", [1], [0.25f]), Int8("v_zero_point", [], [1])).Bytes());

        using var model = Model.Open(file.Path);

        // Then the first is per index of axis 1, the second per tensor
        var fc = model.Neuron("fc", 1).Parts[0];
        Assert.Equal([2.5, 5, 14, 36], fc.ToDoubles());
        Assert.Equal(1, fc.ToQuantized()!.Axis);
        var fc2 = model.Neuron("fc2", 0).Parts[0];
        Assert.Equal([-32.25, 31.5], fc2.ToDoubles());
        Assert.Equal("per_tensor_affine", fc2.ToQuantized()!.Scheme);
    }

    [Fact]
    public void An_empty_scale_is_per_axis_and_must_fit_its_axis()
    {
        // Given a scale of shape [0] for a weight [3, 4] (one entry per index of axis 0 would be 3)
        using var file = new TempFile("q.onnx", Model([Dequantize("w", "w_scale", null, axis: 0), Gemm("fc", "w_dq")],
            Int8("w", [3, 4], new sbyte[12]), Float("w_scale", [0], [])).Bytes());

        var thrown = Assert.Throws<CheckpointException>(() => Model.Open(file.Path).Dispose());

        Assert.Contains("scale 'w_scale' [0], but axis 0 of 'w' [3, 4] has 3 entries", thrown.Message);
    }

    [Fact]
    public void A_DequantizeLinear_of_a_value_computed_at_run_time_is_no_weight()
    {
        // Given a Gemm whose B is the dequantized graph input
        using var file = new TempFile("q.onnx", Model([Dequantize("x_q", "s", null), Gemm("fc", "w_dq")], Float("s", [], [0.5f])).Bytes());

        using var model = Model.Open(file.Path);

        // Then the Gemm makes no layer, and the scale, read only as a scale, makes none either
        Assert.Empty(model.Layers);
    }

    [Fact]
    public void DequantizeLinear_nodes_that_read_each_other_in_a_loop_are_no_weight()
    {
        // Given two DequantizeLinear nodes each reading the other's output as x (a graph no exporter writes)
        var first = new NodeProto { Name = "a", OpType = "DequantizeLinear" };
        first.Input.Add(["b_out", "s"]);
        first.Output.Add("a_out");
        var second = new NodeProto { Name = "b", OpType = "DequantizeLinear" };
        second.Input.Add(["a_out", "s"]);
        second.Output.Add("b_out");
        using var file = new TempFile("loop.onnx", Model([first, second, Gemm("fc", "a_out")], Float("s", [], [0.5f])).Bytes());

        // When it is opened, then it has no layer (and no stack overflow)
        using var model = Model.Open(file.Path);
        Assert.Empty(model.Layers);
    }

    [Fact]
    public void A_QLinearConv_whose_input_scale_is_computed_keeps_its_int32_bias_as_stored_and_says_why()
    {
        // Given a QLinearConv whose x_scale is a graph input
        var node = new NodeProto { Name = "qconv", OpType = "QLinearConv" };
        node.Input.Add(["x", "x_scale", "x_zero_point", "w", "w_scale", "w_zero_point", "y_scale", "y_zero_point", "b"]);
        node.Output.Add("y");
        using var file = new TempFile("q.onnx", Model([node],
            Int8("w", [2, 1, 1, 1], [3, -4]), Float("w_scale", [2], [0.5f, 0.25f]), Int8("w_zero_point", [2], [1, 0]),
            Int32("b", [2], [1000, -7])).Bytes());

        using var model = Model.Open(file.Path);
        var neuron = model.Neuron("qconv", 1);

        // Then the weight is dequantized, the bias is its stored integers, and the evidence says why
        Assert.Equal([-1.0], neuron.Parts[0].ToDoubles());
        Assert.Equal([-7.0], neuron.Parts[1].ToDoubles());
        Assert.Equal((DType.Int32, (Quantization?)null), (neuron.Parts[1].DType, neuron.Parts[1].Quantization));
        Assert.Contains(neuron.Layer.Evidence, e => e.Contains("x_scale is computed at run time: the stored integers are shown"));
    }

    [Fact]
    public void A_QLinearConv_bias_is_scaled_by_the_float32_product_of_input_and_weight_scales()
    {
        // Given x_scale 0.1 and w_scale [0.3, 0.7], whose float32 products differ from the double ones
        var node = new NodeProto { Name = "qconv", OpType = "QLinearConv" };
        node.Input.Add(["x", "x_scale", "x_zero_point", "w", "w_scale", "w_zero_point", "y_scale", "y_zero_point", "b"]);
        node.Output.Add("y");
        using var file = new TempFile("q.onnx", Model([node], Float("x_scale", [], [0.1f]),
            Int8("w", [2, 1, 1, 1], [3, -4]), Float("w_scale", [2], [0.3f, 0.7f]), Int8("w_zero_point", [2], [0, 0]),
            Int32("b", [2], [1000, -7])).Bytes());

        using var model = Model.Open(file.Path);
        var bias = model.Neuron("qconv", 1).Parts[1];

        // Then bias j is b[j] * float(x_scale * w_scale[j]) in float32, zero point 0
        Assert.Equal((double)(-7 * (0.1f * 0.7f)), bias.ToDoubles()[0]);
        Assert.Equal([(double)(0.1f * 0.7f)], bias.ToQuantized()!.Scales);
        Assert.Equal([0.0], bias.ToQuantized()!.ZeroPoints);
    }

    [Fact]
    public void A_QLinearConv_with_one_weight_scale_dequantizes_its_bias_per_tensor()
    {
        // Given a per-tensor weight scale 0.5 and x_scale 0.25
        var node = new NodeProto { Name = "qconv", OpType = "QLinearConv" };
        node.Input.Add(["x", "x_scale", "x_zero_point", "w", "w_scale", "w_zero_point", "y_scale", "y_zero_point", "b"]);
        node.Output.Add("y");
        using var file = new TempFile("q.onnx", Model([node], Float("x_scale", [], [0.25f]),
            Int8("w", [2, 1, 1, 1], [3, -4]), Float("w_scale", [], [0.5f]), Int8("w_zero_point", [], [1]),
            Int32("b", [2], [8, -7])).Bytes());

        using var model = Model.Open(file.Path);
        var neuron = model.Neuron("qconv", 1);

        // Then the weight is (-4 - 1) * 0.5 and the bias -7 * 0.125, both per tensor
        Assert.Equal([-2.5], neuron.Parts[0].ToDoubles());
        Assert.Equal([-0.875], neuron.Parts[1].ToDoubles());
        Assert.Equal(("per_tensor_affine", (int?)null), (neuron.Parts[1].ToQuantized()!.Scheme, neuron.Parts[1].ToQuantized()!.Axis));
    }

    [Fact]
    public void A_ConvInteger_with_a_scalar_weight_is_no_layer()
    {
        // Given a ConvInteger whose w is a scalar (no convolution weight), rescaled as dynamic quantization does
        var conv = new NodeProto { Name = "conv", OpType = "ConvInteger" };
        conv.Input.Add(["x", "w"]);
        conv.Output.Add("y");
        var cast = new NodeProto { Name = "cast", OpType = "Cast" };
        cast.Input.Add("y");
        cast.Output.Add("y_float");
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        var product = new NodeProto { Name = "scales", OpType = "Mul" };
        product.Input.Add(["x_scale", "w_scale"]);
        product.Output.Add("s");
        var rescale = new NodeProto { Name = "rescale", OpType = "Mul" };
        rescale.Input.Add(["y_float", "s"]);
        rescale.Output.Add("out");
        using var file = new TempFile("q.onnx", Model([conv, cast, product, rescale], Int8("w", [], [3]), Float("w_scale", [], [0.5f])).Bytes());

        using var model = Model.Open(file.Path);

        Assert.DoesNotContain(model.Layers, l => l.Name == "conv");
    }

    [Theory]
    [InlineData("qdq_scale_length.onnx", "scale 'w_scale' [4], but axis 0 of 'w_quantized' [3, 4] has 3 entries")]
    [InlineData("qdq_axis.onnx", "has axis 2, outside -2..1")]
    [InlineData("qdq_zero_point_type.onnx", "zero point 'w_zero_point' of type uint8 for 'w_quantized' of type int8")]
    [InlineData("qdq_zero_point_shape.onnx", "zero point 'w_zero_point' [1] and scale 'w_scale' [3]: they must have one shape")]
    [InlineData("qdq_scale_type.onnx", "scale 'w_scale' of type float64: NeuronKit reads float32 scales")]
    [InlineData("qdq_int32_zero_point.onnx", "zero point 7 in 'w_zero_point' for int32 'w_quantized', whose zero point is 0")]
    [InlineData("qdq_block.onnx", "block_size 2 (blocked quantization, opset 21), which NeuronKit does not read")]
    [InlineData("qdq_int4.onnx", "dequantizes 'w_quantized', which is INT4")]
    public void A_hostile_quantized_graph_is_refused_by_name(string file, string message)
    {
        var thrown = Assert.Throws<CheckpointException>(() => Model.Open(Fixture(file)).Dispose());

        Assert.StartsWith(file, thrown.Message);
        Assert.Contains("DequantizeLinear 'w_DequantizeLinear' ", thrown.Message);
        Assert.Contains(message, thrown.Message);
    }

    private static NodeProto Dequantize(string x, string scale, string? zeroPoint, long? axis = null)
    {
        var node = new NodeProto { Name = $"{x}_DequantizeLinear", OpType = "DequantizeLinear" };
        node.Input.Add(zeroPoint is null ? [x, scale] : [x, scale, zeroPoint]);
        node.Output.Add($"{x}_dq");
        if (axis is { } a) node.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = a });
        return node;
    }

    private static TensorProto Int8(string name, long[] dims, sbyte[] values) =>
        Tensor(name, TensorProto.Types.DataType.Int8, dims, [.. values.Select(v => (byte)v)]);

    private static TensorProto Int32(string name, long[] dims, int[] values) =>
        Tensor(name, TensorProto.Types.DataType.Int32, dims, [.. values.SelectMany(BitConverter.GetBytes)]);

    private static TensorProto Float(string name, long[] dims, float[] values) =>
        Tensor(name, TensorProto.Types.DataType.Float, dims, [.. values.SelectMany(BitConverter.GetBytes)]);

    private static TensorProto Tensor(string name, TensorProto.Types.DataType type, long[] dims, byte[] raw)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        tensor.Dims.Add(dims);
        return tensor;
    }
}
