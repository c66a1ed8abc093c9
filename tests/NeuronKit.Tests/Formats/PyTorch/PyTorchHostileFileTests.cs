using System.Numerics;
using NeuronKit.Containers.Pickle;
using NeuronKit.Formats;
using NeuronKit.Formats.PyTorch;
using NeuronKit.Tensors;
using NeuronKit.Tests.Containers.Pickle;
using NeuronKit.Tests.Containers.Zip;

namespace NeuronKit.Tests.Formats.PyTorch;

public class PyTorchHostileFileTests
{
    private static PickleBytes StateDict(string type = "FloatStorage", int numel = 2, int[]? shape = null, int offset = 0) =>
        new PickleBytes().Proto().Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Str("w").Tensor(type, "0", numel, shape ?? [2], offset).SetItem().Stop();

    private static CheckpointException Refused(TempFile file) =>
        Assert.Throws<CheckpointException>(() => new PyTorchReader().Open(file.Path));

    [Fact]
    public void A_hand_built_archive_with_a_deflated_storage_is_read_from_memory()
    {
        var builder = new ZipBuilder().Add("ckpt/data.pkl", StateDict().ToArray()).Add("ckpt/data/0", TorchZipFile.Floats(1.5f, -2f), deflate: true);
        using var file = new TempFile("ckpt.pt", builder.Build());

        using var checkpoint = new PyTorchReader().Open(file.Path);

        var w = checkpoint.Find("w")!;
        Assert.IsType<NeuronKit.Containers.Zip.InflatedMember>(w.Storage.Source);
        Assert.Equal([1.5, -2.0], w.View().ToDoubles());
    }

    [Fact]
    public void A_storage_record_of_another_size_than_declared_is_refused()
    {
        using var file = TorchZipFile.Write(StateDict(numel: 2), ("0", TorchZipFile.Floats(1, 2, 3)));

        Assert.Equal("ckpt.pt is corrupt: storage '0' declares 2 elements (8 bytes) but its record ckpt/data/0 holds 12 bytes", Refused(file).Message);
    }

    [Fact]
    public void A_view_reaching_past_its_storage_is_refused()
    {
        using var file = TorchZipFile.Write(StateDict(numel: 2, shape: [2], offset: 1), ("0", TorchZipFile.Floats(1, 2)));

        Assert.Equal("ckpt.pt is corrupt: tensor 'w' reaches element 2 of a storage that holds 2 float32 elements", Refused(file).Message);
    }

    [Fact]
    public void A_missing_storage_record_is_refused()
    {
        using var file = TorchZipFile.Write(StateDict());

        Assert.Contains("storage '0' (pickle byte", Refused(file).Message);
        Assert.Contains("has no record ckpt/data/0", Refused(file).Message);
    }

    [Fact]
    public void An_unsupported_dtype_is_named_when_a_tensor_uses_it()
    {
        using var file = TorchZipFile.Write(StateDict("QUInt4x2Storage"), ("0", new byte[2]));

        var e = Refused(file);

        Assert.Equal("ckpt.pt holds tensor 'w' of dtype quint4x2, which NeuronKit does not read", e.Message);
        Assert.Contains(e.Hints, h => h.Contains("complex64"));
    }

    [Fact]
    public void A_complex_storage_is_read_as_re_im_pairs()
    {
        using var file = TorchZipFile.Write(StateDict("ComplexFloatStorage"), ("0", TorchZipFile.Floats(1.5f, -2f, 0.25f, float.NaN)));

        using var checkpoint = new PyTorchReader().Open(file.Path);

        var w = checkpoint.Find("w")!;
        Assert.Equal(DType.Complex64, w.DType);
        Assert.Equal([new(1.5, -2), new(0.25, double.NaN)], w.View().ToComplex());
    }

