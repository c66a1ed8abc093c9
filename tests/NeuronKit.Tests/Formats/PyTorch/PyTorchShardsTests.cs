using NeuronKit.Diff;
using NeuronKit.Formats;
using NeuronKit.Tests.Edits;
using NeuronKit.Track;

namespace NeuronKit.Tests.Formats.PyTorch;

/// <summary>
/// A model transformers saved as torch.save shards with pytorch_model.bin.index.json (tests/fixtures/diff/bin_sharded,
/// make_diff.py's bin_shards: b.pt's state dict in two shards, written by PyTorch): read whole through its index or its
/// folder, each shard checked against the index.
/// </summary>
public class PyTorchShardsTests
{
    private static readonly string Folder = Fixtures.Path("diff/bin_sharded");
    private static readonly string Index = Path.Combine(Folder, "pytorch_model.bin.index.json");

    [Theory]
    [InlineData("pytorch_model.bin.index.json")]
    [InlineData("")]
    public void The_index_or_its_folder_reads_every_tensor_as_the_unsharded_file_holds_it(string opened)
    {
        // Given the model saved whole by torch.save, and the same state dict in transformers' two .bin shards
        using var whole = Model.Open(Fixtures.Path("diff/b.pt"));
        using var sharded = Model.Open(Path.Combine(Folder, opened));

        // When the two are compared neuron by neuron
        var diff = ModelDiff.Compute(whole, sharded);

        // Then every tensor is there, under the same name, shape and dtype, and every neuron is the same
        Assert.Equal("pytorch", sharded.Checkpoint.Format);
        Assert.Equal(whole.Checkpoint.Tensors.Select(t => (t.Name, string.Join(",", t.Shape), t.DType)).Order(),
            sharded.Checkpoint.Tensors.Select(t => (t.Name, string.Join(",", t.Shape), t.DType)).Order());
        Assert.Empty(diff.OnlyInA);
        Assert.Empty(diff.OnlyInB);
        Assert.Equal(whole.Layers.Count, diff.Layers.Count);
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
        Assert.Equal(["pytorch_model.bin.index.json", "pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin"],
            sharded.Checkpoint.Files.Select(Path.GetFileName));
        Assert.Equal("2", sharded.Checkpoint.Metadata["shards"]);
    }

    [Fact]
    public void A_shard_opened_alone_is_the_state_dict_it_holds()
    {
        using var shard = Model.Open(Path.Combine(Folder, "pytorch_model-00002-of-00002.bin"));

        Assert.Equal(["fc2", "rnn.l0"], shard.Layers.Select(l => l.Name));
    }

    [Theory]
    [InlineData("conv.bias", null, "shard pytorch_model-00001-of-00002.bin holds tensor 'conv.bias', which pytorch_model.bin.index.json does not list")]
    [InlineData("conv.bias", "pytorch_model-00002-of-00002.bin", "shard pytorch_model-00001-of-00002.bin holds tensor 'conv.bias', which pytorch_model.bin.index.json places in pytorch_model-00002-of-00002.bin")]
    [InlineData("extra.weight", "pytorch_model-00002-of-00002.bin", "pytorch_model.bin.index.json places tensor 'extra.weight' in pytorch_model-00002-of-00002.bin, but pytorch_model-00002-of-00002.bin does not hold it")]
    public void A_shard_that_does_not_hold_what_the_index_says_is_refused(string tensor, string? shard, string message)
    {
        // Given a copy of the model whose index leaves a tensor out, places it in the other shard, or lists one no shard holds
        using var folder = new TempFolder();
        foreach (string file in Directory.GetFiles(Folder)) File.Copy(file, Path.Combine(folder.Path, Path.GetFileName(file)));
        var index = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Index))!;
        var map = index["weight_map"]!.AsObject();
        map.Remove(tensor);
        if (shard is not null) map[tensor] = shard;
        File.WriteAllText(Path.Combine(folder.Path, "pytorch_model.bin.index.json"), index.ToJsonString());

        var error = Assert.Throws<CheckpointException>(() => Model.Open(Path.Combine(folder.Path, "pytorch_model.bin.index.json")));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_shard_of_another_format_is_refused_by_name()
    {
        using var folder = new TempFolder();
        foreach (string file in Directory.GetFiles(Folder)) File.Copy(file, Path.Combine(folder.Path, Path.GetFileName(file)));
        File.Copy(Fixtures.Path("diff/b.safetensors"), Path.Combine(folder.Path, "pytorch_model-00002-of-00002.bin"), overwrite: true);

        var error = Assert.Throws<CheckpointException>(() => Model.Open(folder.Path));

        Assert.Equal("pytorch_model.bin.index.json names shard 'pytorch_model-00002-of-00002.bin', which is not a torch.save file as its first shard is",
            error.Message);
    }

    [Fact]
    public void A_sharded_model_is_edited_in_place_in_its_shards_and_not_pruned_into_one_file()
    {
        using var folder = new TempFolder();
        foreach (string file in Directory.GetFiles(Folder)) File.Copy(file, Path.Combine(folder.Path, Path.GetFileName(file)));
        using var output = new TempFile("pruned.bin", []);

        var edit = NeuronKit.Tests.Cli.CliRun.Of("edit", folder.Path, "fc2", "1", "--zero", "--in-place");
        var prune = NeuronKit.Tests.Cli.CliRun.Of("prune", folder.Path, "fc1", "0", "--consumer", "fc2", "-o", output.Path);

        // The edit writes into the second shard (its zip CRCs kept), which reads back zeroed; the prune is refused
        Assert.Equal(0, edit.Exit);
        Assert.Contains("pytorch_model-00002-of-00002.bin bytes", edit.Stdout);
        using (var edited = Model.Open(folder.Path))
            Assert.All(edited.Neuron("fc2", 1).Parts.SelectMany(p => p.ToDoubles()), v => Assert.Equal(0, v));
        Assert.Equal(File.ReadAllBytes(Path.Combine(Folder, "pytorch_model-00001-of-00002.bin")),
            File.ReadAllBytes(Path.Combine(folder.Path, "pytorch_model-00001-of-00002.bin")));
        Assert.Equal(2, prune.Exit);
        Assert.StartsWith("error: pytorch_model.bin.index.json is a model in 2 torch.save shards: prune writes one torch file", prune.Stderr);
    }

    [Fact]
    public void A_run_of_bin_sharded_checkpoints_measures_each_model_once_through_its_index()
    {
        using var run = new TempFolder();
        foreach (int step in new[] { 10, 20 })
        {
            string to = Directory.CreateDirectory(Path.Combine(run.Path, $"checkpoint-{step}")).FullName;
            foreach (string file in Directory.GetFiles(Folder)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        var plan = TrackRun.Plan(RunInputs.Expand([run.Path + "/checkpoint-*/*"]), RunShard.All);

        Assert.Equal([(10L, "pytorch_model.bin.index.json"), (20L, "pytorch_model.bin.index.json")],
            plan.Checkpoints.Select(c => (c.Step!.Value, Path.GetFileName(c.Path))));
        Assert.Equal(["checkpoint-10/pytorch_model.bin.index.json", "checkpoint-20/pytorch_model.bin.index.json"],
            RunInputs.Expand([run.Path + "/checkpoint-*"]).Select(p => Path.GetRelativePath(run.Path, p)));
    }
}
