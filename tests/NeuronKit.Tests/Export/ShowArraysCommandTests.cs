using System.Text.Json;
using NeuronKit.Tensors;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;
using NeuronKit.Tests.Oracle;

namespace NeuronKit.Tests.Export;

/// <summary>
/// <c>neuron show -o</c> and <c>--part</c> as the command line takes them: what is refused and why, and values no dtype
/// of the file can hold.
/// </summary>
public class ShowArraysCommandTests
{
    private static readonly string Lstm = Fixtures.PyTorch("seed_lstm.pt");

    [Fact]
    public void An_npy_of_a_neuron_of_several_parts_is_refused_naming_them()
    {
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "unit.npy");

        var run = CliRun.Of("show", Fixtures.PyTorch("seed_linear.pt"), "0", "1", "-o", output);

        Assert.Equal(2, run.Exit);
        Assert.Equal("error: unit.npy: an .npy holds one array, and 2 parts are asked for (weight, bias)\n" +
            "hint: name one with --part ROLE[:GATE], or write an .npz of them all\n", run.Stderr);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Theory]
    [InlineData("unit.csv", null, "error: unit.csv: NumPy arrays are written as .npy (one part) or .npz (several)")]
    [InlineData("unit.npz", "weight_hh:update", "error: neuron 2 of 'rnn.l0' has no part 'weight_hh:update'")]
    [InlineData(null, "bias_ih", "error: --part picks the parts -o writes; add -o OUT.npy")]
    public void Wrong_requests_are_exit_2(string? file, string? part, string error)
    {
        using var folder = new TempFolder();
        string[] args = ["show", Lstm, "rnn.l0", "2"];
        if (file is not null) args = [.. args, "-o", Path.Combine(folder.Path, file)];
        if (part is not null) args = [.. args, "--part", part];

        var run = CliRun.Of(args);

        Assert.Equal(2, run.Exit);
        Assert.Equal(error, run.Stderr.Split('\n')[0]);
        Assert.Empty(run.Stdout);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void A_part_is_picked_by_role_by_role_and_gate_or_by_key()
    {
        using var folder = new TempFolder();
        string[] filter = ["show", Fixtures.Path("graph/cnn.pt"), "0", "1", "--outgoing"];
        string[] unit = ["show", Lstm, "rnn.l0", "2"];

        Assert.Equal("weight", Keys(folder, [.. filter, "--part", "weight"]));
        Assert.Equal("out/3.weight", Keys(folder, [.. filter, "--part", "out/3.weight"]));
        Assert.Equal("through/1.running_var", Keys(folder, [.. filter, "--part", "through/1.running_var"]));
        Assert.Equal("bias_hh/forget", Keys(folder, [.. unit, "--part", "bias_hh:forget"]));
        Assert.Equal("bias_hh/forget", Keys(folder, [.. unit, "--part", "bias_hh/forget"]));
        Assert.Equal("weight_hh/input weight_hh/forget weight_hh/cell weight_hh/output", Keys(folder, [.. unit, "--part", "weight_hh"]));
    }

    [Fact]
    public void A_missing_folder_is_exit_3_and_writes_nothing()
    {
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "no", "unit.npz");

        var run = CliRun.Of("show", Lstm, "rnn.l0", "2", "-o", output);

        Assert.Equal(3, run.Exit);
        Assert.StartsWith($"error: {output} cannot be written: its folder", run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void With_json_the_parts_are_printed_and_saved()
    {
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "unit.npz");

        var run = CliRun.Of("show", Lstm, "rnn.l0", "2", "--json", "-o", output);

        Assert.True(run.Exit == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var parts = json.RootElement.GetProperty("parts").EnumerateArray().ToList();
        using var saved = Model.Open(output);
        Assert.Equal(16, parts.Count);
        Assert.Equal(parts.Select(p => OracleQuery.Flatten(p.GetProperty("values"))), saved.Checkpoint.Tensors.Select(t => t.View().ToDoubles()));
    }

    [Fact]
    public void Values_a_float32_cannot_hold_are_saved_as_float64()
    {
        // Given a LoRA adapter merged into its base: W + scale · B·A, in double
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "merged.npz");
        string[] neuron = ["show", Fixtures.Path("diff/lora/adapter"), "model.layers.0.conv", "1", "--base", Fixtures.Path("diff/lora/base.safetensors")];

        // When its neuron is saved
        var run = CliRun.Of([.. neuron, "-o", output]);

        // Then the merged weight is float64 (its values are not all float32 numbers), the plain bias float32, each as shown
        Assert.True(run.Exit == 0, run.Stderr);
        using var json = JsonDocument.Parse(CliRun.Of([.. neuron, "--json"]).Stdout);
        var shown = json.RootElement.GetProperty("parts").EnumerateArray().Select(p => OracleQuery.Flatten(p.GetProperty("values"))).ToList();
        using var saved = Model.Open(output);
        Assert.Equal([DType.Float64, DType.Float32], saved.Checkpoint.Tensors.Select(t => t.DType));
        Assert.Contains(shown[0], v => (float)v != v);
        Assert.Equal(shown, saved.Checkpoint.Tensors.Select(t => t.View().ToDoubles()));
        Assert.Contains("float64 (from float32 + LoRA r2)", run.Stdout);
    }

    [Fact]
    public void Integers_past_2_to_the_53_are_saved_as_stored()
    {
        // Given an int64 matrix in an .npy whose row 1 holds 2^53 + 1, which no double holds
        long[] values = [0, 1, 2, 3, 4, 5, (1L << 53) + 1, 7, 8, 9, 10, 11];
        var data = new byte[values.Length * 8];
        Buffer.BlockCopy(values, 0, data, 0, data.Length);
        using var matrix = new TempFile("i64.npy", [.. NeuronKit.Formats.NumPy.NpyArray.Header(DType.Int64, [3, 4]), .. data]);
        string output = Path.Combine(Path.GetDirectoryName(matrix.Path)!, "row.npy");

        // When its row 1 is saved
        var run = CliRun.Of("show", matrix.Path, "i64", "1", "-o", output);

        // Then the .npy holds that row's bytes as they are
        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Equal([.. NeuronKit.Formats.NumPy.NpyArray.Header(DType.Int64, [4]), .. data[32..64]], File.ReadAllBytes(output));
    }

    // The keys of the archive the command writes.
    private static string Keys(TempFolder folder, string[] args)
    {
        string output = Path.Combine(folder.Path, Guid.NewGuid().ToString("N") + ".npz");
        var run = CliRun.Of([.. args, "-o", output]);
        Assert.True(run.Exit == 0, run.Stderr);
        using var saved = Model.Open(output);
        return string.Join(" ", saved.Checkpoint.Tensors.Select(t => t.Name));
    }
}
