using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Formats.Safetensors;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// Grouped convolutions in a prune: a grouped target keeps its groups balanced or is refused (a depthwise filter cannot
/// go without its input channel), and a grouped ConvTranspose reading the target is refused as a grouped Conv is.
/// make_prune.py pins the balanced case and the ConvTranspose ones by a forward pass (PruneOracleTests).
/// </summary>
public class PruneGroupsTests
{
    [Theory]
    [InlineData("1", "'net.2' is a convolution of 2 groups of 3 filters: removing 1 and 0 filters from its groups in turn would unbalance them")]
    [InlineData("0,1,2", "removing 3 and 0 filters from its groups in turn")]
    [InlineData("0,4,5", "removing 1 and 2 filters from its groups in turn")]
    public void A_grouped_convolution_losing_other_than_as_many_filters_of_each_group_is_refused(string indices, string message)
    {
        using var folder = new TempFolder();

        var run = CliRun.Of("prune", Fixtures.Path("prune/grouped.pt"), "net.2", indices, "-o", Path.Combine(folder.Path, "pruned.pt"));

        Assert.Equal(2, run.Exit);
        Assert.Contains(message, run.Stderr);
        Assert.Contains("remove as many filters from each group (filters 0..2, 3..5, …)", run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void A_depthwise_filter_is_refused_for_its_input_channel_would_stay()
    {
        // Given conv 0 (6 filters) → depthwise conv 1 (6 groups of 1) → conv 2, as a Sequential's numbered children
        using var file = Sequential(("0.weight", [6, 3, 3, 3]), ("0.bias", [6]), ("1.weight", [6, 1, 3, 3]), ("1.bias", [6]),
            ("2.weight", [4, 6, 1, 1]), ("2.bias", [4]));

        var run = CliRun.Of("prune", file.Path, "1", "2", "--dry-run");

        Assert.Equal(2, run.Exit);
        Assert.Contains("'1' is a convolution of 6 groups of 1 filters (depthwise): removing a filter would leave its group's input channel with nothing to read it", run.Stderr);
    }

    [Fact]
    public void A_producer_of_a_grouped_ConvTranspose_is_refused_as_that_of_a_grouped_conv()
    {
        // Given conv 0 (4 filters) → ConvTranspose 1 of 2 groups (weight [4, 3, …], 6 outputs), as numbered children
        using var file = Sequential(("0.weight", [4, 3, 3, 3]), ("0.bias", [4]), ("1.weight", [4, 3, 3, 3]), ("1.bias", [6]));

        var run = CliRun.Of("prune", file.Path, "0", "1", "--dry-run");

        Assert.Equal(2, run.Exit);
        Assert.Contains("'1' reads '0' in 2 groups: removing a channel would unbalance its groups", run.Stderr);
    }

    // A safetensors file of float32 tensors 0.5, 1.5, … of the given names and shapes, in that order.
    private static TempFile Sequential(params (string Name, long[] Shape)[] tensors)
    {
        long offset = 0;
        var entries = new List<string>();
        foreach (var (name, shape) in tensors)
        {
            long bytes = shape.Aggregate(1L, (n, d) => n * d) * 4;
            entries.Add($"\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + bytes}]}}");
            offset += bytes;
        }
        return new TempFile("model.safetensors", SafetensorsBytes.Build($"{{{string.Join(",", entries)}}}", SafetensorsBytes.Floats((int)(offset / 4))));
    }
}
