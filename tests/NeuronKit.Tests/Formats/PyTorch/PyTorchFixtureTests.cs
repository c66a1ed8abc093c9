using NeuronKit.Formats;
using NeuronKit.Formats.PyTorch;
using NeuronKit.Tensors;

namespace NeuronKit.Tests.Formats.PyTorch;

public class PyTorchFixtureTests
{
    private const string Sentinel = "/tmp/neuronkit-pickle-was-run";

    private static Checkpoint Open(string name) => CheckpointFormats.Open(Fixtures.PyTorch(name));

    private static string Describe(TensorInfo t) =>
        $"{t.Name} {t.DType.Name()} [{string.Join(",", t.Shape)}] ({string.Join(",", t.Strides)}) +{t.StorageOffset}";

    public static TheoryData<string> ReadableFixtures() =>
    [
        "seed_linear.pt", "seed_conv.pt", "seed_lstm.pt", "kinds.pt", "kinds_module.pt", "rnns.pt", "dtype_float16.pt",
        "dtype_bfloat16.pt", "dtype_float64.pt", "views.pt", "legacy.pt", "training.pt", "tied.pt", "nan_inf.pt",
    ];

    public static TheoryData<string, string> UnreadableFixtures()
    {
        var data = new TheoryData<string, string>();
        foreach (var error in ExpectedJson.Root.GetProperty("errors").EnumerateArray())
            if (error.GetProperty("layer").ValueKind == System.Text.Json.JsonValueKind.Null)
                data.Add(error.GetProperty("file").GetString()!, error.GetProperty("contains").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(ReadableFixtures))]
    public void Every_readable_fixture_opens_as_pytorch(string name)
    {
        using var checkpoint = Open(name);

        Assert.Equal("pytorch", checkpoint.Format);
        Assert.NotEmpty(checkpoint.Tensors);
    }

    [Theory]
    [MemberData(nameof(UnreadableFixtures))]
    public void Every_unreadable_fixture_fails_with_its_expected_error_and_runs_nothing(string name, string contains)
    {
        var e = Assert.Throws<CheckpointException>(() => Open(name));

        Assert.Contains(contains, e.Message);
        Assert.Equal(3, e.ExitCode);
        Assert.False(File.Exists(Sentinel), $"{Sentinel} exists: a pickle payload ran");
    }

    [Fact]
    public void The_evil_files_are_refused_naming_the_global_they_would_call()
    {
        Assert.Equal("evil_system.pt calls posix.system while unpickling; refused, nothing was run",
            Assert.Throws<CheckpointException>(() => Open("evil_system.pt")).Message);
        Assert.Equal("evil_eval.pt calls __builtin__.eval while unpickling; refused, nothing was run",
            Assert.Throws<CheckpointException>(() => Open("evil_eval.pt")).Message);
        Assert.Equal("evil_legacy.pt calls posix.system while unpickling; refused, nothing was run",
            Assert.Throws<CheckpointException>(() => Open("evil_legacy.pt")).Message);
        Assert.False(File.Exists(Sentinel));
    }

    [Fact]
    public void A_truncated_zip_says_how_many_bytes_it_read()
    {
        var e = Assert.Throws<CheckpointException>(() => Open("truncated.pt"));

        Assert.Matches(@"^truncated\.pt is truncated: zip central directory missing \(read 923 of at least [\d,]+ bytes\)$", e.Message);
    }

    [Fact]
    public void A_state_dict_names_its_tensors_by_key_with_shapes_dtypes_and_strides()
    {
        using var checkpoint = Open("seed_linear.pt");

        Assert.Equal(
            ["0.weight float32 [5,10] (10,1) +0", "0.bias float32 [5] (1) +0", "2.weight float32 [2,5] (5,1) +0", "2.bias float32 [2] (1) +0"],
            checkpoint.Tensors.Select(Describe));
        Assert.Equal("zip", checkpoint.Metadata["variant"]);
        Assert.Equal("seed_linear", checkpoint.Metadata["prefix"]);
        Assert.Equal("little", checkpoint.Metadata["byteorder"]);
        Assert.Equal("2", checkpoint.Metadata["protocol"]);
        Assert.Empty(checkpoint.Graph.ModuleClasses);
    }

    [Fact]
    public void Stored_records_are_viewed_in_place_in_the_mapped_file()
    {
        using var checkpoint = Open("seed_linear.pt");

        Assert.All(checkpoint.Tensors, t => Assert.IsType<MappedFile>(t.Storage.Source));
        Assert.All(checkpoint.Tensors, t => Assert.Equal(0, t.Storage.ByteOffset % 64));
    }

    [Fact]
    public void The_legacy_stream_reads_the_same_tensors_as_the_zip()
    {
        using var zip = Open("seed_linear.pt");
        using var legacy = Open("legacy.pt");

        Assert.Equal("legacy", legacy.Metadata["variant"]);
        Assert.Equal(zip.Tensors.Select(Describe), legacy.Tensors.Select(Describe));
        foreach (var t in zip.Tensors)
            Assert.Equal(t.View().ToDoubles(), legacy.Find(t.Name)!.View().ToDoubles());
    }

