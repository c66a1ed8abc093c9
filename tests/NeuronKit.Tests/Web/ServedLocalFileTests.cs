using System.Text.Json;
using NeuronKit.Adapters;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;
using NeuronKit.Web;

namespace NeuronKit.Tests.Web;

/// <summary>
/// A local file rewritten under <c>neuron serve</c> (torch.save and safetensors' save_file rewrite it in place, an edit
/// with --in-place renames a new file over it) is opened again by the next request, as a changed URL is; so is a file the
/// model reads beside it. A file caught mid-rewrite is the usual error answer, and the request after the rewrite works.
/// </summary>
public class ServedLocalFileTests
{
    [Fact]
    public async Task A_file_rewritten_in_place_is_read_again_and_while_truncated_it_is_an_error_answer_until_it_is_whole_again()
    {
        // Given neuron serve on a copy of a.pt, whose fc1 neuron 0 a request has read
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "model.pt");
        File.Copy(Fixtures.Path("diff/a.pt"), path);
        await using var served = await ServedFolder.Start([path]);
        Assert.Equal(Weights("diff/a.pt"), await ServedWeights(served));

        // When b.pt's layers, saved again with a layer added in front (other offsets in the zip), are written over it, as
        // torch.save does: truncated, then written
        Rewrite(path, "serve/resaved.pt");

        // Then the next request answers b's values
        Assert.Equal(Weights("diff/b.pt"), await ServedWeights(served));

