using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Formats.Safetensors;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// Grouped convolutions in a prune: a grouped target keeps its groups balanced or loses whole groups, which take the input
/// channels they read along from the layers that make them (refused where none does), and the other way round; its
/// producer loses whole groups or the same channels of every group, or is refused (a depthwise convolution's every channel
/// is a group). A grouped ConvTranspose (weight [in, out/groups, …]) loses whole groups (their rows) with the channels
/// they are made from, and the other way round, or the same output channels of every group (a column of dim 1), or as
/// many input channels of every group (rows); anything else is refused. make_prune.py pins the balanced, whole-group and
/// same-channel cases, the depthwise ones and the ConvTranspose ones by a forward pass (PruneOracleTests, PruneOnnxTests).
/// </summary>
public class PruneGroupsTests
{
    [Theory]
    [InlineData("1", "'net.2' is a convolution of 2 groups of 3 filters: removing 1 and 0 filters from its groups in turn would unbalance them")]
    [InlineData("0,4,5", "removing 1 and 2 filters from its groups in turn")]
    [InlineData("0,1,2,3", "removing 3 and 1 filters from its groups in turn")]
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
    public void A_whole_group_of_filters_takes_the_channels_it_reads_along()
    {
        // Given conv net.0 (6 filters) → net.2 of 2 groups (3 channels into 3 filters each) → 1×1 conv net.4
        var run = CliRun.Of("prune", Fixtures.Path("prune/grouped.pt"), "net.2", "0,1,2", "--dry-run");

        Assert.Equal(0, run.Exit);
        Assert.Contains("net.2: removes 3 neurons (0, 1, 2), 6 → 3", run.Stdout);
        Assert.Contains("net.0: removes 3 neurons (0, 1, 2), 6 → 3", run.Stdout);
        Assert.Contains("net.2.weight  [6, 3, 3, 3] → [3, 3, 3, 3]  dim 0: 0..2", run.Stdout);
        Assert.DoesNotContain("dim 1", run.Stdout.Split('\n').Single(l => l.Contains("net.2.weight")));
        Assert.Contains("note: 'net.0' loses the channels that those filters read: 'net.2' is a convolution of 2 groups, whose filters of a group " +
            "read that group's 3 channels alone, and go with them", run.Stderr);
    }

    [Fact]
    public void A_whole_group_of_channels_takes_the_filters_that_read_it_along()
    {
        var run = CliRun.Of("prune", Fixtures.Path("prune/grouped.pt"), "net.0", "3,4,5", "--dry-run");

        Assert.Equal(0, run.Exit);
        Assert.Contains("net.2: removes 3 neurons (3, 4, 5), 6 → 3", run.Stdout);
        Assert.Contains("net.4.weight  [2, 6, 1, 1] → [2, 3, 1, 1]  dim 1: 3..5", run.Stdout);
        Assert.Contains("note: 'net.2' loses the groups whose channels those are: it is a convolution of 2 groups, whose 3 filters of a group " +
            "read that group's 3 channels alone, and go with them (it has a group fewer for each)", run.Stderr);
    }

    [Fact]
    public void The_same_channels_of_every_group_leave_the_groups_reading_fewer_each()
    {
        var run = CliRun.Of("prune", Fixtures.Path("prune/grouped.pt"), "net.0", "1,4", "--dry-run");

        Assert.Equal(0, run.Exit);
        Assert.Contains("net.2.weight  [6, 3, 3, 3] → [6, 2, 3, 3]  dim 1: 1", run.Stdout);
        Assert.DoesNotContain("net.2: removes", run.Stdout);
        Assert.DoesNotContain("note:", run.Stderr);
    }

