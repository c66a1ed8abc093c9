using NeuronKit.Diff;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Formats.Gguf;

/// <summary>
/// A GGUF model split by llama.cpp's gguf-split (tests/fixtures/diff/cross/split, make_diff_cross.py's write_splits):
/// three files NAME-0000k-of-00003.gguf, the metadata in the first, each tensor in one; and sets of splits that
/// contradict one another (split_bad).
/// </summary>
public class GgufSplitTests
{
    private static readonly string Whole = Fixtures.Path("diff/cross/llama_q8_0.gguf");

    private static string Split(int k) => Fixtures.Path($"diff/cross/split/llama_q8_0-{k:D5}-of-00003.gguf");

    private static string Bad(string file) => Fixtures.Path("diff/cross/split_bad/" + file);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Any_split_opens_the_whole_model(int k)
    {
        // Given the model in one file, and one of its three splits
        using var whole = Model.Open(Whole);
        using var split = Model.Open(Split(k));

        // When the split is read and compared with the whole file
        var diff = ModelDiff.Compute(whole, split);

        // Then it holds every tensor, with the first split's metadata, and every neuron is the same
        Assert.Equal(whole.Checkpoint.Tensors.Select(t => t.Name), split.Checkpoint.Tensors.Select(t => t.Name));
        Assert.Equal("llama", split.Checkpoint.Metadata["general.architecture"]);
        Assert.Empty(diff.OnlyInA);
        Assert.Empty(diff.OnlyInB);
        Assert.Equal(whole.Layers.Count, diff.Layers.Count);
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
    }

    [Fact]
    public void A_split_model_names_every_file_it_was_read_from()
    {
        using var whole = Model.Open(Whole);
        using var split = Model.Open(Split(2));

        Assert.Equal([Whole], whole.Checkpoint.Files);
        Assert.Equal([Split(1), Split(2), Split(3)], split.Checkpoint.Files.Select(Path.GetFullPath));
    }

    [Fact]
    public void A_later_split_pairs_with_the_checkpoint_through_the_first_split_s_architecture()
    {
        // Given the Hugging Face model and the third split, whose own metadata names no architecture
        using var hf = Model.Open(Fixtures.Path("diff/cross/llama/model.safetensors"));
        using var split = Model.Open(Split(3));

        var diff = ModelDiff.Compute(hf, split);

        // Then every layer pairs by llama.cpp's names, q and k through the permutation the first split's head counts give
        Assert.Empty(diff.OnlyInA);
        Assert.Empty(diff.OnlyInB);
        Assert.Equal(4, diff.Layers.Count(l => l.BOrder is not null));
    }

