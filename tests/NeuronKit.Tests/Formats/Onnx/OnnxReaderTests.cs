using Google.Protobuf;
using NeuronKit.Formats;
using NeuronKit.Formats.Onnx;
using NeuronKit.Tensors;
using NeuronKit.Tests.Cli;
using Onnx;
using static NeuronKit.Tests.Formats.Onnx.OnnxModelBuilder;

namespace NeuronKit.Tests.Formats.Onnx;

public class OnnxReaderTests
{
    private static readonly OnnxReader Reader = new();

    [Fact]
    public void Int64_data_is_read_but_a_shape_input_is_not_a_layer()
    {
        // Given typed.onnx, whose "steps" [7, -3] sits in int64_data and feeds a Reshape's shape input
        using var model = Model.Open(Fixtures.Path("onnx/typed.onnx"));

        // Then its values read exactly, and it is a tensor but not a layer
        Assert.Equal([7.0, -3.0], model.Checkpoint.Find("steps")!.View().ToDoubles());
        Assert.DoesNotContain(model.Layers, l => l.Tensors.Any(t => t.Tensor.Name == "steps"));
    }

    [Theory]
    [InlineData("kinds.onnx")]
    [InlineData("rnns.onnx")]
    [InlineData("typed.onnx")]
    [InlineData("external.onnx")]
    public void Onnx_files_are_told_by_their_first_bytes(string file)
    {
        var head = File.ReadAllBytes(Fixtures.Path(Path.Combine("onnx", file))).Take(64).ToArray();

        Assert.True(Reader.Detect(head));
    }

    [Theory]
    [InlineData("seed_linear.pt")]
    [InlineData("legacy.pt")]
    [InlineData("not_a_checkpoint.pt")]
    public void Other_formats_files_are_not_claimed(string file)
    {
        var head = File.ReadAllBytes(Fixtures.PyTorch(file)).Take(64).ToArray();

        Assert.False(Reader.Detect(head));
    }

    [Fact]
    public void A_safetensors_header_whose_length_starts_with_8_is_not_claimed()
    {
        // Given a safetensors file: u64 header length 264 (its first byte 0x08), then JSON
        byte[] head = [0x08, 0x01, 0, 0, 0, 0, 0, 0, .. "{\"w\":{\"dtype\":\"F32\""u8];

        Assert.False(Reader.Detect(head));
    }

