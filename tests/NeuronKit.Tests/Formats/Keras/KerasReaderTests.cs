using System.IO.Compression;
using NeuronKit.Formats;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;

namespace NeuronKit.Tests.Formats.Keras;

/// <summary>
/// Keras' weight files (tests/fixtures/keras, make_keras.py, checked against PyTorch by the oracle tests): what the
/// reader says beyond the values, the layouts of every Keras writer, and edits written back into HDF5 and .keras files.
/// </summary>
public class KerasReaderTests
{
    private static string Fixture(string file) => Fixtures.Path("keras/" + file);

    [Theory]
    [InlineData("mlp.h5", "2.15.0")]          // Keras 2's model.save: /model_weights, layer_names, weight_names
    [InlineData("mlp_weights.h5", "2.15.0")]  // save_weights: the same at the root, no model config
    [InlineData("mlp_latest.h5", "2.15.0")]   // HDF5's newest format: superblock 3, OHDR headers, links in headers
    public void A_legacy_file_names_each_weight_by_its_layer_and_variable(string file, string version)
    {
        using var checkpoint = CheckpointFormats.Open(Fixture(file));

        Assert.Equal("keras", checkpoint.Format);
        Assert.Equal(["dense.kernel", "dense.bias", "batch_normalization.gamma", "batch_normalization.beta", "batch_normalization.moving_mean",
            "batch_normalization.moving_variance", "dense_1.kernel", "dense_1.bias"], checkpoint.Tensors.Select(t => t.Name));
        Assert.Equal([8L, 6L], checkpoint.Find("dense.kernel")!.Shape);
        Assert.Equal(version, checkpoint.Metadata["keras_version"]);
    }

    [Fact]
    public void The_model_config_gives_each_layer_its_class_and_the_dropout_between_is_no_layer()
    {
        using var model = Model.Open(Fixture("mlp.h5"));

        Assert.Equal(["dense", "batch_normalization", "dense_1"], model.Layers.Select(l => l.Name));
        Assert.Equal("Keras class Dense", model.Layer("dense").Evidence[0]);
        Assert.Equal(("Linear", "(in, out)"), (model.Layer("dense_1").Kind, model.Layer("dense_1").Layout));
    }

    [Fact]
    public void A_keras_archive_lists_its_layers_in_the_config_s_order_and_reads_its_weights_inside_the_zip()
    {
        using var model = Model.Open(Fixture("cnn.keras"));

        Assert.Equal(["conv1d", "conv2d", "batch_normalization", "depthwise_conv2d", "conv2d_transpose", "conv3d", "conv2d_1", "dense"],
            model.Layers.Select(l => l.Name));
        // conv2d_1 is the config's layer named pointwise: Keras 3 names paths by class, with a counter
        Assert.Equal(5, model.Layer("conv2d_1").NeuronCount);
        Assert.Single(model.Layer("conv3d").Tensors); // use_bias=False: one variable, the kernel
    }

    [Fact]
    public void Without_a_config_the_paths_name_the_classes_and_a_wrapper_s_cells_are_told_by_their_shapes()
    {
        using var model = Model.Open(Fixture("rnn.weights.h5"));

        Assert.Equal("LSTM", model.Layer("bidirectional.forward_layer").Kind);
        Assert.StartsWith("no model config names its class", model.Layer("bidirectional.forward_layer").Evidence[0]);
        Assert.StartsWith("no model config names layer 'gru': its path names its class GRU", model.Layer("gru").Evidence[0]);
        Assert.Equal(["gru.kernel", "gru.recurrent_kernel", "gru.bias"], model.Layer("gru").Tensors.Select(t => t.Tensor.Name));
    }

    [Fact]
    public void Without_a_config_the_layers_of_a_class_are_in_the_order_their_counters_give()
    {
        // Given a Keras 3 weights file of dense, dense_1, … dense_10, whose groups HDF5 lists by name (dense_10 before dense_2)
        using var model = Model.Open(Fixture("numbered.weights.h5"));

        // When its layers are listed
        var names = model.Layers.Select(l => l.Name);

        // Then they are in the order Keras made them
        Assert.Equal(["dense", .. Enumerable.Range(1, 10).Select(k => $"dense_{k}")], names);
        Assert.Equal(10f, model.Neuron("dense_10", 0).Part(NeuronKit.Layers.PartRole.Weight)!.ToFloats()[0]);
    }

