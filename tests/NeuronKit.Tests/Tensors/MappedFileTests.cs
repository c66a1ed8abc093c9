using System.Diagnostics;

namespace NeuronKit.Tests.Tensors;

/// <summary>A mapped checkpoint that another process cuts short while it is open fails cleanly instead of ending the process.</summary>
public class MappedFileTests
{
    [Fact]
    public void A_file_truncated_by_another_process_while_open_fails_with_a_clear_error()
    {
        // Given an opened checkpoint whose neuron has not been read yet, which another process then truncates to nothing
        using var copy = new TempFile("seed_lstm.pt", File.ReadAllBytes(Fixtures.PyTorch("seed_lstm.pt")));
        using var model = OpenThenTruncate(copy);

        // Then reading the neuron is refused (without the check the mapping would raise SIGBUS and end this process)
        var error = Assert.Throws<CheckpointException>(() => model.Neuron("rnn", 2).Parts[0].ToDoubles());
        Assert.Equal("seed_lstm.pt changed while it was open: it is now 0 bytes, but was 12,455 when it was opened; open it again",
            error.Message);
    }

    [Fact]
    public void Statistics_of_a_file_truncated_while_open_fail_with_the_same_clear_error()
    {
        // Given an opened checkpoint that another process truncates before the statistics read it
        using var copy = new TempFile("seed_lstm.pt", File.ReadAllBytes(Fixtures.PyTorch("seed_lstm.pt")));
        using var model = OpenThenTruncate(copy);

        // Then the scan fails with the reader's own error, not an AggregateException of its worker threads
        var error = Assert.Throws<CheckpointException>(() => NeuronKit.Stats.ModelStats.Compute(model));
        Assert.StartsWith("seed_lstm.pt changed while it was open: it is now 0 bytes", error.Message);
    }

    [Fact]
    public void Statistics_of_columns_of_a_file_truncated_while_open_fail_with_the_same_clear_error()
    {
        // Given an opened GPT-2 checkpoint, whose Conv1D neurons are columns, truncated before the statistics read it
        using var copy = new TempFile("gpt2.safetensors", File.ReadAllBytes(Fixtures.Path("safetensors/gpt2.safetensors")));
        using var model = OpenThenTruncate(copy);

        // Then the column scan fails with the reader's own error too
        var error = Assert.Throws<CheckpointException>(() => NeuronKit.Stats.ModelStats.Compute(model));
        Assert.StartsWith("gpt2.safetensors changed while it was open: it is now 0 bytes", error.Message);
    }

    // Opens the copy, then has another process cut it to nothing, as a file replaced under a running reader would be.
    private static Model OpenThenTruncate(TempFile copy)
    {
        var model = Model.Open(copy.Path);
        using var truncate = Process.Start("truncate", ["-s", "0", copy.Path]);
        truncate.WaitForExit();
        return model;
    }
}
