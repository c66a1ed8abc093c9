using NeuronKit.Edits;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Edits;

/// <summary>Whatever goes wrong while an edit is written, the original stays byte for byte as it was and nothing half written is left.</summary>
public class EditSafetyTests
{
    private const string Fixture = "gguf/tiny_q8_0.gguf";

    [Fact]
    public void A_copy_whose_write_fails_half_way_leaves_no_output_and_the_original_untouched()
    {
        using var folder = new TempFolder();
        string before = PinnedCases.Sha(Fixtures.Path("pytorch/seed_conv.pt"));
        using var model = Model.Open(Fixtures.Path("pytorch/seed_conv.pt"));
        var edit = Plan(model, "conv1", 3);
        int writes = 0;
        edit.BeforeEachWrite = (_, _) =>
        {
            if (++writes == 2) throw new IOException("injected: the disk went away");
        };

        var error = Assert.Throws<CheckpointException>(() => edit.WriteTo(Path.Combine(folder.Path, "out.pt")));

        Assert.Contains("injected", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
        Assert.Equal(before, PinnedCases.Sha(Fixtures.Path("pytorch/seed_conv.pt")));
    }

    [Theory]
    [InlineData("other.npy")]  // its one array is then named 'other'
    [InlineData("matrix.npy")]
    public void A_lone_npy_array_edited_into_a_copy_reads_back_under_the_copy_s_name(string name)
    {
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, name);

        var run = CliRun.Of("edit", Fixtures.Path("numpy/matrix.npy"), "matrix", "0", "--zero", "-o", output);

        Assert.True(run.Exit == 0, run.Stderr);
        using var model = Model.Open(output);
        Assert.All(model.Checkpoint.Tensors.Single().View().Select(0, 0).ToDoubles(), v => Assert.Equal(0, v));
        Assert.Equal(Path.GetFileNameWithoutExtension(name), model.Checkpoint.Tensors.Single().Name);
    }

    [Fact]
    public void A_copy_into_a_folder_without_the_config_that_decodes_the_original_is_refused_and_with_it_written()
    {
        // Given an MLX model, whose config.json beside it says how its weights decode
        using var folder = new TempFolder();
        string source = Fixtures.Path("diff/mlx/q4/model.safetensors"), output = Path.Combine(folder.Path, "model.safetensors");
        string[] edit = ["edit", source, "fc", "0", "--zero", "--part", "bias", "-o", output];

        // When its bias is edited into a folder without that config, then with a copy of it
        var without = CliRun.Of(edit);
        bool leftNothing = Directory.GetFileSystemEntries(folder.Path).Length == 0;
        File.Copy(Path.Combine(Path.GetDirectoryName(source)!, "config.json"), Path.Combine(folder.Path, "config.json"));
        var with = CliRun.Of(edit);

        // Then the first is refused, saying why and what to do, leaving nothing; the second is written
        Assert.Equal(2, without.Exit);
        Assert.Contains($"model.safetensors is read through the config.json beside it, and {folder.Path} has none: the edited copy would read otherwise", without.Stderr);
        Assert.Contains($"hint: copy config.json into {folder.Path} first", without.Stderr);
        Assert.True(leftNothing);
        Assert.True(with.Exit == 0, with.Stderr);
        using var model = Model.Open(output);
        Assert.Equal(0, model.Neuron("fc", 0).Parts.Single(p => p.Role.Name == "bias").ToDoubles()[0]);
    }