    [Theory]
    [InlineData("missing-00001-of-00003.gguf", "missing-00001-of-00003.gguf is split 1 of 3, and split 2, missing-00002-of-00003.gguf, is not beside it")]
    [InlineData("renumbered-00001-of-00003.gguf", "renumbered-00002-of-00003.gguf is split 2 of 3 by its name, so its 'split.no' should be 1 " +
        "(ggml counts splits from 0) and its 'split.count' 3, but they say 2 and 3")]
    [InlineData("counted-00003-of-00003.gguf", "the 3 splits of counted hold 3 tensors, but 'split.tensors.count' says 4: a split is missing tensors or from another model")]
    [InlineData("twice-00002-of-00003.gguf", "tensor 'blk.0.attn_q.weight' is in both twice-00001-of-00003.gguf and twice-00002-of-00003.gguf; each split holds its own tensors")]
    [InlineData("renamed.gguf", "renamed.gguf is one of 3 splits of a model ('split.count' 3), but is not named as llama.cpp names them (NAME-00001-of-00003.gguf), by which the others are found")]
    public void Splits_that_contradict_one_another_are_refused(string file, string message)
    {
        var error = Assert.Throws<CheckpointException>(() => Model.Open(Bad(file)));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_edit_in_place_writes_into_the_split_that_holds_the_tensor()
    {
        // Given a copy of the three splits
        using var folder = new NeuronKit.Tests.Edits.TempFolder();
        foreach (int k in new[] { 1, 2, 3 }) File.Copy(Split(k), Path.Combine(folder.Path, Path.GetFileName(Split(k))));
        string first = Path.Combine(folder.Path, Path.GetFileName(Split(1)));

        // When unit 3 of block 1's up projection (in the third split) is zeroed, opened by the first
        var run = CliRun.Of("edit", first, "blk.1.ffn_up", "3", "--zero", "--in-place");

        // Then only the third split changed, and the model read from any split has the unit zeroed
        Assert.Equal(0, run.Exit);
        Assert.Equal([true, true, false], new[] { 1, 2, 3 }.Select(k =>
            File.ReadAllBytes(Split(k)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(folder.Path, Path.GetFileName(Split(k)))))));
        using var edited = Model.Open(Path.Combine(folder.Path, Path.GetFileName(Split(2))));
        Assert.All(edited.Neuron("blk.1.ffn_up", 3).Parts[0].ToDoubles(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void An_edit_cut_short_in_another_split_is_put_back_before_the_next_one()
    {
        // Given a copy of the splits, and an edit of the third split (opened by the first) cut short by a crash: the
        // journal written beside the third split, then half of the new bytes
        using var folder = new NeuronKit.Tests.Edits.TempFolder();
        foreach (int k in new[] { 1, 2, 3 }) File.Copy(Split(k), Path.Combine(folder.Path, Path.GetFileName(Split(k))));
        string first = Path.Combine(folder.Path, Path.GetFileName(Split(1))), third = Path.Combine(folder.Path, Path.GetFileName(Split(3)));
        using (var model = Model.Open(first))
        {
            var neuron = model.Neuron("blk.1.ffn_up", 3);
            var run = Assert.Single(NeuronKit.Edits.ModelEdit.Plan(model, [(neuron, NeuronKit.Edits.ModelEdit.Select(neuron, null, false))],
                new NeuronKit.Edits.EditAction.Scale(2)).Writes);
            Assert.Equal(third, run.File);
            NeuronKit.Edits.EditJournal.Write(third, [run with { Bytes = File.ReadAllBytes(third)[(int)run.Offset..(int)run.End] }]);
            using var handle = File.OpenHandle(third, FileMode.Open, FileAccess.Write);
            RandomAccess.Write(handle, run.Bytes.AsSpan(0, run.Bytes.Length / 2), run.Offset);
        }

        // When the next edit in place opens the model by its first split and edits another neuron
        var next = CliRun.Of("edit", first, "blk.0.ffn_up", "0", "--zero", "--in-place");

        // Then the third split's old bytes were put back first: unit 3 of block 1 is as it was, and no journal is left
        Assert.Equal(0, next.Exit);
        Assert.Contains($"put back", next.Stderr);
        Assert.Contains(Path.GetFileName(third), next.Stderr);
        using var original = Model.Open(Split(1));
        using var edited = Model.Open(first);
        Assert.Equal(original.Neuron("blk.1.ffn_up", 3).Parts[0].ToDoubles(), edited.Neuron("blk.1.ffn_up", 3).Parts[0].ToDoubles());
        Assert.Empty(Directory.GetFiles(folder.Path, "*.neuronkit-undo"));
    }

    [Theory]
    [InlineData(2)] // the split that holds blk.0.ffn_down's rows: a copy of it alone would be one third of a model
    [InlineData(1)]
    public void An_edit_of_a_split_model_is_not_written_into_one_new_file(int opened)
    {
        using var output = new TempFile("edited.gguf", []);
        File.Delete(output.Path);

        var run = CliRun.Of("edit", Split(opened), "blk.0.ffn_down", "0", "--zero", "-o", output.Path);

        Assert.Equal(2, run.Exit);
        string others = string.Join(", ", new[] { 1, 2, 3 }.Where(k => k != opened).Select(k => Path.GetFileName(Split(k))));
        Assert.Equal($"error: {Path.GetFileName(Split(opened))} is read with 2 other files ({others}), and an edit written to a new file " +
            "would carry only one of them\nhint: copy the model's files and edit the copy with --in-place", run.Stderr.Trim());
        Assert.False(File.Exists(output.Path));
    }

    [Fact]
    public void A_split_model_is_not_pruned_into_one_of_its_files()
    {
        using var output = new TempFile("pruned.gguf", []);

        var run = CliRun.Of("prune", Split(1), "blk.0.ffn_up", "3", "-o", output.Path);

        Assert.Equal(2, run.Exit);
        Assert.Equal("error: llama_q8_0-00001-of-00003.gguf is one of 3 splits of a model: prune writes one GGUF file\n" +
            "hint: merge the splits first: llama-gguf-split --merge FIRST.gguf MERGED.gguf", run.Stderr.Trim());
    }
}