    [Fact]
    public void Slices_and_transposes_keep_their_offsets_and_strides_over_one_shared_storage()
    {
        using var checkpoint = Open("views.pt");
        var a = checkpoint.Find("a.weight")!;
        var b = checkpoint.Find("b.weight")!;

        Assert.Equal(
            ["a.weight float32 [3,4] (4,1) +0", "a.bias float32 [3] (1) +0", "b.weight float32 [3,4] (4,1) +12",
             "b.bias float32 [3] (1) +3", "t.weight float32 [5,4] (1,5) +0", "t.bias float32 [5] (1) +0"],
            checkpoint.Tensors.Select(Describe));
        Assert.Same(a.Storage, b.Storage);
        Assert.Same(checkpoint.Find("a.bias")!.Storage, checkpoint.Find("b.bias")!.Storage);
    }

    [Fact]
    public void Tied_weights_keep_both_names_over_one_storage()
    {
        using var checkpoint = Open("tied.pt");

        Assert.Equal(["emb.weight", "head.weight"], checkpoint.Tensors.Select(t => t.Name));
        Assert.Same(checkpoint.Tensors[0].Storage, checkpoint.Tensors[1].Storage);
    }

    [Fact]
    public void A_training_checkpoint_names_tensors_by_path_and_marks_optimizer_state()
    {
        using var checkpoint = Open("training.pt");

        Assert.Equal("model_state_dict.0.weight", checkpoint.Tensors[0].Name);
        Assert.Contains(checkpoint.Tensors, t => t.Name == "optimizer_state_dict.state.0.exp_avg");
        Assert.Equal(["optimizer_state_dict"], checkpoint.Graph.NonLayerPrefixes);
    }

    [Fact]
    public void A_pickled_whole_module_names_tensors_as_its_state_dict_and_records_module_classes()
    {
        using var stateDict = Open("kinds.pt");
        using var module = Open("kinds_module.pt");

        Assert.Equal(stateDict.Tensors.Select(Describe), module.Tensors.Select(Describe));
        foreach (var t in stateDict.Tensors)
            Assert.Equal(t.View().ToDoubles(), module.Find(t.Name)!.View().ToDoubles());
        Assert.Equal("__main__.Kinds", module.Graph.ModuleClasses[""]);
        Assert.Equal("torch.nn.modules.conv.ConvTranspose2d", module.Graph.ModuleClasses["deconv2d_grouped"]);
        Assert.Equal("torch.nn.modules.activation.MultiheadAttention", module.Graph.ModuleClasses["attn"]);
        Assert.Equal("torch.nn.modules.linear.NonDynamicallyQuantizableLinear", module.Graph.ModuleClasses["attn.out_proj"]);
    }

    [Theory]
    [InlineData("dtype_float16.pt", DType.Float16)]
    [InlineData("dtype_bfloat16.pt", DType.BFloat16)]
    [InlineData("dtype_float64.pt", DType.Float64)]
    public void Half_bfloat16_and_double_storages_keep_their_dtype(string name, DType dtype)
    {
        using var checkpoint = Open(name);

        Assert.All(checkpoint.Tensors, t => Assert.Equal(dtype, t.DType));
    }

    [Fact]
    public void Integer_buffers_are_read_as_int64()
    {
        using var checkpoint = Open("kinds.pt");

        var tracked = checkpoint.Find("bn1d.num_batches_tracked")!;
        Assert.Equal((DType.Int64, 0), (tracked.DType, tracked.Shape.Count));
        Assert.Equal([3.0], tracked.View().ToDoubles());
    }

    [Theory]
    [InlineData(3, false)]
    [InlineData(4, true)]
    [InlineData(5, true)]
    public void A_legacy_stream_saved_with_another_pickle_protocol_is_detected_and_read(int protocol, bool framed)
    {
        // torch.save(..., pickle_protocol=N, _use_new_zipfile_serialization=False) writes the magic number's pickle with
        // PROTO N, and from protocol 4 on inside a FRAME: legacy.pt's first pickle (PROTO 2, LONG1 magic, STOP) written so.
        byte[] legacy = File.ReadAllBytes(Fixtures.PyTorch("legacy.pt"));
        byte[] magic = legacy[2..15];
        byte[] head = framed ? [0x80, (byte)protocol, 0x95, .. BitConverter.GetBytes((long)magic.Length), .. magic] : [0x80, (byte)protocol, .. magic];
        using var file = new TempFile("legacy_protocol.pt", [.. head, .. legacy[15..]]);

        Assert.True(new PyTorchReader().Detect(head));
        using var reread = CheckpointFormats.Open(file.Path);
        using var original = Open("legacy.pt");
        Assert.Equal(original.Tensors.Select(Describe), reread.Tensors.Select(Describe));
        foreach (var t in original.Tensors)
            Assert.Equal(t.View().ToDoubles(), reread.Find(t.Name)!.View().ToDoubles());
    }

    [Fact]
    public void The_reader_detects_zip_and_legacy_files_by_content()
    {
        var reader = new PyTorchReader();

        Assert.True(reader.Detect(File.ReadAllBytes(Fixtures.PyTorch("seed_linear.pt")).AsSpan(0, 64)));
        Assert.True(reader.Detect(File.ReadAllBytes(Fixtures.PyTorch("legacy.pt")).AsSpan(0, 64)));
        Assert.False(reader.Detect(File.ReadAllBytes(Fixtures.PyTorch("not_a_checkpoint.pt"))));
    }
}