    [Fact]
    public void An_in_place_write_that_fails_half_way_puts_the_old_bytes_back()
    {
        using var folder = new TempFolder();
        string copy = Copy(folder, "pytorch/seed_conv.pt");
        string before = PinnedCases.Sha(copy);
        using (var model = Model.Open(copy))
        {
            var edit = Plan(model, "conv1", 3);
            int writes = 0;
            edit.BeforeEachWrite = (_, _) =>
            {
                if (++writes == 3) throw new IOException("injected: no space left on device");
            };
            Assert.Throws<CheckpointException>(edit.WriteInPlace);
        }

        Assert.Equal(before, PinnedCases.Sha(copy));
        Assert.Equal([copy], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void A_full_disk_leaves_no_partial_file()
    {
        using var folder = new TempFolder();
        // A real 8 KiB file system where mount is allowed (root in CI); elsewhere the same failure, injected.
        using var disk = new SmallDisk(folder.Path, "8k");
        using var model = Model.Open(Fixtures.Path(Fixture));
        var edit = Plan(model, "blk.0.attn_q", 3);
        if (!disk.Mounted) edit.BeforeEachWrite = (_, _) => throw new IOException("injected: No space left on device");

        var error = Assert.Throws<CheckpointException>(() => edit.WriteTo(Path.Combine(disk.Path, "out.gguf")));

        Assert.Contains("space", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(Directory.GetFileSystemEntries(disk.Path));
    }

    [Fact]
    public void A_target_that_changed_after_the_edit_was_planned_is_not_written()
    {
        using var folder = new TempFolder();
        string copy = Copy(folder, Fixture);
        using var model = Model.Open(copy);
        var edit = Plan(model, "blk.0.attn_q", 3);
        File.SetLastWriteTimeUtc(copy, DateTime.UtcNow.AddMinutes(5));   // someone else wrote it meanwhile
        string now = PinnedCases.Sha(copy);

        var error = Assert.Throws<CheckpointException>(edit.WriteInPlace);

        Assert.Contains("changed while the edit was being made", error.Message);
        Assert.Equal(now, PinnedCases.Sha(copy));
        Assert.Throws<CheckpointException>(() => edit.WriteTo(Path.Combine(folder.Path, "out.gguf")));
        Assert.Equal([copy], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void An_edit_cut_short_by_a_crash_is_put_back_before_the_next_one()
    {
        using var folder = new TempFolder();
        string copy = Copy(folder, "pytorch/dtype_bfloat16.pt");
        string before = PinnedCases.Sha(copy);
        // The crash: the journal is written, then only some of the new bytes reach the file.
        using (var model = Model.Open(copy))
        {
            var edit = Plan(model, "fc", 2);
            var runs = edit.Writes;
            EditJournal.Write(copy, [.. runs.Select(r => r with { Bytes = File.ReadAllBytes(copy)[(int)r.Offset..(int)r.End] })]);
            using var handle = File.OpenHandle(copy, FileMode.Open, FileAccess.Write);
            RandomAccess.Write(handle, runs[0].Bytes, runs[0].Offset);
        }
        Assert.NotEqual(before, PinnedCases.Sha(copy));

        var (_, args, sha) = EditOracleTests.Case("pt_bfloat16");
        var run = CliRun.Of(["edit", copy, .. args, "--in-place"]);

        Assert.Equal(0, run.Exit);
        Assert.Contains("put back", run.Stderr);
        Assert.Equal(sha, PinnedCases.Sha(copy));
        Assert.Equal([copy], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void An_edit_through_a_symbolic_link_cut_short_is_put_back_when_the_file_is_edited_by_its_own_name()
    {
        using var folder = new TempFolder();
        string copy = Copy(folder, "pytorch/dtype_bfloat16.pt"), link = Path.Combine(folder.Path, "link.pt");
        File.CreateSymbolicLink(link, copy);
        // The crash of an edit started through the link: its journal is written, then only some of the new bytes land.
        using (var model = Model.Open(link))
        {
            var runs = Plan(model, "fc", 2).Writes;
            EditJournal.Write(link, [.. runs.Select(r => r with { Bytes = File.ReadAllBytes(copy)[(int)r.Offset..(int)r.End] })]);
            using var handle = File.OpenHandle(copy, FileMode.Open, FileAccess.Write);
            RandomAccess.Write(handle, runs[0].Bytes, runs[0].Offset);
        }

        var (_, args, sha) = EditOracleTests.Case("pt_bfloat16");
        var run = CliRun.Of(["edit", copy, .. args, "--in-place"]);

        Assert.Equal(0, run.Exit);
        Assert.Contains("put back", run.Stderr);
        Assert.Equal(sha, PinnedCases.Sha(copy));
        Assert.Equal([copy, link], Directory.GetFiles(folder.Path).Order());
    }

    [Fact]
    public void A_journal_cut_short_is_dropped_without_touching_the_file()
    {
        using var folder = new TempFolder();
        string copy = Copy(folder, Fixture);
        string before = PinnedCases.Sha(copy);
        EditJournal.Write(copy, [new BytePatch(copy, 100, new byte[64])]);
        string journal = EditJournal.PathOf(copy);
        File.WriteAllBytes(journal, File.ReadAllBytes(journal)[..^10]);

        Assert.Equal(0, EditJournal.Recover(copy));

        Assert.Equal(before, PinnedCases.Sha(copy));
        Assert.False(File.Exists(journal));
    }

    [Fact]
    public void A_folder_that_does_not_exist_is_an_error_of_the_file_not_a_crash()
    {
        var run = CliRun.Of("edit", Fixtures.Path(Fixture), "blk.0.attn_q", "3", "--zero", "-o", "/nonexistent-neuronkit/out.gguf");

        Assert.Equal(3, run.Exit);
        Assert.StartsWith("error: /nonexistent-neuronkit/", run.Stderr);
        Assert.Contains("cannot be written", run.Stderr);
    }

    [Theory]
    [InlineData("gguf/tiny_q4_1.gguf", "blk.0.attn_q", "q4_1 blocks cannot be quantized again")]
    [InlineData("onnx/typed.onnx", "g16", "decoded from typed fields")]
    public void Bytes_with_nowhere_to_go_are_refused_with_exit_2(string fixture, string layer, string message)
    {
        using var folder = new TempFolder();

        var run = CliRun.Of("edit", Fixtures.Path(fixture), layer, "0", "--zero", "-o", Path.Combine(folder.Path, "out"));

        Assert.Equal(2, run.Exit);
        Assert.Contains(message, run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Theory]
    [InlineData(new[] { "--zero" }, "say where to write: -o OUT or --in-place")]
    [InlineData(new[] { "--zero", "--in-place", "-o", "x" }, "--in-place and -o are two places to write; give one")]
    [InlineData(new[] { "-o", "x" }, "say what to do: --zero, --scale K, --set VALUES.npy or --add-noise SIGMA")]
    [InlineData(new[] { "--zero", "--scale", "2", "-o", "x" }, "one action per edit, not --zero and --scale 2")]
    [InlineData(new[] { "--zero", "--part", "gamma", "-o", "x" }, "neuron 0 of 'blk.0.attn_q' has no part 'gamma'")]
    public void A_wrong_request_is_exit_2_and_says_what_is_wrong(string[] options, string message)
    {
        var run = CliRun.Of(["edit", Fixtures.Path(Fixture), "blk.0.attn_q", "0", .. options]);

        Assert.Equal(2, run.Exit);
        Assert.Contains(message, run.Stderr);
        Assert.False(File.Exists("x"));
    }

    [Fact]
    public void External_data_whose_checksum_the_model_records_is_not_edited()
    {
        // Given external.onnx with a SHA-1 checksum recorded for each external tensor, as onnx's external data helper can write
        using var folder = new TempFolder();
        string model = Path.Combine(folder.Path, "external.onnx");
        File.Copy(Fixtures.Path("onnx/external.bin"), Path.Combine(folder.Path, "external.bin"));
        var proto = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Fixtures.Path("onnx/external.onnx")));
        foreach (var tensor in proto.Graph.Initializer.Where(t => t.ExternalData.Count > 0))
            tensor.ExternalData.Add(new global::Onnx.StringStringEntryProto { Key = "checksum", Value = new string('0', 40) });
        File.WriteAllBytes(model, Google.Protobuf.MessageExtensions.ToByteArray(proto));
        string before = PinnedCases.Sha(Path.Combine(folder.Path, "external.bin"));
        string layer;
        using (var opened = Model.Open(model)) layer = opened.Layers.First(l => l.NeuronCount > 0).Name;

        var run = CliRun.Of("edit", model, layer, "0", "--zero", "--in-place");

        Assert.Equal(2, run.Exit);
        Assert.Contains("carries a SHA-1 checksum in external.onnx, which NeuronKit does not rewrite", run.Stderr);
        Assert.Equal(before, PinnedCases.Sha(Path.Combine(folder.Path, "external.bin")));
    }

    [Fact]
    public void External_data_is_edited_in_place_in_its_own_file_and_a_copy_is_refused()
    {
        using var folder = new TempFolder();
        string model = Path.Combine(folder.Path, "external.onnx");
        File.Copy(Fixtures.Path("onnx/external.onnx"), model);
        File.Copy(Fixtures.Path("onnx/external.bin"), Path.Combine(folder.Path, "external.bin"));
        var copy = CliRun.Of("edit", model, "fc", "0", "--zero", "-o", Path.Combine(folder.Path, "out.onnx"));
        var run = CliRun.Of("edit", model, "fc", "0", "--zero", "--in-place");

        Assert.Equal(2, copy.Exit);
        Assert.Contains("the edit writes into external.bin", copy.Stderr);
        Assert.Contains("--in-place", copy.Stderr);
        Assert.Equal(0, run.Exit);
        Assert.Contains("w[0]  in  [4] float32  L2 0.6741 → 0  external.bin bytes 0..16", run.Stdout);
        Assert.Contains("b[0]  in  [] float32   L2 0.1285 → 0  bytes 172..176", run.Stdout);   // the bias lives in the model itself
        using var edited = Model.Open(model);
        Assert.All(edited.Neuron("fc", 0).Parts, p => Assert.All(p.ToDoubles(), v => Assert.Equal(0, v)));
        Assert.Equal(["external.bin", "external.onnx"], Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_sharded_model_is_edited_in_place_and_a_copy_of_one_shard_is_refused()
    {
        // Given a copy of a sharded model, opened by its first shard, and an edit of fc's weights alone (in that shard)
        using var folder = new TempFolder();
        foreach (string file in Directory.GetFiles(Fixtures.Path("safetensors/sharded"))) File.Copy(file, Path.Combine(folder.Path, Path.GetFileName(file)));
        string shard = Path.Combine(folder.Path, "model-00001-of-00002.safetensors");
        string output = Path.Combine(folder.Path, "out.safetensors");

        var copy = CliRun.Of("edit", shard, "fc", "0", "--part", "weight", "--zero", "-o", output);
        var run = CliRun.Of("edit", shard, "fc", "0", "--part", "weight", "--zero", "--in-place");

        // Then the copy, which would hold half the model, is refused before anything is written; in place, it is done
        Assert.Equal(2, copy.Exit);
        Assert.Equal("error: model-00001-of-00002.safetensors is read with 2 other files (model.safetensors.index.json, " +
            "model-00002-of-00002.safetensors), and an edit written to a new file would carry only one of them\n" +
            "hint: copy the model's files and edit the copy with --in-place", copy.Stderr.Trim());
        Assert.False(File.Exists(output));
        Assert.Equal(0, run.Exit);
        using var edited = Model.Open(Path.Combine(folder.Path, "model.safetensors.index.json"));
        Assert.All(edited.Neuron("fc", 0).Parts[0].ToDoubles(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void A_read_only_folder_is_an_error_of_exit_3_with_nothing_written()
    {
        using var folder = new TempFolder();
        // A read-only file system where mount is allowed (root in CI, who would write a chmod-ed folder anyway).
        using var disk = new SmallDisk(folder.Path, "64k", readOnly: true);
        string output = disk.Mounted ? Path.Combine(disk.Path, "out.gguf") : Path.Combine(disk.Path, "missing", "out.gguf");

        var edit = CliRun.Of("edit", Fixtures.Path(Fixture), "blk.0.attn_q", "3", "--zero", "-o", output);
        var prune = CliRun.Of("prune", Fixtures.Path("prune/mlp.safetensors"), "net.0", "1", "-o", output);

        Assert.Equal((3, 3), (edit.Exit, prune.Exit));
        Assert.Contains("cannot be written", edit.Stderr);
        Assert.Contains("cannot be written", prune.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(disk.Path));
    }

    private static ModelEdit Plan(Model model, string layer, long index)
    {
        var neuron = model.Layer(layer).Neuron(index);
        return ModelEdit.Plan(model, [(neuron, ModelEdit.Select(neuron, part: null, outgoing: false))], new EditAction.Scale(0.5));
    }

    private static string Copy(TempFolder folder, string fixture)
    {
        string copy = Path.Combine(folder.Path, Path.GetFileName(fixture));
        File.Copy(Fixtures.Path(fixture), copy);
        return copy;
    }
}