    [Fact]
    public void A_complex_storage_record_that_is_not_whole_pairs_is_refused()
    {
        // 12 bytes: one complex64 and half of the next.
        using var file = TorchZipFile.Write(StateDict("ComplexFloatStorage"), ("0", TorchZipFile.Floats(1, 2, 3)));

        Assert.Equal("ckpt.pt is corrupt: storage '0' declares 2 elements (16 bytes) but its record ckpt/data/0 holds 12 bytes", Refused(file).Message);
    }

    [Fact]
    public void A_big_endian_archive_is_refused_clearly()
    {
        using var file = new TempFile("ckpt.pt", TorchZipFile.Builder(StateDict(), ("0", new byte[8])).Add("ckpt/byteorder", "big").Build());

        Assert.Equal("ckpt.pt was saved on a big-endian machine (byteorder 'big'); NeuronKit reads little-endian checkpoints", Refused(file).Message);
    }

    [Theory]
    [InlineData("ckpt/constants.pkl")]
    [InlineData("ckpt/code/__torch__/m.py")]
    public void A_TorchScript_archive_is_refused(string entry)
    {
        using var file = new TempFile("x.pt", TorchZipFile.Builder(StateDict(), ("0", new byte[8])).Add(entry, "code").Build());

        Assert.Equal("x.pt is a TorchScript archive (torch.jit.save); NeuronKit reads state dicts and torch.save files, not TorchScript",
            Refused(file).Message);
    }

    [Fact]
    public void An_archive_without_data_pkl_is_not_a_torch_file()
    {
        using var file = new TempFile("ckpt.pt", new ZipBuilder().Add("ckpt/version", "3\n").Build());

        Assert.Equal("ckpt.pt is a zip archive without ckpt/data.pkl, so not a torch.save file", Refused(file).Message);
    }

    [Fact]
    public void Entries_outside_the_archive_folder_are_refused()
    {
        using var file = new TempFile("ckpt.pt", TorchZipFile.Builder(StateDict(), ("0", new byte[8])).Add("other/data.pkl", "x").Build());

        Assert.Contains("zip entry 'other/data.pkl' lies outside the archive folder 'ckpt'", Refused(file).Message);
    }

    [Fact]
    public void Bytes_after_the_pickle_are_refused()
    {
        using var file = TorchZipFile.Write(StateDict().Raw(0, 0), ("0", new byte[8]));

        Assert.Equal("ckpt.pt is corrupt: ckpt/data.pkl has 2 bytes after its pickle ends", Refused(file).Message);
    }

    [Fact]
    public void An_evil_call_hidden_in_a_hand_built_archive_is_refused_and_runs_nothing()
    {
        var pickle = new PickleBytes().Proto().EmptyDict().Str("x").Global("posix", "system").Str("touch /tmp/neuronkit-pickle-was-run")
            .Op('\u0085').Reduce().SetItem().Stop();
        using var file = TorchZipFile.Write(pickle);

        var e = Refused(file);

        Assert.Equal("ckpt.pt calls posix.system while unpickling; refused, nothing was run", e.Message);
        Assert.Contains(e.Hints, h => h.Contains("at byte"));
    }

