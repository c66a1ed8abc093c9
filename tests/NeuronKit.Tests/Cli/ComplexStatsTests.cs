using System.Text.Json;

namespace NeuronKit.Tests.Cli;

/// <summary>
/// <c>neuron stats</c> on complex layers: not measured (its statistics are of real numbers), refused when asked for by
/// name, listed as skipped beside the real layers of a whole model in each output.
/// </summary>
public class ComplexStatsTests
{
    // TorchSharp's own file: fc.weight float32 [3, 2] beside z.weight complex64 [2, 3].
    private static readonly string Mixed = Fixtures.Path("torchsharp/complex64.dat");

    [Fact]
    public void A_complex_layer_asked_for_by_name_is_refused_naming_the_layer_and_its_dtype()
    {
        var run = CliRun.Of("stats", Fixtures.Path("pytorch/complex.pt"), "fc");

        Assert.Equal(2, run.Exit);
        Assert.Equal("error: neuron stats cannot measure layer 'fc': fc.weight is complex128, and the statistics are of real numbers\n" +
            "hint: 'neuron show' prints its neurons' values as (re, im) pairs\n", run.Stderr.ReplaceLineEndings("\n"));
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public void Text_measures_the_real_layers_and_says_which_complex_ones_it_did_not()
    {
        var run = CliRun.Of("stats", Mixed);

        Assert.Equal(0, run.Exit);
        Assert.StartsWith("complex64.dat (torchsharp): 1 layer, 3 neurons, 6 weights", run.Stdout);
        Assert.Contains("\nfc (Linear, 3 neurons, 2 weights each)\n", run.Stdout.ReplaceLineEndings("\n"));
        Assert.Contains("\nz (Linear, 2 neurons) not measured: z.weight is complex64, and the statistics are of real numbers\n",
            run.Stdout.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Json_lists_the_complex_layers_under_skipped_with_the_reason()
    {
        var run = CliRun.Of("stats", Mixed, "--json");

        Assert.Equal(0, run.Exit);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal(["fc"], root.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("name").GetString()));
        var skipped = Assert.Single(root.GetProperty("skipped").EnumerateArray());
        Assert.Equal("z", skipped.GetProperty("name").GetString());
        Assert.Equal("Linear", skipped.GetProperty("kind").GetString());
        Assert.Equal(2, skipped.GetProperty("neurons").GetInt64());
        Assert.Equal("z.weight is complex64, and the statistics are of real numbers", skipped.GetProperty("reason").GetString());
        Assert.Equal(1, root.GetProperty("summary").GetProperty("layers").GetInt32());
    }

    [Fact]
    public void Json_of_a_model_without_complex_layers_has_no_skipped_key()
    {
        var run = CliRun.Of("stats", Fixtures.Path("pytorch/seed_linear.pt"), "--json");

        using var json = JsonDocument.Parse(run.Stdout);
        Assert.False(json.RootElement.TryGetProperty("skipped", out _));
    }

    [Fact]
    public void Csv_rows_are_the_real_layers_and_a_note_on_stderr_names_the_complex_one()
    {
        var run = CliRun.Of("stats", Mixed, "--csv");

        Assert.Equal(0, run.Exit);
        var rows = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.StartsWith("fc,Linear,", r));
        Assert.Equal("note: layer 'z' not measured: z.weight is complex64, and the statistics are of real numbers\n",
            run.Stderr.ReplaceLineEndings("\n"));
    }
}