    [Theory]
    [InlineData("0,2", "channels 0, 2 of group 0 and none of group 1")]
    [InlineData("1,5", "channel 1 of group 0 and channel 5 of group 1")]
    [InlineData("0,1,2,4", "all of group 0 and channel 4 of group 1")]
    public void A_producer_losing_other_than_whole_groups_or_the_same_channels_of_each_is_refused(string indices, string removes)
    {
        using var folder = new TempFolder();

        var run = CliRun.Of("prune", Fixtures.Path("prune/grouped.pt"), "net.0", indices, "-o", Path.Combine(folder.Path, "pruned.pt"));

        Assert.Equal(2, run.Exit);
        Assert.Contains("'net.2' is a convolution that reads the channels of 'net.0' in 2 groups of 3: a prune removes whole groups of them, with " +
            $"the filters that read them, or the same channels of every group, and this one removes {removes}", run.Stderr);
        Assert.Contains("remove whole groups (channels 0..2, 3..5, …), which take the filters of 'net.2' that read them along, or the same " +
            "channel of each group (0, 3), or ablate with neuron edit --zero --outgoing instead", run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void Of_many_groups_the_refusal_counts_them()
    {
        // Given conv 0 (16 filters) → conv 1 of 8 groups of 2 → conv 2
        using var file = Sequential(("0.weight", [16, 3, 3, 3]), ("0.bias", [16]), ("1.weight", [16, 2, 3, 3]), ("1.bias", [16]),
            ("2.weight", [4, 16, 1, 1]), ("2.bias", [4]));

        var run = CliRun.Of("prune", file.Path, "0", "0,3", "--dry-run");

        Assert.Equal(2, run.Exit);
        Assert.Contains("'1' is a convolution that reads the channels of '0' in 8 groups of 2: a prune removes whole groups of them, with the filters " +
            "that read them, or the same channels of every group, and this one removes 2 channels from 2 of its 8 groups, not the same ones of each", run.Stderr);
        Assert.Contains("or the same channel of each group (0, 2, 4, …)", run.Stderr);
    }

    [Fact]
    public void A_depthwise_filter_takes_the_channel_it_reads_along()
    {
        // Given conv 0 (6 filters) → depthwise conv 1 (6 groups of 1) → conv 2, as a Sequential's numbered children
        using var file = Sequential(("0.weight", [6, 3, 3, 3]), ("0.bias", [6]), ("1.weight", [6, 1, 3, 3]), ("1.bias", [6]),
            ("2.weight", [4, 6, 1, 1]), ("2.bias", [4]));

        var run = CliRun.Of("prune", file.Path, "1", "2", "--dry-run");

        Assert.Equal(0, run.Exit);
        Assert.Contains("1: removes 1 neuron (2), 6 → 5", run.Stdout);
        Assert.Contains("0: removes 1 neuron (2), 6 → 5", run.Stdout);
        Assert.Contains("2.weight  [4, 6, 1, 1] → [4, 5, 1, 1]  dim 1: 2", run.Stdout);
        Assert.Contains("note: '0' loses the channels that those filters read: '1' is a depthwise convolution, whose filters of a channel " +
            "read that channel alone, and go with it", run.Stderr);
    }

    [Fact]
    public void A_channel_takes_its_depthwise_filters_along()
    {
        // Given the same, conv 1 of two filters per channel (12 filters in 6 groups)
        using var file = Sequential(("0.weight", [6, 3, 3, 3]), ("0.bias", [6]), ("1.weight", [12, 1, 3, 3]), ("1.bias", [12]),
            ("2.weight", [4, 12, 1, 1]), ("2.bias", [4]));

        var run = CliRun.Of("prune", file.Path, "0", "4", "--dry-run");

        Assert.Equal(0, run.Exit);
        Assert.Contains("1: removes 2 neurons (8, 9), 12 → 10", run.Stdout);
        Assert.Contains("2.weight  [4, 12, 1, 1] → [4, 10, 1, 1]  dim 1: 8, 9", run.Stdout);
        Assert.Contains("note: '1' loses the filters that read those channels: it is a depthwise convolution, whose 2 filters of a channel " +
            "of '0' read that channel alone", run.Stderr);
    }

    [Theory]
    [InlineData("2", "removing 1 filter from 1 of its 6 groups would unbalance them")]
    [InlineData("0,1,3", "removing 3 filters from 2 of its 6 groups would unbalance them")]
    public void A_depthwise_convolution_losing_part_of_a_group_and_not_of_the_others_is_refused(string indices, string message)
    {
        // Given conv 0 (6 filters) → depthwise conv 1 of two filters per channel → conv 2
        using var file = Sequential(("0.weight", [6, 3, 3, 3]), ("0.bias", [6]), ("1.weight", [12, 1, 3, 3]), ("1.bias", [12]),
            ("2.weight", [4, 12, 1, 1]), ("2.bias", [4]));

        var run = CliRun.Of("prune", file.Path, "1", indices, "--dry-run");

        Assert.Equal(2, run.Exit);
        Assert.Contains($"'1' is a convolution of 6 groups of 2 filters (depthwise: 2 per input channel): {message}", run.Stderr);
        Assert.Contains("remove as many filters from each group (filters 0..1, 2..3, …), or all the filters of a group, which take its " +
            "input channel along, or ablate with neuron edit --zero --outgoing instead", run.Stderr);
    }

    [Theory]
    [InlineData("1")]     // the model's input channel 1
    [InlineData("1,4")]   // and the conv's channel 1 beside it, which could go
    public void A_depthwise_filter_whose_input_channel_no_layer_makes_is_refused(string indices)
    {
        // Given x → Concat(x, conv(x)) → depthwise conv of 6 groups → 1×1 conv, exported by torch.onnx (make_prune.py)
        var run = CliRun.Of("prune", Fixtures.Path("prune/depthwise_concat.onnx"), "/depthwise/Conv", indices, "--dry-run");

        Assert.Equal(2, run.Exit);
        Assert.Contains("'/depthwise/Conv' is a depthwise convolution: its input channel 1 goes with the filter 1 that reads it " +
            "alone, but no layer NeuronKit can cut makes that channel (a model input, or what the file's graph does not say)", run.Stderr);
    }

    [Fact]
    public void A_depthwise_filter_reading_a_layer_s_channel_past_the_model_input_s_takes_that_channel_along()
    {
        // Given depthwise_concat.onnx, whose x declares its 3 channels: the depthwise's input channel 4 is the conv's channel 1
        var run = CliRun.Of("prune", Fixtures.Path("prune/depthwise_concat.onnx"), "/depthwise/Conv", "4", "--dry-run");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("'/conv/Conv' loses the channels that those filters read: '/depthwise/Conv' is a depthwise convolution", run.Stdout + run.Stderr);
    }

    [Fact]
    public void A_whole_group_whose_input_channels_no_layer_makes_is_refused()
    {
        // Given x (4 channels) → conv of 2 groups → 1×1 conv, exported by torch.onnx (make_prune.py)
        var run = CliRun.Of("prune", Fixtures.Path("prune/grouped_input.onnx"), "/grouped/Conv", "0,1", "--dry-run");

        Assert.Equal(2, run.Exit);
        Assert.Contains("'/grouped/Conv' is a convolution of 2 groups: its input channels 0..1 go with the filters 0..1 that read them alone, " +
            "but no layer NeuronKit can cut makes them (a model input, or what the file's graph does not say)", run.Stderr);
    }

    [Fact]
    public void A_producer_of_a_grouped_ConvTranspose_losing_part_of_one_group_is_refused()
    {
        // Given conv 0 (4 filters) → ConvTranspose 1 of 2 groups (weight [4, 3, …], 6 outputs), as numbered children
        using var file = Sequential(("0.weight", [4, 3, 3, 3]), ("0.bias", [4]), ("1.weight", [4, 3, 3, 3]), ("1.bias", [6]));

        var run = CliRun.Of("prune", file.Path, "0", "1", "--dry-run");

        Assert.Equal(2, run.Exit);
        Assert.Contains("'1' is a transposed convolution that reads the channels of '0' in 2 groups of 2: a prune removes whole groups of them, " +
            "with the output channels made from them, or as many channels of every group, and this one removes channel 1 of group 0 and none of group 1", run.Stderr);
        Assert.Contains("remove whole groups (channels 0..1, 2..3, …), which take the output channels of '1' made from them along, or as many " +
            "channels of each group (one of each: 0, 2), or ablate with neuron edit --zero --outgoing instead", run.Stderr);
    }

    [Fact]
    public void A_whole_group_of_a_grouped_ConvTranspose_s_channels_takes_its_output_channels_along()
    {
        // Given conv net.0 (6 filters) → BatchNorm → ConvTranspose net.3 of 2 groups (weight [6, 2, 3, 3]: 3 input rows and 2
        // output channels each) → BatchNorm net.4 → 1×1 conv net.6 (make_prune.py)
        var run = CliRun.Of("prune", Fixtures.Path("prune/grouped_deconv.pt"), "net.0", "3,4,5", "--dry-run");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("net.3: removes 2 neurons (2, 3), 4 → 2", run.Stdout);
        Assert.Contains("net.3.weight        [6, 2, 3, 3] → [3, 2, 3, 3]  dim 0: 3..5", run.Stdout);
        Assert.Contains("net.3.bias          [4] → [2]                    dim 0: 2, 3", run.Stdout);
        Assert.Contains("net.4.running_var   [4] → [2]                    dim 0: 2, 3", run.Stdout);
        Assert.Contains("net.6.weight        [2, 4, 1, 1] → [2, 2, 1, 1]  dim 1: 2, 3", run.Stdout);
        Assert.Contains("note: 'net.3' loses the groups whose channels those are: it is a transposed convolution of 2 groups, whose 2 output " +
            "channels of a group are made from that group's 3 channels alone, and go with them (it has a group fewer for each)", run.Stderr);
    }

    [Fact]
    public void A_whole_group_of_a_grouped_ConvTranspose_s_output_channels_takes_the_channels_they_are_made_from_along()
    {
        var run = CliRun.Of("prune", Fixtures.Path("prune/grouped_deconv.pt"), "net.3", "0,1", "--dry-run");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("net.0: removes 3 neurons (0, 1, 2), 6 → 3", run.Stdout);
        Assert.Contains("net.3.weight        [6, 2, 3, 3] → [3, 2, 3, 3]  dim 0: 0..2", run.Stdout);
        Assert.DoesNotContain("dim 1", run.Stdout.Split('\n').Single(l => l.Contains("net.3.weight")));
        Assert.Contains("note: 'net.0' loses the channels that those output channels are made from: 'net.3' is a transposed convolution of 2 " +
            "groups, whose output channels of a group are made from that group's 3 channels alone, and go with them", run.Stderr);
    }

    [Fact]
    public void The_same_output_channel_of_every_group_of_a_ConvTranspose_goes_as_a_column()
    {
        var run = CliRun.Of("prune", Fixtures.Path("prune/grouped_deconv.pt"), "net.3", "1,3", "--dry-run");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("net.3.weight        [6, 2, 3, 3] → [6, 1, 3, 3]  dim 1: 1", run.Stdout);
        Assert.Contains("net.3.bias          [4] → [2]                    dim 0: 1, 3", run.Stdout);
        Assert.DoesNotContain("net.0: removes", run.Stdout);
        Assert.DoesNotContain("note:", run.Stderr);
    }

    [Fact]
    public void As_many_channels_of_every_group_of_a_ConvTranspose_go_as_its_rows()
    {
        // Channel 0 of group 0 and channel 4 (1 of group 1): each group keeps 2 rows, in order
        var run = CliRun.Of("prune", Fixtures.Path("prune/grouped_deconv.pt"), "net.0", "0,4", "--dry-run");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("net.3.weight        [6, 2, 3, 3] → [4, 2, 3, 3]  dim 0: 0, 4", run.Stdout);
        Assert.DoesNotContain("net.3: removes", run.Stdout);
    }

    [Theory]
    [InlineData("0,3", "'net.3' is a transposed convolution of 2 groups of 2 output channels, whose weight [6, 2, 3, 3] (in, out/groups, …) keeps " +
        "output channel k of every group in column k of dimension 1: a prune removes the same output channels of every group, or whole groups, " +
        "and this one removes output channel 0 of group 0 and output channel 3 of group 1")]
    [InlineData("1", "'net.3' is a transposed convolution of 2 groups of 2 output channels: removing 1 and 0 output channels from its groups in turn would unbalance them")]
    [InlineData("0,1,3", "removing 2 and 1 output channels from its groups in turn would unbalance them")]
    public void A_grouped_ConvTranspose_losing_other_than_the_same_output_channels_of_each_group_or_whole_groups_is_refused(string indices, string message)
    {
        using var folder = new TempFolder();

        var run = CliRun.Of("prune", Fixtures.Path("prune/grouped_deconv.pt"), "net.3", indices, "-o", Path.Combine(folder.Path, "pruned.pt"));

        Assert.Equal(2, run.Exit);
        Assert.Contains(message, run.Stderr);
        Assert.Contains("hint: remove the same output channel", run.Stderr);
        Assert.Contains("or all the output channels of a group (0..1, 2..3, …), which take its input channels along, or ablate with " +
            "neuron edit --zero --outgoing instead", run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Theory]
    [InlineData("0,1", "channels 0, 1 of group 0 and none of group 1")]
    [InlineData("0,1,2,4", "all of group 0 and channel 4 of group 1")]
    public void A_producer_of_a_grouped_ConvTranspose_losing_other_than_whole_groups_or_as_many_of_each_is_refused(string indices, string removes)
    {
        var run = CliRun.Of("prune", Fixtures.Path("prune/grouped_deconv.pt"), "net.0", indices, "--dry-run");

        Assert.Equal(2, run.Exit);
        Assert.Contains("'net.3' is a transposed convolution that reads the channels of 'net.0' in 2 groups of 3: a prune removes whole groups " +
            $"of them, with the output channels made from them, or as many channels of every group, and this one removes {removes}", run.Stderr);
    }

    [Fact]
    public void A_whole_group_of_a_ConvTranspose_whose_input_channels_no_layer_makes_is_refused()
    {
        // Given ConvTranspose 0 of 2 groups (weight [4, 3, 3, 3], 6 outputs) reading the model's input → 1×1 conv 1
        using var file = Sequential(("0.weight", [4, 3, 3, 3]), ("0.bias", [6]), ("1.weight", [2, 6, 1, 1]), ("1.bias", [2]));

        var run = CliRun.Of("prune", file.Path, "0", "3,4,5", "--dry-run");

        Assert.Equal(2, run.Exit);
        Assert.Contains("'0' is a transposed convolution of 2 groups: its input channels 2..3 go with the output channels 3..5 that are made " +
            "from them alone, but no layer NeuronKit can cut makes them (a model input, or what the file's graph does not say)", run.Stderr);
    }

    [Theory]
    [InlineData("/net/net.0/Conv", "3,4,5", 1, new long[] { 3, 2, 3, 3 })]            // a whole group: its rows, one group left
    [InlineData("/net/net.3/ConvTranspose", "1,3", 2, new long[] { 6, 1, 3, 3 })]     // column 1 of both groups
    [InlineData("/net/net.0/Conv", "0,4", 2, new long[] { 4, 2, 3, 3 })]              // a row of each group
    public void A_pruned_grouped_ConvTranspose_node_has_a_group_fewer_for_each_whole_group_that_went(string layer, string indices, long group, long[] dims)
    {
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "pruned.onnx");

        var run = CliRun.Of("prune", Fixtures.Path("prune/grouped_deconv.onnx"), layer, indices, "-o", output);

        Assert.True(run.Exit == 0, run.Stderr);
        var graph = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(output)).Graph;
        var node = graph.Node.Single(n => n.OpType == "ConvTranspose");
        Assert.Equal(group, node.Attribute.Single(a => a.Name == "group").I);
        Assert.Equal(dims, graph.Initializer.Single(i => i.Name == node.Input[1]).Dims);
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
