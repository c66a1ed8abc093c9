using NeuronKit.Formats;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;
using NeuronKit.Track;

namespace NeuronKit.Tests.Formats.Flax;

/// <summary>
/// Flax's msgpack parameter files (tests/fixtures/flax, make_flax.py, checked against PyTorch by the oracle tests): what
/// the reader says beyond the values, a training checkpoint's collections, and edits written back in place.
/// </summary>
public class FlaxReaderTests
{
    private static string Fixture(string file) => Fixtures.Path("flax/" + file);

    [Fact]
    public void A_transformers_file_names_each_array_by_its_path_in_the_tree()
    {
        using var model = Model.Open(Fixture("flax_model.msgpack"));

        Assert.Equal("flax", model.Checkpoint.Format);
        Assert.Equal(["embeddings.word_embeddings.embedding", "embeddings.LayerNorm.bias", "embeddings.LayerNorm.scale",
                "encoder.layer.0.dense.bias", "encoder.layer.0.dense.kernel", "head.bias", "head.kernel"],
            model.Checkpoint.Tensors.Select(t => t.Name));
        Assert.Equal("7", model.Checkpoint.Metadata["arrays"]);
        Assert.False(model.Checkpoint.Metadata.ContainsKey("collections"));
    }

    [Fact]
    public void A_training_checkpoint_s_params_and_batch_stats_meet_in_one_layer_and_its_step_is_the_checkpoint_s()
    {
        using var model = Model.Open(Fixture("checkpoint.msgpack"));

        Assert.Equal(["Conv_0", "BatchNorm_0", "Dense_0"], model.Layers.Select(l => l.Name));
        Assert.Equal(["bias", "scale", "mean", "var"], model.Layer("BatchNorm_0").Tensors.Select(t => LayerCandidateRole(t.Tensor.Name)));
        Assert.Equal("params, batch_stats, opt_state", model.Checkpoint.Metadata["collections"]);
        Assert.Equal(120, CheckpointStep.Of(model.Checkpoint));
        Assert.Equal(["opt_state."], model.Checkpoint.Graph.NonLayerPrefixes);
    }

    private static string LayerCandidateRole(string name) => name[(name.LastIndexOf('.') + 1)..];

    [Fact]
    public void An_edit_writes_into_the_array_in_place()
    {
        // Given a copy of a transformers Flax file
        using var folder = new TempFolder();
        string copy = Path.Combine(folder.Path, "flax_model.msgpack");
        File.Copy(Fixture("flax_model.msgpack"), copy);
        var before = File.ReadAllBytes(copy);

        // When neuron 3 of the dense layer is zeroed in place
        var run = CliRun.Of("edit", copy, "encoder.layer.0.dense", "3", "--zero", "--in-place");

        // Then its kernel column and bias read zero, its neighbour is as it was, and only those bytes changed
        Assert.True(run.Exit == 0, run.Stderr);
        using var model = Model.Open(copy);
        using var original = Model.Open(Fixture("flax_model.msgpack"));
        Assert.All(model.Neuron("encoder.layer.0.dense", 3).Parts, p => Assert.All(p.ToDoubles(), v => Assert.Equal(0, v)));
        Assert.Equal(original.Neuron("encoder.layer.0.dense", 2).Parts[0].ToDoubles(), model.Neuron("encoder.layer.0.dense", 2).Parts[0].ToDoubles());
        var after = File.ReadAllBytes(copy);
        Assert.Equal(before.Length, after.Length);
        Assert.InRange(before.Zip(after).Count(b => b.First != b.Second), 1, 7 * 4);
    }

    [Fact]
    public void A_sharded_model_reads_whole_through_its_index_and_its_folder_opens_the_index()
    {
        // Given the shards and their index in a folder beside another msgpack file (a TrainState's)
        using var folder = new TempFolder();
        foreach (string file in Directory.GetFiles(Fixture("sharded"))) File.Copy(file, Path.Combine(folder.Path, Path.GetFileName(file)));
        File.Copy(Fixture("checkpoint.msgpack"), Path.Combine(folder.Path, "train_state.msgpack"));

        using var model = Model.Open(folder.Path);

        Assert.Equal("flax", model.Checkpoint.Format);
        Assert.EndsWith("flax_model.msgpack.index.json", model.Checkpoint.Path);
        Assert.Equal("2", model.Checkpoint.Metadata["shards"]);
        Assert.Equal(3, model.Checkpoint.Files.Count);
        Assert.Equal(["embeddings.word_embeddings", "embeddings.LayerNorm", "encoder.layer.0.dense", "head"], model.Layers.Select(l => l.Name));
    }