        // When the file is caught truncated to a few bytes, half way through a save
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite)) file.SetLength(7);

        // Then the request is answered with the error of a file that cannot be read, neither b's values nor a crash
        var (status, body) = await served.Get("/api/show?file=0&layer=fc1&neuron=0");
        Assert.Equal(422, status);
        using (var error = JsonDocument.Parse(body))
            Assert.StartsWith("model.pt ", error.RootElement.GetProperty("error").GetString());

        // And once the save is done the next request works again, with the values written
        Rewrite(path, "diff/a.pt");
        Assert.Equal(Weights("diff/a.pt"), await ServedWeights(served));
    }

    [Fact]
    public async Task A_file_replaced_by_an_edit_in_place_is_read_again_and_the_model_it_replaces_is_disposed()
    {
        // Given neuron serve on a copy of a.safetensors, read once
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "model.safetensors");
        File.Copy(Fixtures.Path("diff/a.safetensors"), path);
        await using var served = await ServedFolder.Start([path]);
        Assert.Equal(Weights("diff/a.safetensors"), await ServedWeights(served));
        Model old;
        using (var lease = served.Server.Files.All[0].Lease()) old = lease.Model;

        // When neuron edit --in-place zeroes fc1's neuron 0 (a new file renamed over the old one)
        Assert.Equal(0, CliRun.Of("edit", path, "fc1", "0", "--zero", "--in-place").Exit);

        // Then the next request answers the edited values, from a model opened afresh; the old one is disposed
        Assert.All(await ServedWeights(served), v => Assert.Equal(0, v));
        Assert.Throws<ObjectDisposedException>(() => old.Neuron("fc1", 0).Part("weight")!.ToDoubles());
    }

    [Fact]
    public async Task A_file_replaced_by_another_of_the_same_length_and_write_time_is_read_again()
    {
        // Given neuron serve on a copy of a.safetensors, read once
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "model.safetensors");
        File.Copy(Fixtures.Path("diff/a.safetensors"), path);
        await using var served = await ServedFolder.Start([path]);
        Assert.Equal(Weights("diff/a.safetensors"), await ServedWeights(served));

        // When b.safetensors (as long) is renamed over it with a's write time, as rsync does with the times it copies
        string incoming = Path.Combine(folder.Path, ".model.safetensors.rsync");
        File.Copy(Fixtures.Path("diff/b.safetensors"), incoming);
        File.SetLastWriteTimeUtc(incoming, File.GetLastWriteTimeUtc(path));
        File.Move(incoming, path, overwrite: true);

        // Then the next request answers b's values: the path names another file (inode) now
        Assert.Equal(Weights("diff/b.safetensors"), await ServedWeights(served));
    }

    [Fact]
    public void A_sharded_model_is_opened_again_when_one_of_its_shards_changes()
    {
        // Given a served copy of a sharded model, named by its index
        using var folder = new TempFolder();
        foreach (string file in Directory.GetFiles(Fixtures.Path("safetensors/sharded"))) File.Copy(file, Path.Combine(folder.Path, Path.GetFileName(file)));
        string index = Path.Combine(folder.Path, "model.safetensors.index.json");
        using var files = new ServedFiles([index]);
        Model old;
        using (var lease = files.All[0].Lease()) old = lease.Model;

        // When fc's neuron 1 is zeroed in its shard, the index untouched
        Assert.Equal(0, CliRun.Of("edit", index, "fc", "1", "--zero", "--in-place").Exit);

        // Then the next request reads a model opened afresh, with the zeroed neuron
        using var later = files.All[0].Lease();
        Assert.NotSame(old, later.Model);
        Assert.All(later.Model.Neuron("fc", 1).Part("weight")!.ToDoubles(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void A_sharded_model_is_opened_again_when_only_its_index_changes()
    {
        // Given a served copy of a sharded model, named by its index, and beside it copies of its two shards with fc's
        // neuron 1 zeroed, which the index does not name yet
        using var folder = new TempFolder();
        using var zeroed = new TempFolder();
        foreach (var copy in new[] { folder, zeroed })
            foreach (string file in Directory.GetFiles(Fixtures.Path("safetensors/sharded")))
                File.Copy(file, Path.Combine(copy.Path, Path.GetFileName(file)));
        Assert.Equal(0, CliRun.Of("edit", Path.Combine(zeroed.Path, "model.safetensors.index.json"), "fc", "1", "--zero", "--in-place").Exit);
        foreach (string shard in new[] { "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors" })
            File.Copy(Path.Combine(zeroed.Path, shard), Path.Combine(folder.Path, "zeroed-" + shard));
        string index = Path.Combine(folder.Path, "model.safetensors.index.json");
        using var files = new ServedFiles([index]);
        Model old;
        using (var lease = files.All[0].Lease()) old = lease.Model;
        Assert.NotEqual(0, old.Neuron("fc", 1).Part("weight")!.ToDoubles()[0]);

        // When only the index is saved again, placing every tensor in the zeroed copies; no shard is touched
        File.WriteAllText(index, File.ReadAllText(index).Replace("\"model-0", "\"zeroed-model-0"));

        // Then the next request reads a model opened afresh through the new index, with the zeroed neuron
        using var later = files.All[0].Lease();
        Assert.NotSame(old, later.Model);
        Assert.All(later.Model.Neuron("fc", 1).Part("weight")!.ToDoubles(), v => Assert.Equal(0, v));
    }

    [Theory]
    [InlineData("safetensors/sharded", "model.safetensors.index.json")]
    [InlineData("diff/bin_sharded", "pytorch_model.bin.index.json")]
    [InlineData("flax/sharded", "flax_model.msgpack.index.json")]
    public void A_model_of_any_sharded_format_is_read_through_its_index_as_it_is_now(string fixture, string indexName)
    {
        // Given a served copy of a sharded model, named by its index, and copies of its shards under other names beside it
        using var folder = new TempFolder();
        foreach (string file in Directory.GetFiles(Fixtures.Path(fixture))) File.Copy(file, Path.Combine(folder.Path, Path.GetFileName(file)));
        string index = Path.Combine(folder.Path, indexName);
        string[] shards = [.. Directory.GetFiles(folder.Path).Select(Path.GetFileName).Where(f => f != indexName).Select(f => f!)];
        foreach (string shard in shards) File.Copy(Path.Combine(folder.Path, shard), Path.Combine(folder.Path, "moved-" + shard));
        using var files = new ServedFiles([index]);
        Model old;
        using (var lease = files.All[0].Lease()) old = lease.Model;

        // When only the index is saved again, naming the copies
        string json = File.ReadAllText(index);
        foreach (string shard in shards) json = json.Replace($"\"{shard}\"", $"\"moved-{shard}\"");
        File.WriteAllText(index, json);

        // Then the next request reads a model opened afresh from the shards the index names now
        using var later = files.All[0].Lease();
        Assert.NotSame(old, later.Model);
        Assert.Equal([index, .. shards.Select(s => Path.Combine(folder.Path, "moved-" + s)).Order(StringComparer.Ordinal)],
            [later.Model.Checkpoint.Files[0], .. later.Model.Checkpoint.Files.Skip(1).Order(StringComparer.Ordinal)]);
    }

    [Fact]
    public void An_onnx_model_is_opened_again_when_its_external_data_file_changes()
    {
        // Given a served copy of external.onnx and its external.bin
        using var folder = new TempFolder();
        string model = Path.Combine(folder.Path, "external.onnx");
        File.Copy(Fixtures.Path("onnx/external.onnx"), model);
        File.Copy(Fixtures.Path("onnx/external.bin"), Path.Combine(folder.Path, "external.bin"));
        using var files = new ServedFiles([model]);
        Model old;
        using (var lease = files.All[0].Lease()) old = lease.Model;

        // When external.bin alone is replaced by a copy whose first weights are zero, as a save beside the model writes it
        string bin = Path.Combine(folder.Path, "external.bin");
        byte[] bytes = File.ReadAllBytes(bin);
        Array.Clear(bytes, 0, 16);
        File.WriteAllBytes(bin + ".new", bytes);
        File.Move(bin + ".new", bin, overwrite: true);

        // Then the next request reads a model opened afresh, with fc's neuron 0 zeroed (its weights are bytes 0..16)
        using var later = files.All[0].Lease();
        Assert.NotSame(old, later.Model);
        Assert.All(later.Model.Neuron("fc", 0).Part("weight")!.ToDoubles(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void An_adapter_served_over_a_base_is_opened_again_when_the_base_changes()
    {
        // Given the LoRA adapter served merged into a copy of its base (serve adapter --base base.safetensors)
        using var folder = new TempFolder();
        string @base = Path.Combine(folder.Path, "base.safetensors");
        File.Copy(Fixtures.Path("diff/lora/base.safetensors"), @base);
        using var files = new ServedFiles([Fixtures.Path("diff/lora/adapter")], @base);
        Model old;
        using (var lease = files.All[0].Lease()) old = lease.Model;

        // When the base's up_proj neuron 3 is zeroed in place
        Assert.Equal(0, CliRun.Of("edit", @base, "model.layers.0.mlp.up_proj", "3", "--zero", "--in-place").Exit);

        // Then the next request reads the adapter merged into the new base, as opening both afresh gives it
        using var later = files.All[0].Lease();
        Assert.NotSame(old, later.Model);
        using var expected = LoraAdapter.Open(Fixtures.Path("diff/lora/adapter"), @base);
        Assert.Equal(expected.Neuron("model.layers.0.mlp.up_proj", 3).Part("weight")!.ToDoubles(),
            later.Model.Neuron("model.layers.0.mlp.up_proj", 3).Part("weight")!.ToDoubles());
    }

    // The fixture's bytes written over path as Python's open(path, "wb") does: truncated and written in place, the same
    // inode, no lock taken (File.Copy takes .NET's exclusive lock, which the server's open file would refuse).
    internal static void Rewrite(string path, string fixture)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
        file.Write(File.ReadAllBytes(Fixtures.Path(fixture)));
    }

    private static double[] Weights(string fixture)
    {
        using var model = Model.Open(Fixtures.Path(fixture));
        return model.Neuron("fc1", 0).Part("weight")!.ToDoubles();
    }

    // fc1's neuron 0 as the server answers it: the values of its weight part.
    private static async Task<double[]> ServedWeights(ServedFolder served)
    {
        var (status, body) = await served.Get("/api/show?file=0&layer=fc1&neuron=0");
        Assert.True(status == 200, body);
        using var json = JsonDocument.Parse(body);
        var weight = json.RootElement.GetProperty("parts").EnumerateArray().Single(p => p.GetProperty("role").GetString() == "weight");
        return [.. weight.GetProperty("values").EnumerateArray().Select(v => v.GetDouble())];
    }
}