    [Theory]
    [InlineData("lstm", "lstm")]
    [InlineData("bidirectional.forward_lstm", "bidirectional")]
    public void A_legacy_recurrent_layer_is_named_without_its_cell(string layer, string keras)
    {
        using var model = Model.Open(Fixture("rnn.h5"));

        // TensorFlow 2 keeps lstm/lstm_cell/kernel:0; the cell is no layer of its own
        Assert.All(model.Layer(layer).Tensors, t => Assert.StartsWith(keras + ".", t.Tensor.Name));
        Assert.DoesNotContain(model.Checkpoint.Tensors, t => t.Name.Contains("_cell", StringComparison.Ordinal));
    }

    [Fact]
    public void An_edit_writes_into_the_dataset_in_place()
    {
        // Given a copy of a Keras 2 file
        using var folder = new TempFolder();
        string copy = Path.Combine(folder.Path, "mlp.h5");
        File.Copy(Fixture("mlp.h5"), copy);
        var before = File.ReadAllBytes(copy);

        // When neuron 1 of dense is zeroed in place
        var run = CliRun.Of("edit", copy, "dense", "1", "--zero", "--in-place");

        // Then its kernel column and bias read zero, every other value is as it was, and only those bytes changed
        Assert.True(run.Exit == 0, run.Stderr);
        using var model = Model.Open(copy);
        using var original = Model.Open(Fixture("mlp.h5"));
        Assert.All(model.Neuron("dense", 1).Parts, p => Assert.All(p.ToDoubles(), v => Assert.Equal(0, v)));
        Assert.Equal(original.Neuron("dense", 2).Parts[0].ToDoubles(), model.Neuron("dense", 2).Parts[0].ToDoubles());
        var after = File.ReadAllBytes(copy);
        Assert.Equal(before.Length, after.Length);
        Assert.InRange(before.Zip(after).Count(b => b.First != b.Second), 1, 9 * 4);
    }

    [Fact]
    public void An_edit_of_a_keras_archive_rewrites_its_member_s_zip_checksum()
    {
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "scaled.keras");

        var run = CliRun.Of("edit", Fixture("cnn.keras"), "conv2d", "2", "--scale", "2", "-o", output);

        Assert.True(run.Exit == 0, run.Stderr);
        using var scaled = Model.Open(output);
        using var original = Model.Open(Fixture("cnn.keras"));
        Assert.Equal(original.Neuron("conv2d", 2).Parts[0].ToDoubles().Select(v => 2 * v), scaled.Neuron("conv2d", 2).Parts[0].ToDoubles());
        // .NET checks an entry's CRC-32 as it reads it to the end
        using var zip = ZipFile.OpenRead(output);
        using var weights = zip.GetEntry("model.weights.h5")!.Open();
        weights.CopyTo(Stream.Null);
    }

    [Fact]
    public void A_compact_dataset_under_a_checksummed_header_is_not_edited()
    {
        // mlp_latest.h5 keeps dense_1's bias compact, inside its version 2 object header
        var run = CliRun.Of("edit", Fixture("mlp_latest.h5"), "dense_1", "0", "--zero", "--dry-run");

        Assert.Equal(2, run.Exit);
        Assert.Contains("dense_1.bias[0] cannot be edited: the dataset keeps its data inside its HDF5 object header, under its checksum", run.Stderr);
    }

    [Fact]
    public void A_consumer_after_a_flatten_of_channels_last_output_is_refused_saying_why()
    {
        // flatten.h5: Conv2D(2) → Flatten → Dense: conv2d's channel j is dense's inputs j, j + 2, …, no one slice
        var run = CliRun.Of("show", Fixture("flatten.h5"), "conv2d", "0", "--outgoing", "--consumer", "dense");

        Assert.Equal(2, run.Exit);
        Assert.Contains("layer 'dense' reads 32 inputs, which do not fit the 2 neurons of 'conv2d' as one slice each: a flatten of a " +
            "channels-last output interleaves them (channel j is inputs j, j + 2, …)", run.Stderr);
    }

    [Fact]
    public void A_recurrent_layer_s_feedback_names_its_recurrent_kernel_rows()
    {
        using var model = Model.Open(Fixture("rnn.h5"));

        var feedback = model.Graph.ConsumersOf(model.Layer("lstm")).Single(e => e.Feedback);

        Assert.Equal("lstm's own recurrent_kernel reads its previous output h(t−1): unit j is row j of each gate's block of recurrent_kernel (keras.layers.LSTM)",
            feedback.Evidence[0]);
    }

    [Fact]
    public void A_model_folder_opens_its_keras_archive()
    {
        using var folder = new TempFolder();
        File.Copy(Fixture("cnn.keras"), Path.Combine(folder.Path, "model.keras"));
        File.WriteAllText(Path.Combine(folder.Path, "notes.txt"), "a Keras 3 model");

        using var model = Model.Open(folder.Path);

        Assert.Equal(8, model.Layers.Count);
    }
}