    [Fact]
    public void A_shard_that_holds_an_array_the_index_places_elsewhere_is_refused()
    {
        using var folder = new TempFolder();
        foreach (string file in Directory.GetFiles(Fixture("sharded"))) File.Copy(file, Path.Combine(folder.Path, Path.GetFileName(file)));
        string index = Path.Combine(folder.Path, "flax_model.msgpack.index.json");
        File.WriteAllText(index, File.ReadAllText(index).Replace("\"head/bias\": \"flax_model-00002-of-00002.msgpack\"", "\"head/bias\": \"flax_model-00001-of-00002.msgpack\""));

        var refused = Assert.Throws<CheckpointException>(() => Model.Open(index));

        Assert.Contains("flax_model.msgpack.index.json places tensor 'head/bias' in flax_model-00001-of-00002.msgpack, but flax_model-00001-of-00002.msgpack does not hold it", refused.Message);
    }

    [Fact]
    public void An_edit_of_a_sharded_model_writes_into_the_shard_that_holds_the_part_and_a_prune_is_refused()
    {
        using var folder = new TempFolder();
        foreach (string file in Directory.GetFiles(Fixture("sharded"))) File.Copy(file, Path.Combine(folder.Path, Path.GetFileName(file)));
        string index = Path.Combine(folder.Path, "flax_model.msgpack.index.json");
        var first = File.ReadAllBytes(Path.Combine(folder.Path, "flax_model-00001-of-00002.msgpack"));

        var edit = CliRun.Of("edit", index, "encoder.layer.0.dense", "3", "--zero", "--in-place");
        var prune = CliRun.Of("prune", index, "encoder.layer.0.dense", "3", "--consumer", "head", "-o", Path.Combine(folder.Path, "pruned.msgpack"));

        Assert.True(edit.Exit == 0, edit.Stderr);
        using (var model = Model.Open(index))
            Assert.All(model.Neuron("encoder.layer.0.dense", 3).Parts, p => Assert.All(p.ToDoubles(), v => Assert.Equal(0, v)));
        Assert.Equal(first, File.ReadAllBytes(Path.Combine(folder.Path, "flax_model-00001-of-00002.msgpack")));
        Assert.Equal(2, prune.Exit);
        Assert.Contains("flax_model.msgpack.index.json is a sharded model: prune writes one Flax file", prune.Stderr);
    }

    [Fact]
    public void A_model_folder_opens_its_flax_model_msgpack()
    {
        using var folder = new TempFolder();
        File.Copy(Fixture("flax_model.msgpack"), Path.Combine(folder.Path, "flax_model.msgpack"));
        File.WriteAllText(Path.Combine(folder.Path, "config.json"), "{\"model_type\": \"bert\"}");

        using var model = Model.Open(folder.Path);

        Assert.Equal("flax", model.Checkpoint.Format);
        Assert.Equal(4, model.Layers.Count);
    }

    [Theory]
    [InlineData(new byte[] { 0x93, 0x01, 0x02, 0x03 }, "data.msgpack is not a checkpoint NeuronKit can read")]            // a list
    [InlineData(new byte[] { 0x80, 0x02, 0x8a, 0x0a }, "data.msgpack is not a checkpoint NeuronKit can read")]            // a pickle's start
    [InlineData(new byte[] { 0x81, 0xa1, 0x61, 0xdd, 0x7f, 0xff, 0xff, 0xff }, "declares a msgpack array of 2,147,483,647 values")]
    [InlineData(new byte[] { 0x81, 0xa1, 0x61, 0xc1 }, "holds the byte 0xc1, which begins no msgpack value")]
    [InlineData(new byte[] { 0x81, 0xa2, 0xff, 0xfe, 0x01 }, "holds a msgpack string that is not UTF-8")]
    [InlineData(new byte[] { 0x81, 0xa1, 0x61, 0x01, 0x00 }, "1 bytes follow its msgpack value")]
    [InlineData(new byte[] { 0x81, 0xa1, 0x61, 0xc7, 0x03, 0x01, 0x93, 0x90, 0xa1 }, "(array 'a') is truncated or corrupt")]
    public void Bytes_that_are_no_Flax_tree_are_refused_saying_where(byte[] bytes, string message)
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "data.msgpack");
        File.WriteAllBytes(path, bytes);

        Assert.Contains(message, Assert.Throws<CheckpointException>(() => Model.Open(path)).Message);
    }

    [Fact]
    public void Containers_nested_beyond_the_limit_are_refused()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "deep.msgpack");
        File.WriteAllBytes(path, [0x81, 0xa1, 0x61, .. Enumerable.Repeat((byte)0x91, 100), 0x01]);

        Assert.Contains("nests msgpack containers more than 64 deep", Assert.Throws<CheckpointException>(() => Model.Open(path)).Message);
    }
}
