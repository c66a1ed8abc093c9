using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Containers.Pickle;
using NeuronKit.Tests.Formats.PyTorch;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// A tensor torch.save kept expanded (<c>torch.zeros(1).expand(4)</c>, stride 0): every neuron's slice is the same stored
/// value, so an edit of one neuron must not change it (it would change them all), and a prune still cuts it.
/// </summary>
public class ExpandedTensorTests
{
    // fc.weight [4, 3] = 0..11, fc.bias [4] = 0.5 expanded from one stored value, head.weight [2, 4] = 1..8.
    private static string Write(TempFolder folder)
    {
        var pickle = new PickleBytes().Proto().Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Str("fc.weight").Tensor("FloatStorage", "0", 12, [4, 3]).SetItem()
            .Str("fc.bias").Tensor("FloatStorage", "1", 1, [4], strides: [0]).SetItem()
            .Str("head.weight").Tensor("FloatStorage", "2", 8, [2, 4]).SetItem().Stop();
        string path = Path.Combine(folder.Path, "expanded.pt");
        File.WriteAllBytes(path, TorchZipFile.Builder(pickle,
            ("0", TorchZipFile.Floats([.. Enumerable.Range(0, 12).Select(i => (float)i)])),
            ("1", TorchZipFile.Floats(0.5f)),
            ("2", TorchZipFile.Floats(1, 2, 3, 4, 5, 6, 7, 8))).Build());
        return path;
    }

    [Fact]
    public void Editing_one_neuron_leaves_the_expanded_bias_every_neuron_reads()
    {
        using var folder = new TempFolder();
        string model = Write(folder), output = Path.Combine(folder.Path, "edited.pt");

        var run = CliRun.Of("edit", model, "fc", "1", "--scale", "3", "-o", output);

        Assert.True(run.Exit == 0, run.Stderr);
        using var edited = Model.Open(output);
        Assert.Equal([0.5, 0.5, 0.5, 0.5], edited.Checkpoint.Find("fc.bias")!.View().ToDoubles());
        Assert.Equal([9.0, 12, 15], edited.Checkpoint.Find("fc.weight")!.View().Select(0, 1).ToDoubles());
        Assert.Equal([0.0, 1, 2], edited.Checkpoint.Find("fc.weight")!.View().Select(0, 0).ToDoubles());
    }

    [Fact]
    public void Asking_to_change_the_expanded_bias_is_refused_and_nothing_is_written()
    {
        using var folder = new TempFolder();
        string model = Write(folder);

        var run = CliRun.Of("edit", model, "fc", "1", "--scale", "2", "--part", "bias", "-o", Path.Combine(folder.Path, "edited.pt"));

        Assert.Equal(2, run.Exit);
        Assert.Contains("fc.bias[1] is one bias that every neuron of 'fc' shares (saved expanded (stride 0)", run.Stderr);
        Assert.Equal([model], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void A_prune_cuts_the_expanded_bias_with_the_rows()
    {
        using var folder = new TempFolder();
        string model = Write(folder), output = Path.Combine(folder.Path, "pruned.pt");

        var run = CliRun.Of("prune", model, "fc", "1", "--consumer", "head", "-o", output);

        Assert.True(run.Exit == 0, run.Stderr);
        using var pruned = Model.Open(output);
        Assert.Equal([0.5, 0.5, 0.5], pruned.Checkpoint.Find("fc.bias")!.View().ToDoubles());
        Assert.Equal([3L, 3], pruned.Checkpoint.Find("fc.weight")!.Shape);
        Assert.Equal([1.0, 3, 4, 5, 7, 8], pruned.Checkpoint.Find("head.weight")!.View().ToDoubles());
    }
}
