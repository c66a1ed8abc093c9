using System.Text.Json;
using NeuronKit.Diff;

namespace NeuronKit.Tests.Cli;

/// <summary>
/// A layer whose neurons have no incoming weights (PyTorch's Linear(0, 3): weight [3, 0], bias [3]) in <c>stats</c>,
/// <c>diff</c> and <c>show</c>: the norms of the empty vector are 0, as torch.linalg.vector_norm says, its mean and std
/// have no value (NaN, the string "NaN" in JSON), and the layer leaves the model's relative change alone. The files and
/// PyTorch's numbers are make_empty_inputs.py's.
/// </summary>
public class NoIncomingWeightsTests
{
    private static readonly string A = Fixtures.Path("stats/empty_inputs.pt"), B = Fixtures.Path("stats/empty_inputs_tuned.pt");

    private static JsonElement Oracle(string layer) =>
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path("stats/expected_empty_inputs.json"))).RootElement.GetProperty("layers").GetProperty(layer);

    [Theory]
    [InlineData("stats/empty_inputs.pt")]
    [InlineData("stats/empty_inputs.safetensors")]
    public void Stats_gives_the_empty_vector_norms_of_zero_and_no_mean(string file)
    {
        // Given a Linear(0, 3) beside a Linear(3, 2), in either format
        // When its statistics are asked for as JSON
        var run = CliRun.Of("stats", Fixtures.Path(file), "--json");

        // Then each neuron of layer 0 has L1 and L2 0 and PyTorch's NaN mean and std, written as the contract writes NaN
        Assert.Equal(0, run.Exit);
        using var json = JsonDocument.Parse(run.Stdout);
        var layers = json.RootElement.GetProperty("layers");
        foreach (var (layer, at) in new[] { ("0", 0), ("1", 1) })
        {
            var rows = layers[at].GetProperty("stats");
            var oracle = Oracle(layer);
            Assert.Equal(oracle.GetArrayLength(), rows.GetArrayLength());
            for (int j = 0; j < rows.GetArrayLength(); j++)
            {
                foreach (string key in new[] { "l1", "l2", "mean", "std" })
                {
                    if (oracle[j].GetProperty(key).ValueKind == JsonValueKind.String)
                        Assert.Equal(oracle[j].GetProperty(key).GetString(), rows[j].GetProperty(key).GetString());
                    else
                        Assert.Equal(oracle[j].GetProperty(key).GetDouble(), rows[j].GetProperty(key).GetDouble(), 1e-6);
                }
                Assert.False(rows[j].GetProperty("dead").GetBoolean());
                Assert.False(rows[j].GetProperty("outlier").GetBoolean());
            }
        }
    }

    [Fact]
    public void Stats_csv_and_text_give_the_norms_as_zero()
    {
        var csv = CliRun.Of("stats", A, "0", "--csv");
        var text = CliRun.Of("stats", A, "0");

        Assert.Equal(0, csv.Exit);
        Assert.Contains("\n0,Linear,1,0,0,0,NaN,NaN,NaN,NaN,NaN,0,,false,,false,,false\n", csv.Stdout.Replace("\r\n", "\n"));
        Assert.Equal(0, text.Exit);
        Assert.Matches(@"(?m)^ +1 +0 +0 +nan +nan +nan +nan +- +0 *$", text.Stdout);
        // The layer's summary has no median of norms nor range of weights to give, and says why
        Assert.Matches(@"(?m)^  no weights; 0 dead neurons, 0 duplicates, 0 outliers$", text.Stdout);
        Assert.DoesNotContain("nan..nan", text.Stdout);
    }

    [Fact]
    public void Diff_gives_no_change_of_zero_norm_and_leaves_the_model_relative_change_to_the_layers_with_weights()
    {
        // Given the model from two seeds: layer 0's weights are empty in both, layer 1's differ
        // When the files are compared
        var run = CliRun.Of("diff", A, B, "--json");
        using var a = Model.Open(A);
        using var b = Model.Open(B);
        var diff = ModelDiff.Compute(a, b);

        // Then layer 0's neurons changed by a norm of 0 (relative 0/0: NaN, the string in JSON), and the model's relative
        // change is PyTorch's over all weights: layer 0 adds nothing to either norm
        Assert.Equal(0, run.Exit);
        using var json = JsonDocument.Parse(run.Stdout);
        var empty = json.RootElement.GetProperty("layers")[0];
        Assert.Equal("0", empty.GetProperty("name").GetString());
        foreach (var row in empty.GetProperty("stats").EnumerateArray())
        {
            Assert.Equal(0, row.GetProperty("l2_delta").GetDouble());
            Assert.Equal("NaN", row.GetProperty("relative").GetString());
        }
        Assert.Equal(0, empty.GetProperty("summary").GetProperty("l2_delta").GetDouble());
        var all = Oracle("0").EnumerateArray().Concat(Oracle("1").EnumerateArray()).ToList();
        double expected = Math.Sqrt(all.Sum(r => Math.Pow(r.GetProperty("l2_delta").GetDouble(), 2))) /
            Math.Sqrt(all.Sum(r => Math.Pow(r.GetProperty("l2_a").GetDouble(), 2)));
        Assert.Equal(expected, diff.Relative, 1e-6);
    }

    [Fact]
    public void Show_prints_the_empty_weight_and_the_bias()
    {
        var run = CliRun.Of("show", Fixtures.Path("stats/empty_inputs.safetensors"), "0", "-1", "--json");

        Assert.Equal(0, run.Exit);
        using var json = JsonDocument.Parse(run.Stdout);
        var parts = json.RootElement.GetProperty("parts");
        Assert.Equal(0, parts[0].GetProperty("values").GetArrayLength());
        Assert.Equal(JsonValueKind.Number, parts[1].GetProperty("values").ValueKind);
    }
}
