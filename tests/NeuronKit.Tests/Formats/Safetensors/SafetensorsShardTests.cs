using NeuronKit.Formats;

namespace NeuronKit.Tests.Formats.Safetensors;

public class SafetensorsShardTests
{
    private const string Index = "model.safetensors.index.json";
    private const string First = "model-00001-of-00002.safetensors";
    private const string Second = "model-00002-of-00002.safetensors";

    private static string Sharded(string name) => Fixtures.Path(Path.Combine("safetensors", "sharded", name));

    /// <summary>A temporary folder with copies of the sharded fixture's files.</summary>
    private sealed class ModelFolder : IDisposable
    {
        public ModelFolder(params string[] files)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "neuronkit-shards-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
            foreach (var file in files) System.IO.File.Copy(Sharded(file), File(file));
        }

        public string Path { get; }

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    [Fact]
    public void The_index_and_any_shard_open_the_same_whole_model()
    {
        using var byIndex = CheckpointFormats.Open(Sharded(Index));
        using var byFirst = CheckpointFormats.Open(Sharded(First));
        using var bySecond = CheckpointFormats.Open(Sharded(Second));

        Assert.Equal(8, byIndex.Tensors.Count);
        Assert.Equal(byIndex.Tensors.Select(t => t.Name), byFirst.Tensors.Select(t => t.Name));
        Assert.Equal(byIndex.Tensors.Select(t => t.Name), bySecond.Tensors.Select(t => t.Name));
        Assert.Equal(Index, byFirst.Metadata["index"]);
        Assert.Equal("2", byFirst.Metadata["shards"]);
        Assert.Equal("pt", byFirst.Metadata["format"]);
        Assert.True(long.Parse(byIndex.Metadata["total_size"]) == byIndex.Tensors.Sum(t => t.ByteSize));
    }

    [Fact]
    public void A_layer_split_across_shards_reads_each_part_from_its_own_shard()
    {
        using var model = Model.Open(Sharded(Index));

        var conv = model.Layer("conv1");

        var storages = conv.Tensors.Select(t => t.Tensor.Storage.Source).Distinct().Count();
        Assert.Equal(2, storages);
    }

    [Fact]
    public void A_shard_without_an_index_beside_it_opens_alone()
    {
        using var folder = new ModelFolder(Second);

        using var checkpoint = CheckpointFormats.Open(folder.File(Second));

        Assert.Equal(4, checkpoint.Tensors.Count);
        Assert.False(checkpoint.Metadata.ContainsKey("index"));
    }

    [Fact]
    public void An_unrelated_or_broken_index_beside_a_file_does_not_stop_it_opening()
    {
        using var folder = new ModelFolder(Second);
        File.WriteAllText(folder.File("other.safetensors.index.json"), "{\"weight_map\": {\"x\": \"elsewhere.safetensors\"}}");
        File.WriteAllText(folder.File("broken.safetensors.index.json"), "{\"weight_map\": {\"x\": ");

        using var checkpoint = CheckpointFormats.Open(folder.File(Second));

        Assert.Equal(4, checkpoint.Tensors.Count);
    }

    [Fact]
    public void Two_indexes_listing_one_shard_are_refused_as_ambiguous()
    {
        using var folder = new ModelFolder(Index, First, Second);
        File.Copy(folder.File(Index), folder.File("copy.safetensors.index.json"));

        var e = Assert.Throws<CheckpointException>(() => CheckpointFormats.Open(folder.File(First)));

        Assert.Contains("is a shard of 2 indexes", e.Message);
    }

    [Fact]
    public void A_symlinked_shard_is_refused_and_not_read()
    {
        // Given an index whose second shard is a symbolic link to a real shard elsewhere
        using var folder = new ModelFolder(Index, First);
        File.CreateSymbolicLink(folder.File(Second), Sharded(Second));

        // When the model is opened
        var run = Cli.CliRun.Of("layers", folder.File(Index));

        // Then it is refused, exit 3
        Assert.Equal(3, run.Exit);
        Assert.Contains($"names shard '{Second}', which is a symbolic link", run.Stderr);
    }

    [Fact]
    public void A_shard_that_is_not_safetensors_is_refused()
    {
        using var folder = new ModelFolder(Index, First);
        File.Copy(Fixtures.PyTorch("seed_linear.pt"), folder.File(Second));

        var e = Assert.Throws<CheckpointException>(() => CheckpointFormats.Open(folder.File(Index)));

        Assert.Equal($"{Index} names shard '{Second}', which is not a safetensors file", e.Message);
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("C:model.safetensors")]
    [InlineData("sub\\\\model.safetensors")]
    [InlineData("model.safetensors\\u0000.txt")]
    public void Shard_names_that_could_leave_the_folder_are_refused(string shard)
    {
        using var folder = new ModelFolder(First);
        File.WriteAllText(folder.File(Index), $"{{\"weight_map\": {{\"fc.weight\": \"{shard}\"}}}}");

        var e = Assert.Throws<CheckpointException>(() => CheckpointFormats.Open(folder.File(Index)));

        Assert.Contains("which is refused: a shard must be a plain file name", e.Message);
    }

    [Fact]
    public void A_json_file_without_weight_map_is_not_an_index()
    {
        using var folder = new ModelFolder();
        File.WriteAllText(folder.File("config.json"), "{\"metadata\": {\"total_size\": 1}}");

        var e = Assert.Throws<CheckpointException>(() => CheckpointFormats.Open(folder.File("config.json")));

        Assert.Equal("config.json is JSON but not a safetensors index: it has no weight_map", e.Message);
    }
}
