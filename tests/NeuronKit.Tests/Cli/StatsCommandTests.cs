using System.Text.Json;

namespace NeuronKit.Tests.Cli;

/// <summary><c>neuron stats</c>: its three outputs, sorting, and the error contract.</summary>
public class StatsCommandTests
{
    private static readonly string File = Fixtures.Path("stats/stats.pt");

    [Fact]
    public void Text_prints_a_table_per_layer_with_flags_and_summaries()
    {
        var run = CliRun.Of("stats", File, "fc");

        Assert.Equal(0, run.Exit);
        Assert.Equal("", run.Stderr);   // no progress bar when stderr is not a terminal
        Expectation.Matches("stats/stats_fc.txt", run.Stdout);
    }

    [Fact]
    public void Text_of_a_gated_layer_shows_the_bias_of_each_gate()
    {
        var run = CliRun.Of("stats", Fixtures.Path("pytorch/seed_lstm.pt"));

        Assert.Equal(0, run.Exit);
        Expectation.Matches("stats/seed_lstm.txt", run.Stdout);
    }

    [Fact]
    public void Json_holds_every_layer_every_neuron_and_the_summaries()
    {
        var run = CliRun.Of("stats", File, "--json");

        Assert.Equal(0, run.Exit);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal("stats.pt", root.GetProperty("file").GetString());
        Assert.Equal("pytorch", root.GetProperty("format").GetString());
        var layers = root.GetProperty("layers").EnumerateArray().ToList();
        var fc = layers.Single(l => l.GetProperty("name").GetString() == "fc");
        Assert.Equal(12, fc.GetProperty("stats").GetArrayLength());
        Assert.Equal(1, fc.GetProperty("summary").GetProperty("dead").GetInt32());
        Assert.Equal(3, fc.GetProperty("summary").GetProperty("duplicates").GetInt32());
        var neuron7 = fc.GetProperty("stats")[7];
        Assert.Equal(5, neuron7.GetProperty("duplicate_of").GetInt32());
        Assert.Equal("NaN", layers.Single(l => l.GetProperty("name").GetString() == "odd").GetProperty("stats")[0].GetProperty("min").GetString());
        var lstm = layers.Single(l => l.GetProperty("name").GetString() == "rnn.l0").GetProperty("stats")[0];
        Assert.Equal(JsonValueKind.Null, lstm.GetProperty("bias").ValueKind);
        Assert.Equal(["input", "forget", "cell", "output"], lstm.GetProperty("gate_biases").EnumerateObject().Select(p => p.Name));
        Assert.Equal(layers.Sum(l => l.GetProperty("neurons").GetInt32()), root.GetProperty("summary").GetProperty("neurons").GetInt32());
    }

    [Fact]
    public void A_bias_stored_as_negative_zero_is_given_as_show_gives_it()
    {
        // Given a Linear whose bias 0 is stored as -0.0 (as a sign-flipped zero comes out of training or an edit)
        string header = "{\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}," +
            "\"fc.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}}";
        byte[] data = [.. new[] { 1f, 2f, 3f, 4f, -0f, 0f }.SelectMany(BitConverter.GetBytes)];
        using var file = new TempFile("negative_zero.safetensors", Formats.Safetensors.SafetensorsBytes.Build(header, data));

        // Then stats --json and --csv say -0 where the stored bias is -0.0, as show --json does, and 0 where it is 0.0
        Assert.Contains("\"values\":-0}", CliRun.Of("show", file.Path, "fc", "0", "--json").Stdout);
        var rows = JsonDocument.Parse(CliRun.Of("stats", file.Path, "--json").Stdout).RootElement
            .GetProperty("layers")[0].GetProperty("stats").EnumerateArray().ToList();
        Assert.True(double.IsNegative(rows[0].GetProperty("bias").GetDouble()));
        Assert.False(double.IsNegative(rows[1].GetProperty("bias").GetDouble()));
        var csv = CliRun.Of("stats", file.Path, "--csv").Stdout.Split('\n');
        Assert.Equal("-0", csv[1].Split(',')[11]);
        Assert.Equal("0", csv[2].Split(',')[11]);
    }

