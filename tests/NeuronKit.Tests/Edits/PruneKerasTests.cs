using NeuronKit.Containers.Hdf5;
using NeuronKit.Edits;
using NeuronKit.Tensors;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// <c>neuron prune</c> on Keras files writes the bytes make_prune_keras.py judged: opened by Python's zipfile (every CRC)
/// and h5py (every version 2 header checksum), each dataset the original's with exactly the slices numpy deletes, and a
/// numpy forward pass of Keras' equations equal to the original's with the units ablated.
/// </summary>
public class PruneKerasTests
{
    private const string Pinned = "keras/expected_prune.json";

    public static TheoryData<string> Cases() => [.. PinnedCases.Read(Pinned).Select(c => c.GetProperty("name").GetString()!)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_pruned_file_is_the_one_h5py_and_numpy_accepted(string name)
    {
        using var folder = new TempFolder();
        var pinned = PinnedCases.Named(Pinned, name);

        string output = PinnedCases.Prune(pinned, folder, "pruned" + Path.GetExtension(pinned.GetProperty("input").GetString()!));

        Assert.Equal([output], Directory.GetFiles(folder.Path));
        Assert.Equal(new FileInfo(Fixtures.Path(pinned.GetProperty("input").GetString()!)).Length, new FileInfo(output).Length);
    }

    [Fact]
    public void A_keras_archive_zipped_again_with_compression_is_refused_as_edit_refuses_it()
    {
        using var folder = new TempFolder();
        // cnn.keras with its members deflated, as a tool that zips the archive again may leave it.
        string deflated = Path.Combine(folder.Path, "deflated.keras");
        using (var original = System.IO.Compression.ZipFile.OpenRead(Fixtures.Path("keras/cnn.keras")))
        using (var zipped = System.IO.Compression.ZipFile.Open(deflated, System.IO.Compression.ZipArchiveMode.Create))
            foreach (var entry in original.Entries)
            {
                using var from = entry.Open();
                using var to = zipped.CreateEntry(entry.FullName, System.IO.Compression.CompressionLevel.Optimal).Open();
                from.CopyTo(to);
            }

        var run = CliRun.Of(["prune", deflated, "conv2d_1", "2", "-o", Path.Combine(folder.Path, "out.keras")]);

        Assert.Equal(2, run.Exit);
        Assert.Contains("deflated.keras keeps model.weights.h5 deflated: a prune would have to rewrite the archive", run.Stderr);
        Assert.Contains("store the archive's members uncompressed", run.Stderr);
        Assert.False(File.Exists(Path.Combine(folder.Path, "out.keras")));
    }

    [Fact]
    public void A_file_with_a_model_config_gets_a_note_that_the_config_keeps_the_old_sizes()
    {
        var withConfig = CliRun.Of("prune", Fixtures.Path("keras/mlp.h5"), "dense", "1", "--dry-run");
        var weightsOnly = CliRun.Of("prune", Fixtures.Path("keras/rnn.weights.h5"), "lstm", "2", "--consumer", "gru", "--dry-run");

        Assert.True(withConfig.Exit == 0, withConfig.Stderr);
        Assert.Contains("note: the model config inside mlp.h5 still gives the layers their old sizes (dense 6 → 5)", withConfig.Stderr);
        Assert.True(weightsOnly.Exit == 0, weightsOnly.Stderr);
        Assert.DoesNotContain("note:", weightsOnly.Stderr);
    }

    [Fact]
    public void A_whole_group_of_a_grouped_Conv2D_s_channels_takes_its_filters_along_and_the_note_gives_the_new_groups()
    {
        // Given conv2d (6 filters) → BatchNormalization → conv2d_1, a Conv2D of groups 2 (kernel [3, 3, 3, 6]) → conv2d_2 1×1
        // (make_keras_grouped.py)
        var run = CliRun.Of("prune", Fixtures.Path("keras_grouped/grouped.h5"), "conv2d", "3..5", "--dry-run");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("conv2d_1: removes 3 neurons (3, 4, 5), 6 → 3", run.Stdout);
        Assert.Matches(@"conv2d_1\.kernel +\[3, 3, 3, 6\] → \[3, 3, 3, 3\] +dim 3: 3\.\.5\n", run.Stdout);
        Assert.Matches(@"conv2d_2\.kernel +\[1, 1, 6, 4\] → \[1, 1, 3, 4\] +dim 2: 3\.\.5\n", run.Stdout);
        Assert.Contains("note: 'conv2d_1' loses the groups whose channels those are: it is a convolution of 2 groups, whose 3 filters of a group " +
            "read that group's 3 channels alone, and go with them (it has a group fewer for each)", run.Stderr);
        Assert.Contains("note: the model config inside grouped.h5 still gives the layers their old sizes (conv2d 6 → 3, conv2d_1 6 → 3, groups 2 → 1)", run.Stderr);
    }

    [Fact]
    public void The_same_channel_of_every_group_of_a_grouped_Conv2D_leaves_its_groups_reading_one_fewer()
    {
        var run = CliRun.Of("prune", Fixtures.Path("keras_grouped/grouped.h5"), "conv2d", "1,4", "--dry-run");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Matches(@"conv2d_1\.kernel +\[3, 3, 3, 6\] → \[3, 3, 2, 6\] +dim 2: 1\n", run.Stdout);
        Assert.DoesNotContain("conv2d_1: removes", run.Stdout);
        Assert.Contains("(conv2d 6 → 4)", run.Stderr);
    }

    [Theory]
    [InlineData("conv2d", "0,1", "'conv2d_1' is a convolution that reads the channels of 'conv2d' in 2 groups of 3: a prune removes whole groups of them, " +
        "with the filters that read them, or the same channels of every group, and this one removes channels 0, 1 of group 0 and none of group 1")]
    [InlineData("conv2d", "1,3", "this one removes channel 1 of group 0 and channel 3 of group 1")]
    [InlineData("conv2d_1", "1", "'conv2d_1' is a convolution of 2 groups of 3 filters: removing 1 and 0 filters from its groups in turn would unbalance them")]
    [InlineData("conv2d_1", "0,1,2,3", "removing 3 and 1 filters from its groups in turn would unbalance them")]
    public void A_grouped_Conv2D_losing_other_than_whole_groups_or_as_many_of_each_is_refused(string layer, string indices, string message)
    {
        using var folder = new TempFolder();

        var run = CliRun.Of("prune", Fixtures.Path("keras_grouped/grouped.h5"), layer, indices, "-o", Path.Combine(folder.Path, "pruned.h5"));

        Assert.Equal(2, run.Exit);
        Assert.Contains(message, run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void A_recurrent_consumer_loses_the_unit_s_row_of_its_kernel_and_keeps_every_gate_column()
    {
        var run = CliRun.Of("prune", Fixtures.Path("keras/rnn.h5"), "lstm", "1", "--dry-run");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Matches(@"lstm\.recurrent_kernel +\[4, 16\] → \[3, 12\] +dim 1: 1, 5, 9, 13; dim 0: 1", run.Stdout);
        Assert.Matches(@"gru\.kernel +\[4, 9\] → \[3, 9\] +dim 0: 1", run.Stdout);
    }

    [Fact]
    public void A_bidirectional_layer_s_directions_lose_as_many_units_each_and_its_consumer_the_concatenated_rows()
    {
        string file = Fixtures.Path("keras/rnn.weights.h5");

        var alone = CliRun.Of("prune", file, "--neurons", "bidirectional.forward_layer:1", "--consumer", "dense", "--dry-run");
        var both = CliRun.Of("prune", file, "--neurons", "bidirectional.forward_layer:1,bidirectional.backward_layer:2", "--consumer", "dense", "--dry-run");

        Assert.Equal(2, alone.Exit);
        Assert.Contains("'bidirectional' keeps one hidden size for all its layers and directions", alone.Stderr);
        Assert.True(both.Exit == 0, both.Stderr);
        // Forward first, as Keras concatenates them: forward unit 1 is input 1, backward unit 2 is input 3 + 2.
        Assert.Matches(@"dense\.kernel +\[6, 2\] → \[4, 2\] +dim 0: 1, 5", both.Stdout);
    }

    [Fact]
    public void A_keras_3_bidirectional_s_consumer_in_the_config_loses_the_forward_direction_s_rows_first()
    {
        // Keras 3's file lists the group backward_layer before forward_layer; the Bidirectional concatenates forward first.
        var run = CliRun.Of("prune", Fixtures.Path("keras/bidirectional.keras"),
            "--neurons", "bidirectional.forward_layer:0,bidirectional.backward_layer:1", "--dry-run");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Matches(@"dense\.kernel +\[6, 2\] → \[4, 2\] +dim 0: 0, 4", run.Stdout);
    }

    [Fact]
    public void A_recurrent_layer_named_as_read_by_a_layer_of_a_multiple_of_its_units_is_not_taken_as_flattened()
    {
        // Its output is [time, units]: a flatten would interleave the units (j, j + 3, …), no block of rows per unit.
        var run = CliRun.Of("show", Fixtures.Path("keras/rnn.weights.h5"), "gru", "1", "--outgoing", "--consumer", "dense");

        Assert.Equal(2, run.Exit);
        Assert.Contains("layer 'dense' reads 6 inputs, which do not fit the 3 neurons of 'gru'", run.Stderr);
    }

    [Fact]
    public void A_layer_read_by_a_depthwise_convolution_takes_the_filters_that_read_its_channel_along()
    {
        // Given cnn.keras: conv2d (4 filters) → batch_normalization → depthwise_conv2d (2 filters per channel, kernel
        // [3, 3, 4, 2]) → conv2d_transpose
        var run = CliRun.Of("prune", Fixtures.Path("keras/cnn.keras"), "conv2d", "1", "--dry-run");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("depthwise_conv2d: removes 2 neurons (2, 3), 8 → 6", run.Stdout);
        Assert.Matches(@"depthwise_conv2d\.kernel +\[3, 3, 4, 2\] → \[3, 3, 3, 2\] +dim 2: 1\n", run.Stdout);
        Assert.Matches(@"depthwise_conv2d\.bias +\[8\] → \[6\] +dim 0: 2, 3\n", run.Stdout);
        Assert.Matches(@"conv2d_transpose\.kernel +\[2, 2, 5, 8\] → \[2, 2, 5, 6\] +dim 3: 2, 3\n", run.Stdout);
        Assert.Contains("note: 'depthwise_conv2d' loses the filters that read those channels: it is a depthwise convolution, whose 2 filters " +
            "of a channel of 'conv2d' read that channel alone", run.Stderr);
        // The config gives DepthwiseConv2D a depth_multiplier, not a size: its own follows from its input's.
        Assert.Contains("still gives the layers their old sizes (conv2d 4 → 3)", run.Stderr);
    }

    [Fact]
    public void All_the_filters_of_a_channel_of_a_depthwise_convolution_take_the_channel_along()
    {
        var run = CliRun.Of("prune", Fixtures.Path("keras/cnn.keras"), "depthwise_conv2d", "2,3", "--dry-run");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("conv2d: removes 1 neuron (1), 4 → 3", run.Stdout);
        Assert.Matches(@"depthwise_conv2d\.kernel +\[3, 3, 4, 2\] → \[3, 3, 3, 2\] +dim 2: 1\n", run.Stdout);
        Assert.Matches(@"batch_normalization\.gamma +\[4\] → \[3\] +dim 0: 1\n", run.Stdout);
        Assert.Contains("note: 'conv2d' loses the channels that those filters read", run.Stderr);
    }

    [Theory]
    [InlineData("2", "this one removes 1 of the 2 filters of input channel 1 (filter 2)")]
    // The same filter of every channel is one slice of the kernel's last dimension, depth_multiplier's: not cut either.
    [InlineData("0,2,4,6", "this one removes 1 of the 2 filters of input channel 0 (filter 0)")]
    public void Some_but_not_all_of_a_channel_s_depthwise_filters_are_refused(string indices, string which)
    {
        var run = CliRun.Of("prune", Fixtures.Path("keras/cnn.keras"), "depthwise_conv2d", indices, "--dry-run");

        Assert.Equal(2, run.Exit);
        Assert.Contains("'depthwise_conv2d' is a depthwise convolution whose kernel [3, 3, 4, 2] keeps the 2 filters of each input channel " +
            $"in one slice of dimension 2: a prune removes all of a channel's filters, with the channel, or none of them, and {which}", run.Stderr);
        Assert.Contains("hint: remove all the filters of a channel (filters 0..1, 2..3, …), which take the channel along from the layer that " +
            "makes it, or ablate with neuron edit --zero --outgoing instead", run.Stderr);
    }

    [Fact]
    public void A_filter_before_a_prelu_takes_its_channel_s_slopes_along_alpha_s_last_axis()
    {
        // Given prelu.h5: conv2d (4 filters) → PReLU() whose alpha [4, 4, 4] holds a slope per position and channel → conv2d_1
        var run = CliRun.Of("prune", Fixtures.Path("keras/prelu.h5"), "conv2d", "1", "--dry-run");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Matches(@"conv2d\.kernel +\[3, 3, 3, 4\] → \[3, 3, 3, 3\] +dim 3: 1\n", run.Stdout);
        Assert.Matches(@"p_re_lu\.alpha +\[4, 4, 4\] → \[4, 4, 3\] +dim 2: 1\n", run.Stdout);
        Assert.Matches(@"conv2d_1\.kernel +\[1, 1, 4, 3\] → \[1, 1, 3, 3\] +dim 2: 1\n", run.Stdout);
    }

    [Fact]
    public void One_alpha_every_channel_shares_is_kept_whole()
    {
        // prelu_flatten.keras: conv2d → PReLU(shared_axes=[1, 2, 3]), alpha [1, 1, 1] → conv2d_1
        var run = CliRun.Of("prune", Fixtures.Path("keras/prelu_flatten.keras"), "conv2d", "1", "--dry-run");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Matches(@"conv2d_1\.kernel +\[1, 1, 2, 2\] → \[1, 1, 1, 2\] +dim 2: 1\n", run.Stdout);
        Assert.DoesNotContain("p_re_lu.alpha", run.Stdout);
    }

    [Fact]
    public void A_prelu_s_channels_are_pruned_with_the_layer_that_makes_them()
    {
        var run = CliRun.Of("prune", Fixtures.Path("keras/prelu.h5"), "p_re_lu", "1", "--dry-run");

        Assert.Equal(2, run.Exit);
        Assert.Contains("'p_re_lu' (PReLU) scales the channels 'conv2d' makes", run.Stderr);
        Assert.Contains("hint: prune 'conv2d' instead: its channels in 'p_re_lu' go with them", run.Stderr);
    }

    [Fact]
    public void A_channel_flattened_after_a_prelu_is_refused()
    {
        // prelu_flatten.keras: conv2d_1 → PReLU() (alpha [3, 3, 2]) → Flatten → Dense: channel j is inputs j, j + 2, …
        var run = CliRun.Of("prune", Fixtures.Path("keras/prelu_flatten.keras"), "conv2d_1", "0", "--dry-run");

        Assert.Equal(2, run.Exit);
        Assert.Contains("a Flatten of conv2d_1's channels-last output interleaves its channels", run.Stderr);
    }

    [Fact]
    public void Every_version_2_object_header_chunk_holds_the_lookup3_checksum_of_its_bytes()
    {
        using var source = MappedFile.Open(Fixtures.Path("keras/mlp_latest.h5"));
        var file = Hdf5File.Open(source, 0, source.Length, "mlp_latest.h5");
        var dataset = (Hdf5Dataset)file.Root.Find("model_weights/dense/dense/kernel:0")!;

        Assert.Equal(2, dataset.Header.Version);
        Assert.NotEmpty(dataset.Header.Checksummed);
        foreach (var (start, end) in dataset.Header.Checksummed)
            Assert.Equal(BitConverter.ToUInt32(source.Span(end, 4)), Hdf5Checksum.Of(source.Span(start, (int)(end - start))));
    }

    [Fact]
    public void A_compact_dataset_is_not_shrunk()
    {
        using var source = MappedFile.Open(Fixtures.Path("keras/mlp_latest.h5"));
        var file = Hdf5File.Open(source, 0, source.Length, "mlp_latest.h5");
        var bias = (Hdf5Dataset)file.Root.Find("model_weights/dense_1/dense_1/bias:0")!;

        var refused = Assert.Throws<RequestException>(() => bias.PlanShrink([2], new byte[8], new PatchSet()));

        Assert.Contains("keeps its data inside its HDF5 object header (compact)", refused.Message);
    }
}