    [Fact]
    public void A_placeholder_module_names_only_its_parameters_persistent_buffers_and_children()
    {
        // Given a pickled module with a None parameter, a non-persistent buffer, a _flat_weights alias and a child
        var p = new PickleBytes().Proto().Global("__main__", "Net").EmptyTuple().NewObj().EmptyDict().Mark()
            .Str("_parameters").Global("collections", "OrderedDict").EmptyTuple().Reduce().Mark()
                .Str("weight").Global("torch._utils", "_rebuild_parameter").Tensor("FloatStorage", "0", 2, [2]).Put(9).True()
                    .Global("collections", "OrderedDict").EmptyTuple().Reduce().Op('\u0087').Reduce().Put(10)
                .Str("bias").None().SetItems()
            .Str("_buffers").Global("collections", "OrderedDict").EmptyTuple().Reduce().Mark()
                .Str("kept").Tensor("FloatStorage", "1", 1, [1]).Str("scratch").Tensor("FloatStorage", "2", 1, [1]).SetItems()
            .Str("_non_persistent_buffers_set").Global("__builtin__", "set").EmptyList().Str("scratch").Append().Op('\u0085').Reduce()
            .Str("_flat_weights").EmptyList().Get(10).Append()
            .Str("_modules").Global("collections", "OrderedDict").EmptyTuple().Reduce().Mark()
                .Str("fc").Global("torch.nn.modules.linear", "Linear").EmptyTuple().NewObj().EmptyDict().Str("_parameters")
                    .Global("collections", "OrderedDict").EmptyTuple().Reduce().Str("weight").Get(10).SetItem().SetItem().Build()
                .SetItems()
            .SetItems().Build().Stop();
        using var file = TorchZipFile.Write(p, ("0", new byte[8]), ("1", new byte[4]), ("2", new byte[4]));

        using var checkpoint = new PyTorchReader().Open(file.Path);

        Assert.Equal(["weight", "kept", "fc.weight"], checkpoint.Tensors.Select(t => t.Name));
        Assert.Same(checkpoint.Tensors[0].Storage, checkpoint.Tensors[2].Storage);
        Assert.Equal(new Dictionary<string, string> { [""] = "__main__.Net", ["fc"] = "torch.nn.modules.linear.Linear" },
            checkpoint.Graph.ModuleClasses);
    }

    [Fact]
    public void A_container_that_holds_itself_is_walked_once()
    {
        // d = {'w': tensor}; d['self'] = d
        var pickle = new PickleBytes().Proto().EmptyDict().Put(0).Str("w").Tensor("FloatStorage", "0", 2, [2]).SetItem()
            .Str("self").Get(0).SetItem().Stop();
        using var file = TorchZipFile.Write(pickle, ("0", new byte[8]));

        using var checkpoint = new PyTorchReader().Open(file.Path);

        Assert.Equal(["w"], checkpoint.Tensors.Select(t => t.Name));
    }

    [Fact]
    public void Shared_containers_that_multiply_paths_are_bounded()
    {
        // Given t0 = [], t1 = (t0, t0), …, t30 = (t29, t29): 2^30 paths through a 100-byte object
        var pickle = new PickleBytes().Proto().EmptyList().Put(0);
        for (int i = 1; i <= 30; i++) pickle.Get(i - 1).Op('\u0086').Put(i);
        var bytes = pickle.Stop().ToArray();
        var root = Unpickler.Load(new MemoryBytes(bytes), 0, bytes.Length, "dag.pt", TorchAllowlist.Instance).Root;
        var walker = new TorchObjectWalker(new TorchTensorBuilder(new TorchLegacyStorageRecords(new MemoryBytes([]), new Dictionary<string, (long, long)>(), "dag.pt"), "dag.pt"), "dag.pt", maxVisits: 100_000);

        var e = Assert.Throws<CheckpointException>(() => walker.Walk(root));

        Assert.Contains("reached by more than 1,000 paths", e.Message);
    }

    [Fact]
    public void An_object_tree_with_too_many_values_is_refused()
    {
        // Given a list of 200 lists of 1,000 Nones each, walked with a cap of 100,000 values
        var pickle = new PickleBytes().Proto().EmptyList().Mark();
        for (int i = 0; i < 200; i++)
        {
            pickle.EmptyList().Mark();
            for (int j = 0; j < 1_000; j++) pickle.Op('N');
            pickle.Op('e');
        }
        var bytes = pickle.Op('e').Stop().ToArray();
        var root = Unpickler.Load(new MemoryBytes(bytes), 0, bytes.Length, "wide.pt", TorchAllowlist.Instance).Root;
        var walker = new TorchObjectWalker(new TorchTensorBuilder(new TorchLegacyStorageRecords(new MemoryBytes([]), new Dictionary<string, (long, long)>(), "wide.pt"), "wide.pt"), "wide.pt", maxVisits: 100_000);

        var e = Assert.Throws<CheckpointException>(() => walker.Walk(root));

        Assert.Contains("names more than 100,000 values", e.Message);
    }

