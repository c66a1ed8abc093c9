using NeuronKit.Activations;
using NeuronKit.Tests.Cli;
using static NeuronKit.Tests.Activations.ActivationFixtures;

namespace NeuronKit.Tests.Activations;

/// <summary>
/// Inputs run in batches: stacked along the batch axis when the model's batch dimension is free, one item per call
/// otherwise; either way each input gets what it gets alone. (The PyTorch comparisons of ActFolderTests and
/// ActCommandTests run through the batched path too.)
/// </summary>
public sealed class ActBatchTests
{
    [Fact]
    public void A_folder_in_batches_gives_every_neuron_what_it_gives_one_file_at_a_time()
    {
        // Given a model of free batch and a folder of five inputs
        using var run = ActivationRun.Open(Path("cnn.onnx"));
        var files = InputFolder.Files(Path("cnn_folder"));
        Assert.True(run.Batches(run.Output("/conv1/Conv", post: true)));

        // When
        var alone = FolderActivations.Table(run, "/conv1/Conv", files, ActivationScore.Max, post: true, batch: 1);
        var batched = FolderActivations.Table(run, "/conv1/Conv", files, ActivationScore.Max, post: true, batch: 3);

        // Then
        Assert.Equal(alone.Select(r => r.Input), batched.Select(r => r.Input));
        for (int i = 0; i < alone.Count; i++)
            Assert.Equal(alone[i].Scores, batched[i].Scores, (a, b) => Math.Abs(a - b) <= 1e-6 * Math.Max(1, Math.Abs(a)));
    }

    [Fact]
    public void Inputs_of_one_item_and_of_several_share_a_batch_and_keep_their_labels()
    {
        // Given mlp_x.npy ([1, 6]) and mlp_batch.npy ([3, 6]) for a model of free batch
        using var run = ActivationRun.Open(Path("mlp.onnx"));
        var inputs = run.ReadInputs([Path("mlp_x.npy"), Path("mlp_batch.npy"), Path("mlp_x.npy")]);

        // When
        var batched = run.Activations("/net/net.0/Gemm", 5, inputs, batch: 16);
        var alone = run.Activations("/net/net.0/Gemm", 5, inputs, batch: 1);

        // Then
        string[] labels = ["mlp_x.npy", "mlp_batch.npy[0]", "mlp_batch.npy[1]", "mlp_batch.npy[2]", "mlp_x.npy"];
        Assert.Equal(labels, batched.Select(a => a.Input));
        Assert.Equal(labels, alone.Select(a => a.Input));
        for (int i = 0; i < labels.Length; i++) Assert.Equal(alone[i].Values[0], batched[i].Values[0], 6);
        Assert.Equal(batched[0].Values, batched[4].Values);
    }

    [Fact]
    public void A_model_of_batch_one_and_a_recurrent_layer_run_one_item_per_call()
    {
        using var lstm = ActivationRun.Open(Path("lstm.onnx"));
        using var cnn = ActivationRun.Open(Path("cnn.onnx"));

        Assert.False(lstm.Batches(lstm.Output("/lstm/LSTM")));
        Assert.True(cnn.Batches(cnn.Output("/conv1/Conv")));
        // lstm_batch.npy holds two sequences for a model of batch 1: two calls, one label each.
        var split = lstm.Activations("/lstm/LSTM", 0, lstm.ReadInputs([Path("lstm_batch.npy")]));
        Assert.Equal(["lstm_batch.npy[0]", "lstm_batch.npy[1]"], split.Select(a => a.Input));
    }

    [Fact]
    public void A_bad_file_in_a_folder_is_named_whichever_core_read_it()
    {
        // Given a folder of good inputs and, in the middle, a .npy that is not one
        string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "neuronkit-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            for (int i = 0; i < 6; i++) File.Copy(Path("cnn_x.npy"), System.IO.Path.Combine(folder, $"in{i}.npy"));
            File.WriteAllBytes(System.IO.Path.Combine(folder, "in3b.npy"), "\x93NUMPY not really"u8.ToArray());

            // When
            var run = CliRun.Of("act", Path("cnn.onnx"), "/conv1/Conv", "0", "--inputs", folder, "--top", "2", "--batch", "4");

            // Then
            Assert.Equal(3, run.Exit);
            Assert.Contains("in3b.npy", run.Stderr);
            Assert.DoesNotContain("   at ", run.Stderr);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    public void A_batch_of_less_than_one_is_a_wrong_request(string size)
    {
        var run = CliRun.Of("act", Path("cnn.onnx"), "/conv1/Conv", "0", "--inputs", Path("cnn_folder"), "--batch", size);

        Assert.Equal(2, run.Exit);
        Assert.Contains($"--batch {size}: give 1 or more", run.Stderr);
    }
}