    [Fact]
    public void Csv_has_a_header_and_one_row_per_neuron()
    {
        var run = CliRun.Of("stats", File, "--csv");

        Assert.Equal(0, run.Exit);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("layer,kind,neuron,weights,l1,l2,mean,std,min,max,zero_fraction,bias,gate_biases,dead,duplicate_of,outlier,outgoing_l2,unused", lines[0]);
        using var model = Model.Open(File);
        Assert.Equal(model.Layers.Sum(l => l.NeuronCount), lines.Length - 1);
        Assert.All(lines, l => Assert.Equal(18, l.Split(',').Length));
        Assert.StartsWith("fc,Linear,2,16,0,0,0,0,0,0,1,", lines.Single(l => l.StartsWith("fc,Linear,2,", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("rnn.l0,LSTM,0,", StringComparison.Ordinal) && l.Contains(",input=") && l.Contains(";output="));
    }

    [Fact]
    public void Sort_and_top_pick_each_layers_largest_or_smallest_neurons()
    {
        var largest = CliRun.Of("stats", File, "fc", "--csv", "--sort", "l2", "--top", "2");
        var smallest = CliRun.Of("stats", File, "fc", "--csv", "--sort", "l2:asc", "--top", "1");

        Assert.Equal(0, largest.Exit);
        var rows = largest.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1..];
        Assert.Equal(2, rows.Length);
        Assert.StartsWith("fc,Linear,11,", rows[0]);   // the outlier, scaled 20x
        Assert.StartsWith("fc,Linear,2,", smallest.Stdout.Split('\n')[1]);   // the dead neuron
    }

    [Fact]
    public void Top_zero_prints_the_summaries_only()
    {
        var run = CliRun.Of("stats", File, "--top", "0");

        Assert.Equal(0, run.Exit);
        Assert.DoesNotContain(run.Stdout.Split('\n'), line => line.TrimStart().StartsWith("neuron ", StringComparison.Ordinal) && line.Contains(" L1 "));
        Assert.Contains("3 duplicates", run.Stdout);
    }

    [Fact]
    public void Outlier_k_changes_which_neurons_are_outliers()
    {
        var strict = CliRun.Of("stats", File, "fc", "--json", "--outlier-k", "1000");

        using var json = JsonDocument.Parse(strict.Stdout);
        var summary = json.RootElement.GetProperty("layers")[0].GetProperty("summary");
        Assert.Equal(0, summary.GetProperty("outliers").GetInt32());
        Assert.Equal(1000, summary.GetProperty("outlier_k").GetDouble());
    }

    [Theory]
    [InlineData(2, "--json and --csv", "--json", "--csv")]
    [InlineData(2, "--sort 'norm' is not a sort key", "--sort", "norm")]
    [InlineData(2, "--sort 'l2:up' is not a sort key", "--sort", "l2:up")]
    [InlineData(2, "--top -1 is negative", "--top", "-1")]
    [InlineData(2, "--outlier-k 0 must be a positive", "--outlier-k", "0")]
    public void A_wrong_request_is_exit_2_with_one_error_line(int exit, string message, params string[] options)
    {
        var run = CliRun.Of(["stats", File, .. options]);

        Assert.Equal(exit, run.Exit);
        Assert.StartsWith($"error: {message}", run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public void An_unknown_layer_is_exit_2_with_a_suggestion_and_a_missing_file_exit_3()
    {
        var layer = CliRun.Of("stats", File, "fcc");
        var file = CliRun.Of("stats", Fixtures.Path("stats/none.pt"));

        Assert.Equal(2, layer.Exit);
        Assert.Contains("did you mean 'fc'?", layer.Stderr);
        Assert.Equal(3, file.Exit);
        Assert.StartsWith("error: ", file.Stderr);
    }

    [Fact]
    public void Outgoing_adds_each_neurons_outgoing_norm_where_the_consumers_are_known_and_null_elsewhere()
    {
        var run = CliRun.Of("stats", Fixtures.Path("graph/mlp.pt"), "--json", "--outgoing");
        var plain = CliRun.Of("stats", Fixtures.Path("graph/mlp.pt"), "--json");

        Assert.Equal((0, 0), (run.Exit, plain.Exit));
        using var json = JsonDocument.Parse(run.Stdout);
        var layers = json.RootElement.GetProperty("layers").EnumerateArray().ToList();
        Assert.All(layers[0].GetProperty("stats").EnumerateArray(), n => Assert.True(n.GetProperty("outgoing_l2").GetDouble() > 0));
        Assert.All(layers[^1].GetProperty("stats").EnumerateArray(), n => Assert.Equal(JsonValueKind.Null, n.GetProperty("outgoing_l2").ValueKind));
        using var without = JsonDocument.Parse(plain.Stdout);
        Assert.All(without.RootElement.GetProperty("layers")[0].GetProperty("stats").EnumerateArray(),
            n => Assert.Equal(JsonValueKind.Null, n.GetProperty("outgoing_l2").ValueKind));
    }
}