    [Fact]
    public void Raw_data_stays_in_the_mapped_file_at_its_own_offset()
    {
        // Given a model whose weight is raw_data
        using var file = new TempFile("m.onnx", Model([Gemm("fc", "w")], Raw("w", 3, 4)).Bytes());

        // When it is opened
        using var checkpoint = CheckpointFormats.Open(file.Path);

        // Then the tensor views the file itself, and its bytes there are its values
        var w = checkpoint.Find("w")!;
        Assert.IsType<MappedFile>(w.Storage.Source);
        Assert.Equal(48, w.Storage.ByteLength);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (double)i), w.View().ToDoubles());
        Assert.Equal("onnx", checkpoint.Format);
        Assert.Equal("8", checkpoint.Metadata["ir_version"]);
        Assert.Equal("ai.onnx 17", checkpoint.Metadata["opset_import"]);
    }

    [Fact]
    public void A_tensor_with_two_raw_data_fields_is_read_as_protobuf_reads_it_the_last_one()
    {
        // Given two raw_data fields in one tensor (legal protobuf: the last wins), which the reader does not map
        var bytes = Model([], Raw("w", 4)).Bytes();
        var second = Raw("w", 4).RawData.ToByteArray();
        second[0] = 0x3f;
        using var file = new TempFile("twice.onnx", AppendRawData(bytes, second));

        using var checkpoint = CheckpointFormats.Open(file.Path);

        // Then the last raw_data is the tensor's, copied into memory
        var w = checkpoint.Find("w")!;
        Assert.IsType<MemoryBytes>(w.Storage.Source);
        Assert.Equal(BitConverter.ToSingle(second, 0), w.View().ToDoubles()[0]);
    }

    [Fact]
    public void Strings_and_unread_types_are_left_out_and_listed()
    {
        var labels = new TensorProto { Name = "labels", DataType = (int)TensorProto.Types.DataType.String };
        labels.Dims.Add(2);
        labels.StringData.Add([ByteString.CopyFromUtf8("cat"), ByteString.CopyFromUtf8("dog")]);
        using var file = new TempFile("m.onnx", Model([Gemm("fc", "w")], Raw("w", 3, 4), labels).Bytes());

        using var checkpoint = CheckpointFormats.Open(file.Path);

        Assert.Null(checkpoint.Find("labels"));
        Assert.Equal("labels (STRING)", checkpoint.Metadata["tensors not read"]);
    }

    [Fact]
    public void Declared_shapes_are_kept_with_every_dim_the_file_does_not_say_as_unknown()
    {
        // Given x declared with a dim_value, a dim_param, an empty dim, a negative one and one past int's range; h in
        // value_info; y as an output; t declared as a tensor without a shape; s as a sequence; and a subgraph's value
        var model = Model([Gemm("fc", "w", "h")], Raw("w", 3, 4));
        model.Graph.Input.Add(Declared("x", Dim(2), new TensorShapeProto.Types.Dimension { DimParam = "channels" }, new TensorShapeProto.Types.Dimension(), Dim(-1), Dim(1L << 40)));
        model.Graph.ValueInfo.Add(Declared("h", Dim(2), Dim(3)));
        model.Graph.ValueInfo.Add(Declared("h", Dim(9)));
        model.Graph.Output.Add(Declared("y", Dim(2), Dim(int.MaxValue)));
        model.Graph.ValueInfo.Add(new ValueInfoProto { Name = "t", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } });
        model.Graph.ValueInfo.Add(new ValueInfoProto { Name = "s", Type = new TypeProto { SequenceType = new TypeProto.Types.Sequence { ElemType = Declared("e", Dim(1)).Type } } });
        var branch = new GraphProto { Name = "then" };
        branch.ValueInfo.Add(Declared("inner", Dim(5)));
        var node = new NodeProto { Name = "if", OpType = "If" };
        node.Input.Add("cond");
        node.Output.Add("z");
        node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = branch });
        model.Graph.Node.Add(node);
        using var file = new TempFile("m.onnx", model.Bytes());

        // When it is opened
        using var checkpoint = CheckpointFormats.Open(file.Path);

        // Then each value of the main graph declared with a shape has it, the first declaration winning
        var shapes = checkpoint.Graph.DeclaredShapes;
        Assert.Equal(["h", "x", "y"], shapes.Keys.Order());
        Assert.Equal([2, null, null, null, null], shapes["x"]);
        Assert.Equal([2, 3], shapes["h"]);
        Assert.Equal([2, int.MaxValue], shapes["y"]);
    }

    private static TensorShapeProto.Types.Dimension Dim(long value) => new() { DimValue = value };

    // A float tensor value of the given dims.
    private static ValueInfoProto Declared(string name, params TensorShapeProto.Types.Dimension[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(dims);
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }

    [Fact]
    public void Unsigned_16_32_and_64_bit_tensors_are_read_exactly()
    {
        // Given UINT16 in int32_data, UINT32 in uint64_data and UINT64 in raw_data, as onnx.proto keeps them
        var u16 = new TensorProto { Name = "u16", DataType = (int)TensorProto.Types.DataType.Uint16 };
        u16.Dims.Add(2);
        u16.Int32Data.Add([65535, 7]);
        var u32 = new TensorProto { Name = "u32", DataType = (int)TensorProto.Types.DataType.Uint32 };
        u32.Dims.Add(2);
        u32.Uint64Data.Add([4294967295UL, 3]);
        var u64 = new TensorProto { Name = "u64", DataType = (int)TensorProto.Types.DataType.Uint64 };
        u64.Dims.Add(2);
        u64.RawData = ByteString.CopyFrom([.. BitConverter.GetBytes(1UL << 40), .. BitConverter.GetBytes(5UL)]);
        using var file = new TempFile("m.onnx", Model([Gemm("fc", "w")], Raw("w", 3, 4), u16, u32, u64).Bytes());

        using var checkpoint = CheckpointFormats.Open(file.Path);

        // Then each is a tensor of its own dtype with its values, and none is listed as not read
        Assert.Equal(DType.UInt16, checkpoint.Find("u16")!.DType);
        Assert.Equal([65535.0, 7.0], checkpoint.Find("u16")!.View().ToDoubles());
        Assert.Equal([4294967295.0, 3.0], checkpoint.Find("u32")!.View().ToDoubles());
        Assert.Equal([(double)(1UL << 40), 5.0], checkpoint.Find("u64")!.View().ToDoubles());
        Assert.False(checkpoint.Metadata.ContainsKey("tensors not read"));
    }

    public static TheoryData<string, string> HostileTensors() => new()
    {
        { "negative dims", "negative dimension" },
        { "unknown data_type", "no ONNX type" },
        { "no data", "no data" },
        { "float_data in an INT64", "is INT64 but holds float_data" },
        { "too few values", "holds 8 bytes of data, but [2, 2] FLOAT needs 16" },
        { "double_data in a COMPLEX64", "is COMPLEX64 but holds double_data" },
        { "float_data in a COMPLEX128", "is COMPLEX128 but holds float_data" },
        { "complex64 in single floats", "holds 16 bytes of data, but [2, 2] COMPLEX64 needs 32" },
        { "too few int32 values", "holds 2 values in int32_data, but [2, 2] has 4 elements" },
        { "dims overflow", "overflows" },
        { "segment", "segments" },
        { "non-numeric offset", "not a whole number" },
        { "negative length", "not a whole number" },
        { "runtime memory marker", "in-memory marker" },
        { "no location", "no location" },
        { "location twice", "has external_data key 'location' twice" },
    };

    [Theory]
    [MemberData(nameof(HostileTensors))]
    public void Hostile_tensors_are_refused_with_the_bad_value(string @case, string message)
    {
        var tensor = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.Add([2, 2]);
        switch (@case)
        {
            case "negative dims": tensor.Dims[0] = -2; tensor.FloatData.Add([1, 2, 3, 4]); break;
            case "unknown data_type": tensor.DataType = 99; break;
            case "no data": break;
            case "float_data in an INT64": tensor.DataType = (int)TensorProto.Types.DataType.Int64; tensor.FloatData.Add([1, 2, 3, 4]); break;
            case "too few values": tensor.FloatData.Add([1, 2]); break;
            case "double_data in a COMPLEX64": tensor.DataType = (int)TensorProto.Types.DataType.Complex64; tensor.DoubleData.Add([1, 2, 3, 4, 5, 6, 7, 8]); break;
            case "float_data in a COMPLEX128": tensor.DataType = (int)TensorProto.Types.DataType.Complex128; tensor.FloatData.Add([1, 2, 3, 4, 5, 6, 7, 8]); break;
            // One float per element, as if float_data held only real parts: a complex element is two.
            case "complex64 in single floats": tensor.DataType = (int)TensorProto.Types.DataType.Complex64; tensor.FloatData.Add([1, 2, 3, 4]); break;
            case "too few int32 values": tensor.DataType = (int)TensorProto.Types.DataType.Float16; tensor.Int32Data.Add([1, 2]); break;
            case "dims overflow": tensor.Dims.Add([long.MaxValue / 2, 3]); tensor.FloatData.Add(1); break;
            case "segment": tensor.Segment = new TensorProto.Types.Segment { Begin = 0, End = 4 }; tensor.FloatData.Add([1, 2, 3, 4]); break;
            default: External(tensor, @case); break;
        }
        using var file = new TempFile("hostile.onnx", Model([Gemm("fc", "w")], tensor).Bytes());

        var error = Assert.Throws<CheckpointException>(() => CheckpointFormats.Open(file.Path));

        Assert.Contains(message, error.Message);
        Assert.Contains("hostile.onnx", error.Message);
    }

    [Fact]
    public void External_data_through_a_symbolic_link_is_refused()
    {
        // Given a side file reached through a symlinked folder inside the model's folder, pointing outside it
        using var file = new TempFile("linked.onnx", []);
        string folder = Path.GetDirectoryName(file.Path)!;
        string outside = Path.Combine(Path.GetTempPath(), "neuronkit-outside-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outside);
        try
        {
            File.WriteAllBytes(Path.Combine(outside, "w.bin"), new byte[16]);
            Directory.CreateSymbolicLink(Path.Combine(folder, "data"), outside);
            var tensor = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float, DataLocation = TensorProto.Types.DataLocation.External };
            tensor.Dims.Add(4);
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "data/w.bin" });
            File.WriteAllBytes(file.Path, Model([], tensor).Bytes());

            // When the CLI opens it
            var run = CliRun.Of("layers", file.Path);

            // Then it is refused, naming the link
            Assert.Equal(3, run.Exit);
            Assert.Contains("symbolic link (data)", run.Stderr);
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public void A_protobuf_without_a_graph_is_not_a_model()
    {
        using var file = new TempFile("empty_model.onnx", new ModelProto { IrVersion = 8, ProducerName = "x" }.ToByteArray());

        var error = Assert.Throws<CheckpointException>(() => CheckpointFormats.Open(file.Path));

        Assert.Contains("no graph", error.Message);
    }

    [Fact]
    public void A_field_length_past_the_end_of_its_message_is_refused_at_its_byte()
    {
        // Given a graph whose initializer declares more bytes than the graph holds (lengths edited, file size unchanged)
        var bytes = Model([], Raw("w", 2)).Bytes();
        int graphTag = Array.IndexOf(bytes, (byte)0x3a);
        int initializerTag = Array.IndexOf(bytes, (byte)0x2a, graphTag + 2);
        bytes[initializerTag + 1] += 100;

        using var file = new TempFile("long.onnx", bytes);
        var error = Assert.Throws<CheckpointException>(() => CheckpointFormats.Open(file.Path));

        Assert.Contains("long.onnx is truncated or corrupt", error.Message);
        Assert.Contains($"at byte {initializerTag:N0}, field 5 declares", error.Message);
    }

    [Fact]
    public void Field_number_0_is_refused_as_corrupt()
    {
        using var file = new TempFile("zero.onnx", [0x08, 0x08, 0x07]);

        var error = Assert.Throws<CheckpointException>(() => Reader.Open(file.Path));

        Assert.Equal("zero.onnx is corrupt: at byte 2, it has an invalid protobuf field number 0", error.Message);
    }

    [Fact]
    public void Two_initializers_of_one_name_are_refused()
    {
        using var file = new TempFile("dup.onnx", Model([], Raw("w", 2), Raw("w", 3)).Bytes());

        var error = Assert.Throws<CheckpointException>(() => CheckpointFormats.Open(file.Path));

        Assert.Contains("two tensors named 'w'", error.Message);
    }

    private static void External(TensorProto tensor, string @case)
    {
        tensor.DataLocation = TensorProto.Types.DataLocation.External;
        (string Key, string Value)[] entries = @case switch
        {
            "non-numeric offset" => [("location", "w.bin"), ("offset", "0x10")],
            "negative length" => [("location", "w.bin"), ("length", "-16")],
            "runtime memory marker" => [("location", "*/_ORT_MEM_ADDR_/*"), ("offset", "4096")],
            "location twice" => [("location", "w.bin"), ("location", "../w.bin")],
            _ => [("offset", "0")],
        };
        foreach (var (key, value) in entries) tensor.ExternalData.Add(new StringStringEntryProto { Key = key, Value = value });
    }

    // The model's bytes with a second raw_data field appended to its only initializer (lengths of graph and tensor fixed up).
    private static byte[] AppendRawData(byte[] model, byte[] raw)
    {
        var parsed = ModelProto.Parser.ParseFrom(model);
        var tensor = parsed.Graph.Initializer[0].ToByteArray();
        var extra = new byte[] { 0x4a, (byte)raw.Length }.Concat(raw).ToArray();
        var graph = parsed.Graph.Clone();
        graph.Initializer.Clear();
        var graphBytes = graph.ToByteArray().Concat(new byte[] { 0x2a, (byte)(tensor.Length + extra.Length) }).Concat(tensor).Concat(extra).ToArray();
        parsed.Graph = null;
        var head = parsed.ToByteArray();
        var length = new List<byte>();
        for (uint v = (uint)graphBytes.Length; ; v >>= 7)
        {
            if (v < 0x80) { length.Add((byte)v); break; }
            length.Add((byte)(v | 0x80));
        }
        return [.. head, 0x3a, .. length, .. graphBytes];
    }
}
