using System.Text;
using System.Text.Json;
using Google.Protobuf;
using NeuronKit.Formats;
using NeuronKit.Neurons;
using NeuronKit.Tensors;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;
using Onnx;
using static NeuronKit.Tests.Formats.Onnx.OnnxModelBuilder;

namespace NeuronKit.Tests.Formats.Onnx;

/// <summary>
/// A Constant node may give its value as value_float, value_floats, value_int, value_ints or sparse_value instead of a
/// tensor (https://onnx.ai/onnx/operators/onnx__Constant.html): each is a tensor named by the node's output, so a bias
/// stored that way is the layer's bias. graph/constant_attributes.onnx and its oracle, constant_attributes.json (values as
/// onnx reads them back), are make_constant_attributes.py's; its pruned models run in ONNX Runtime in PruneOnnxTests.
/// </summary>
public class OnnxConstantAttributesTests
{
    private const string File = "graph/constant_attributes.onnx";

    public static TheoryData<string> ConstantNames() => [.. Constants().Select(c => c.GetProperty("tensor").GetString()!)];

    [Theory]
    [MemberData(nameof(ConstantNames))]
    public void Each_constant_attribute_is_a_tensor_with_the_dtype_shape_and_values_onnx_reads(string name)
    {
        // Given
        var expected = Constant(name);
        using var checkpoint = CheckpointFormats.Open(Fixtures.Path(File));

        // When
        var tensor = checkpoint.Find(name);

        // Then
        Assert.NotNull(tensor);
        Assert.Equal(expected.GetProperty("dtype").GetString(), tensor.DType.Name());
        Assert.Equal(expected.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()), tensor.Shape);
        Assert.Equal(expected.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()), tensor.View().ToDoubles());
    }

    [Fact]
    public void Neuron_tensors_lists_them_by_the_constant_nodes_outputs()
    {
        var run = CliRun.Of("tensors", Fixtures.Path(File), "--json");

        Assert.True(run.Exit == 0, run.Stderr);
        var listed = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("tensors").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Superset(Constants().Select(c => c.GetProperty("tensor").GetString()).ToHashSet(), listed.ToHashSet());
    }

    [Fact]
    public void Value_floats_stay_in_the_file_not_decoded_into_memory()
    {
        using var checkpoint = CheckpointFormats.Open(Fixtures.Path(File));

        Assert.All(["conv_bias", "fc_bias", "half"], name => Assert.IsNotType<MemoryBytes>(checkpoint.Find(name)!.Storage.Source));
    }

    [Theory]
    [InlineData("conv", 3)]
    [InlineData("fc", 4)]
    [InlineData("fc2", 2)]   // its bias is a sparse_value: zero but for index 1
    public void Show_gives_each_neuron_the_bias_the_constant_holds(string layer, int neurons)
    {
        // Given
        string bias = Biases().GetProperty(layer).GetString()!;
        double[] values = [.. Constant(bias).GetProperty("values").EnumerateArray().Select(v => v.GetDouble())];
        Assert.Equal(neurons, values.Length);

        for (int j = 0; j < neurons; j++)
        {
            // When
            var run = CliRun.Of("show", Fixtures.Path(File), layer, $"{j}", "--json");

            // Then
            Assert.True(run.Exit == 0, run.Stderr);
            var part = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("parts").EnumerateArray().Single(p => p.GetProperty("role").GetString() == "bias");
            Assert.Equal(bias, part.GetProperty("tensor").GetString());
            Assert.Equal(values[j], part.GetProperty("values").GetDouble());
        }
    }

    [Fact]
    public void Stats_reports_each_neurons_bias_from_the_constant()
    {
        double[] values = [.. Constant("fc_bias").GetProperty("values").EnumerateArray().Select(v => v.GetDouble())];

        var run = CliRun.Of("stats", Fixtures.Path(File), "fc", "--json");

        Assert.True(run.Exit == 0, run.Stderr);
        var rows = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("layers")[0].GetProperty("stats").EnumerateArray();
        Assert.Equal(values, rows.Select(r => r.GetProperty("bias").GetDouble()));
    }

    [Fact]
    public void Show_outgoing_passes_a_value_float_scale_as_every_channels()
    {
        using var model = Model.Open(Fixtures.Path(File));

        var neuron = model.Graph.WithOutgoing(model.Neuron("fc", 1));

        var outgoing = Assert.Single(neuron.Parts, p => p.Direction == PartDirection.Out);
        Assert.Equal("fc2.weight", outgoing.Tensor);
    }

    [Fact]
    public void An_edit_writes_value_floats_in_place_and_diff_sees_the_bias_change()
    {
        // Given
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "edited.onnx");
        double[] before = [.. Constant("fc_bias").GetProperty("values").EnumerateArray().Select(v => v.GetDouble())];

        // When
        var edit = CliRun.Of("edit", Fixtures.Path(File), "fc", "1", "--zero", "-o", output);
        var diff = CliRun.Of("diff", Fixtures.Path(File), output, "fc", "--json");

        // Then the file has the same size, its value_floats hold the new bias, and onnx's own classes read it so
        Assert.True(edit.Exit == 0, edit.Stderr);
        Assert.Equal(new FileInfo(Fixtures.Path(File)).Length, new FileInfo(output).Length);
        var written = ModelProto.Parser.ParseFrom(System.IO.File.ReadAllBytes(output));
        var floats = written.Graph.Node.Single(n => n.Output[0] == "fc_bias").Attribute.Single(a => a.Name == "value_floats").Floats;
        Assert.Equal([before[0], 0, before[2], before[3]], floats.Select(f => (double)f));
        Assert.True(diff.Exit == 0, diff.Stderr);
        var rows = JsonDocument.Parse(diff.Stdout).RootElement.GetProperty("layers")[0].GetProperty("stats").EnumerateArray().ToList();
        Assert.Equal(-before[1], rows[1].GetProperty("bias_delta").GetDouble());
        Assert.Equal(0, rows[0].GetProperty("bias_delta").GetDouble());
    }

    [Fact]
    public void An_edit_of_a_sparse_value_bias_is_refused_saying_why()
    {
        using var folder = new TempFolder();

        var run = CliRun.Of("edit", Fixtures.Path(File), "fc2", "1", "--zero", "-o", Path.Combine(folder.Path, "edited.onnx"));

        Assert.Equal(2, run.Exit);
        Assert.Contains("fc2_bias", run.Stderr);
        Assert.Contains("sparse_value", run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void Packed_value_floats_are_read_from_the_file_and_edited_there()
    {
        // Given fc = Gemm(x, W [2, 3], C) with C a Constant whose value_floats are one packed field (as proto3 writers put them)
        using var file = new TempFile("packed.onnx", WithConstant(Packed("C", Floats(0.25f, -1.5f)), atEnd: false));
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "edited.onnx");

        // When
        double[] bias;
        using (var checkpoint = CheckpointFormats.Open(file.Path))
        {
            Assert.IsType<MappedFile>(checkpoint.Find("C")!.Storage.Source);
            bias = checkpoint.Find("C")!.View().ToDoubles();
        }
        var edit = CliRun.Of("edit", file.Path, "fc", "0", "--scale", "2", "-o", output);

        // Then
        Assert.Equal([0.25, -1.5], bias);
        Assert.True(edit.Exit == 0, edit.Stderr);
        using var edited = CheckpointFormats.Open(output);
        Assert.Equal([0.5, -1.5], edited.Find("C")!.View().ToDoubles());
    }

    public static TheoryData<string, string> HostileConstants() => new()
    {
        { "packed floats of 9 bytes", "value_floats holds 9 bytes of packed floats, which is no whole number of 4-byte floats" },
        { "packed floats past the end of the file", "field 7 declares 400 bytes" },
        { "sparse index out of range", "index 5 is outside its 2 elements" },
        { "sparse values and indices disagree", "has 2 values but 1 index" },
        { "sparse indices not ascending", "indices must ascend" },
    };

    [Theory]
    [MemberData(nameof(HostileConstants))]
    public void A_hostile_constant_is_refused_with_exit_3_and_what_is_wrong(string @case, string message)
    {
        byte[] bytes = @case switch
        {
            "packed floats of 9 bytes" => WithConstant(Packed("C", new byte[9]), atEnd: false),
            "packed floats past the end of the file" => WithConstant(Packed("C", Floats(1, 2), declaredLength: 400), atEnd: true),
            "sparse index out of range" => WithConstant(Sparse("C", [1f], [5]).ToByteArray(), atEnd: false),
            "sparse values and indices disagree" => WithConstant(Sparse("C", [1f, 2f], [1]).ToByteArray(), atEnd: false),
            _ => WithConstant(Sparse("C", [1f, 2f], [1, 0]).ToByteArray(), atEnd: false),
        };
        using var file = new TempFile("hostile.onnx", bytes);

        var run = CliRun.Of("layers", file.Path);

        Assert.Equal(3, run.Exit);
        Assert.Contains("hostile.onnx", run.Stderr);
        Assert.Contains(message, run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    [Fact]
    public void A_sparse_value_too_large_to_expand_is_listed_as_not_read()
    {
        // Given a sparse_value of 2^40 elements holding one value
        var node = Sparse("C", [1f], [3]);
        node.Attribute[0].SparseTensor.Dims[0] = 1L << 40;
        using var file = new TempFile("huge.onnx", WithConstant(node.ToByteArray(), atEnd: false));

        // When
        var run = CliRun.Of("tensors", file.Path);

        // Then it is named, with why, and the rest of the model reads
        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("not read: 1 tensor of a type NeuronKit does not read: C (sparse_value", run.Stdout);
        Assert.Contains("W", run.Stdout);
    }

    // fc = Gemm(x, W [2, 3], C, transB 1), with the Constant node `constant` (its bytes) first or last in the graph.
    private static byte[] WithConstant(byte[] constant, bool atEnd)
    {
        var model = OnnxModelBuilder.Model([Gemm("fc", "W")], Raw("W", 2, 3));
        model.Graph.Node[0].Input.Add("C");
        byte[] graph = model.Graph.ToByteArray();
        model.Graph = null;
        byte[] node = Field(1, constant);
        return [.. model.ToByteArray(), .. Field(7, atEnd ? [.. graph, .. node] : [.. node, .. graph])];
    }

    // A Constant node whose value_floats attribute holds `payload` as one packed field, the attribute's last; Google.Protobuf
    // writes onnx.proto's proto2 field unpacked, so these bytes are made by hand.
    private static byte[] Packed(string output, byte[] payload, int? declaredLength = null)
    {
        byte[] attribute = [.. Field(1, Encoding.UTF8.GetBytes("value_floats")), 0xa0, 0x01, 0x06, 0x3a, .. Varint(declaredLength ?? payload.Length), .. payload];
        return [.. Field(2, Encoding.UTF8.GetBytes(output)), .. Field(4, "Constant"u8.ToArray()), .. Field(5, attribute)];
    }

    private static NodeProto Sparse(string output, float[] values, long[] indices)
    {
        var sparse = new SparseTensorProto
        {
            Values = new TensorProto { Name = output, DataType = (int)TensorProto.Types.DataType.Float },
            Indices = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64 },
        };
        sparse.Values.Dims.Add(values.Length);
        sparse.Values.FloatData.Add(values);
        sparse.Indices.Dims.Add(indices.Length);
        sparse.Indices.Int64Data.Add(indices);
        sparse.Dims.Add(2);
        var node = new NodeProto { OpType = "Constant" };
        node.Output.Add(output);
        node.Attribute.Add(new AttributeProto { Name = "sparse_value", Type = AttributeProto.Types.AttributeType.SparseTensor, SparseTensor = sparse });
        return node;
    }

    private static byte[] Floats(params float[] values) => [.. values.SelectMany(BitConverter.GetBytes)];

    private static byte[] Field(int number, byte[] payload) => [.. Varint(number << 3 | 2), .. Varint(payload.Length), .. payload];

    private static byte[] Varint(long value)
    {
        var bytes = new List<byte>();
        for (; value >= 0x80; value >>= 7) bytes.Add((byte)(value | 0x80));
        bytes.Add((byte)value);
        return [.. bytes];
    }

    private static JsonElement Oracle() => JsonDocument.Parse(System.IO.File.ReadAllText(Fixtures.Path("graph/constant_attributes.json"))).RootElement;

    private static IEnumerable<JsonElement> Constants() => Oracle().GetProperty("constants").EnumerateArray();

    private static JsonElement Constant(string name) => Constants().Single(c => c.GetProperty("tensor").GetString() == name);

    private static JsonElement Biases() => Oracle().GetProperty("biases");
}