    [Fact]
    public void A_legacy_file_cut_inside_a_storage_is_refused_as_truncated()
    {
        var bytes = File.ReadAllBytes(Fixtures.PyTorch("legacy.pt"));
        using var file = new TempFile("legacy_cut.pt", bytes[..^4]);

        Assert.StartsWith("legacy_cut.pt is truncated: storage '", Refused(file).Message);
    }

    [Fact]
    public void A_legacy_file_with_trailing_bytes_is_refused()
    {
        var bytes = File.ReadAllBytes(Fixtures.PyTorch("legacy.pt"));
        using var file = new TempFile("legacy_long.pt", [.. bytes, 1, 2, 3]);

        Assert.Equal("legacy_long.pt is corrupt: it has 3 bytes after its last storage", Refused(file).Message);
    }

    [Fact]
    public void Every_prefix_of_a_real_checkpoint_fails_cleanly_at_open()
    {
        // Given every truncation of seed_linear.pt, when opened, then it opens or fails with CheckpointException, never another type
        var bytes = File.ReadAllBytes(Fixtures.PyTorch("seed_linear.pt"));
        for (int length = 1; length < bytes.Length; length++)
        {
            using var file = new TempFile("cut.pt", bytes[..length]);
            Assert.Throws<CheckpointException>(() => new PyTorchReader().Open(file.Path).Dispose());
        }
    }

    [Fact]
    public void Opening_a_large_checkpoint_reads_no_storage_bytes()
    {
        // Given a checkpoint whose one stored record is 512 MiB (sparse on disk)
        const long size = 512L << 20;
        var pickle = new PickleBytes().Proto().EmptyDict().Str("big").Tensor("FloatStorage", "0", (int)(size / 4), [(int)(size / 4)]).SetItem().Stop().ToArray();
        using var file = new TempFile("big.pt", []);
        WriteSparseArchive(file.Path, pickle, size);

        // When it is opened
        long before = GC.GetAllocatedBytesForCurrentThread();
        using var checkpoint = new PyTorchReader().Open(file.Path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Then the tensor is there, and opening allocated nothing like its size
        Assert.Equal(size / 4, checkpoint.Find("big")!.ElementCount);
        Assert.True(allocated < 1 << 20, $"Open allocated {allocated:N0} bytes");
    }

    private static void WriteSparseArchive(string path, byte[] pickle, long storageSize)
    {
        byte[] U16(int v) => ZipBuilder.U16(v);
        byte[] U32(long v) => ZipBuilder.U32((uint)v);
        using var stream = new FileStream(path, FileMode.Create);
        void Local(string name, long size)
        {
            var n = System.Text.Encoding.ASCII.GetBytes(name);
            stream.Write([.. U32(0x04034b50), .. U16(20), .. U16(0), .. U16(0), .. U32(0), .. U32(0), .. U32(size), .. U32(size), .. U16(n.Length), .. U16(0), .. n]);
        }
        void Central(string name, long size, long offset)
        {
            var n = System.Text.Encoding.ASCII.GetBytes(name);
            stream.Write([.. U32(0x02014b50), .. U16(20), .. U16(20), .. U16(0), .. U16(0), .. U32(0), .. U32(0), .. U32(size), .. U32(size),
                .. U16(n.Length), .. U16(0), .. U16(0), .. U16(0), .. U16(0), .. U32(0), .. U32(offset), .. n]);
        }
        Local("big/data.pkl", pickle.Length);
        stream.Write(pickle);
        long storageOffset = stream.Position;
        Local("big/data/0", storageSize);
        stream.Seek(storageSize, SeekOrigin.Current);
        long directory = stream.Position;
        Central("big/data.pkl", pickle.Length, 0);
        Central("big/data/0", storageSize, storageOffset);
        long directorySize = stream.Position - directory;
        stream.Write([.. U32(0x06054b50), .. U16(0), .. U16(0), .. U16(2), .. U16(2), .. U32(directorySize), .. U32(directory), .. U16(0)]);
    }
}
