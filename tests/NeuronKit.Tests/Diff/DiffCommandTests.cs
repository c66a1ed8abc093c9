using System.Text.Json;
using NeuronKit.Diff;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Diff;

/// <summary><c>neuron diff</c> on the command line: pairs that cannot be compared, one neuron side by side, and its errors.</summary>
public class DiffCommandTests
{
    private static readonly string A = Fixtures.Path("diff/a.pt");
    private static readonly string B = Fixtures.Path("diff/b.pt");

    [Fact]
    public void A_pruned_copy_lists_the_layers_whose_shapes_shrank_and_compares_the_rest()
    {
        // Given a copy of A with fc1's neuron 5 pruned (fc2's inputs shrink with it)
        using var pruned = PrunedCopy();

        // When the two are compared as a whole
        var run = CliRun.Of("diff", A, pruned.Path, "--json");

        // Then fc1 and fc2 are listed with both shapes, the others compared and unchanged
        Assert.Equal(0, run.Exit);
        var root = JsonDocument.Parse(run.Stdout).RootElement;
        var mismatched = root.GetProperty("mismatched").EnumerateArray()
            .Select(m => (m.GetProperty("name").GetString(), Shape(m.GetProperty("a_shape")), Shape(m.GetProperty("b_shape")))).ToList();
        Assert.Equal([("fc1", "8,12", "7,12"), ("fc2", "4,8", "4,7")], mismatched);
        Assert.Equal(["conv", "rnn.l0"], root.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("name").GetString()));
        Assert.All(root.GetProperty("layers").EnumerateArray(), l => Assert.Equal(0, l.GetProperty("summary").GetProperty("changed").GetInt32()));
    }

    [Fact]
    public void Asking_for_a_layer_whose_shapes_differ_is_an_error_naming_both_shapes()
    {
        // Given a pruned copy
        using var pruned = PrunedCopy();

        // When its pruned layer is asked for
        var run = CliRun.Of("diff", A, pruned.Path, "fc1");

        // Then it is a request error that names both shapes
        Assert.Equal(2, run.Exit);
        Assert.StartsWith("error: layer 'fc1' differs in shape between the files: weight is [8, 12] in A and [7, 12] in B", run.Stderr);
    }

    [Fact]
    public void Layers_only_in_one_file_are_listed_not_fatal()
    {
        // Given A and an unrelated model whose layers are '0' and '2'
        using var modelA = Model.Open(A);
        using var other = Model.Open(Fixtures.PyTorch("seed_linear.pt"));

        // When they are compared
        var diff = ModelDiff.Compute(modelA, other);

        // Then nothing is compared and every layer is listed on its side
        Assert.Empty(diff.Layers);
        Assert.Equal(["conv", "fc1", "fc2", "rnn.l0"], diff.OnlyInA.Select(l => l.Name));
        Assert.Equal(["0", "2"], diff.OnlyInB.Select(l => l.Name));
        var run = CliRun.Of("diff", A, Fixtures.PyTorch("seed_linear.pt"));
        Assert.Equal(0, run.Exit);
        Assert.Contains("only in A: rnn.l0 (LSTM)", run.Stdout);
        Assert.Contains("only in B: 2 (Linear)", run.Stdout);
    }

    [Fact]
    public void A_checkpoint_dict_pairs_with_the_bare_state_dict_by_name_without_its_prefix()
    {
        // Given b saved under "model_state_dict"
        var run = CliRun.Of("diff", A, Fixtures.Path("diff/b_checkpoint.pt"), "fc1", "--json");

        // When fc1 is asked for by A's name, then B's model_state_dict.fc1 is its partner
        Assert.Equal(0, run.Exit);
        var layer = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("layers")[0];
        Assert.Equal("fc1", layer.GetProperty("name").GetString());
        Assert.Equal(["became_dead"], layer.GetProperty("stats")[5].GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public void With_an_index_the_two_neurons_are_printed_side_by_side_with_the_difference()
    {
        // Given fc2's neuron 1, all zero in A and revived in B
        using var modelB = Model.Open(B);
        var weightsB = modelB.Neuron("fc2", 1).Parts[0].ToDoubles();

        // When it is asked for
        var run = CliRun.Of("diff", A, B, "fc2", "1");

        // Then each weight is a row: its position, 0 in A, B's value, and the difference, which is B's value
        Assert.Equal(0, run.Exit);
        Assert.Contains("fc2 (Linear) neuron 1 of 4: a.pt → b.pt", run.Stdout);
        Assert.Contains("revived, bias_sign_changed", run.Stdout);
        var rows = run.Stdout.Split('\n').Where(l => l.TrimStart().StartsWith('[')).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(8 + 1, rows.Count);
        for (int i = 0; i < 8; i++)
        {
            string b = NeuronKit.Cli.Output.DiffTextWriter.Number(weightsB[i]);
            Assert.Equal([$"[{i}]", "0", b, b], rows[i]);
        }
    }

    [Fact]
    public void With_an_index_the_JSON_holds_that_neuron_alone_and_a_negative_index_counts_from_the_end()
    {
        // Given fc1's last neuron asked for as -1
        var run = CliRun.Of("diff", A, B, "fc1", "-1", "--json");

        // Then the one layer holds neuron 7's row and still says the layer has 8 neurons
        Assert.Equal(0, run.Exit);
        var layer = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("layers")[0];
        Assert.Equal(8, layer.GetProperty("neurons").GetInt32());
        Assert.Equal([7L], layer.GetProperty("stats").EnumerateArray().Select(r => r.GetProperty("neuron").GetInt64()));
    }

    [Theory]
    [InlineData("fc9", null, "error: no layer 'fc9'")]
    [InlineData("fc1", "8", "error: neuron 8 is out of range for layer 'fc1'")]
    public void A_wrong_layer_or_index_is_a_request_error(string layer, string? index, string message)
    {
        var run = CliRun.Of(index is null ? ["diff", A, B, layer] : ["diff", A, B, layer, index]);

        Assert.Equal(2, run.Exit);
        Assert.StartsWith(message, run.Stderr);
    }

    [Theory]
    [InlineData("--json", "--csv", "error: --json and --csv both ask for the output format; give one")]
    [InlineData("--sort", "l3", "error: --sort 'l3' is not a sort key")]
    public void Conflicting_or_unknown_options_are_request_errors(string option, string value, string message)
    {
        var run = CliRun.Of("diff", A, B, option, value);

        Assert.Equal(2, run.Exit);
        Assert.StartsWith(message, run.Stderr);
    }

    [Fact]
    public void The_CSV_has_a_row_per_neuron_sorted_as_asked()
    {
        // When the neurons are sorted by relative change, two per layer
        var run = CliRun.Of("diff", A, B, "--csv", "--sort", "relative", "--top", "2");

        // Then fc2's revived neuron (infinitely changed) comes first in its layer, its flags joined by ';'
        Assert.Equal(0, run.Exit);
        var lines = run.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal("layer,kind,neuron,l2_delta,relative,cosine,max_abs,bias_delta,flags", lines[0]);
        Assert.Equal(1 + 4 * 2, lines.Length);
        var cells = lines[5].Split(',');
        Assert.Equal(["fc2", "Linear", "1"], cells[..3]);
        Assert.Equal(["Infinity", "NaN"], cells[4..6]);
        Assert.Equal("revived;bias_sign_changed", cells[8]);
    }

    [Fact]
    public void The_whole_CSV_says_what_the_JSON_says_row_by_row_in_order()
    {
        // Given the pair's table as CSV (formatted in chunks ahead of the writer) and as JSON
        var csv = CliRun.Of("diff", A, B, "--csv");
        var json = JsonDocument.Parse(CliRun.Of("diff", A, B, "--json").Stdout).RootElement;

        // Then every layer's rows come in order, each with the JSON's numbers, bias and flags
        Assert.Equal(0, csv.Exit);
        var rows = csv.Stdout.TrimEnd('\n').Split('\n')[1..];
        var expected = json.GetProperty("layers").EnumerateArray()
            .SelectMany(layer => layer.GetProperty("stats").EnumerateArray().Select(row => string.Join(",",
                [
                    layer.GetProperty("name").GetString()!, layer.GetProperty("kind").GetString()!, row.GetProperty("neuron").GetInt64().ToString(),
                    .. new[] { "l2_delta", "relative", "cosine", "max_abs", "bias_delta" }.Select(key => Cell(row.GetProperty(key))),
                    string.Join(";", row.GetProperty("flags").EnumerateArray().Select(f => f.GetString())),
                ])))
            .ToList();
        Assert.Equal(3 + 8 + 4 + 3, expected.Count);
        Assert.Equal(expected, rows);
    }

    // A JSON number (or "NaN", "Infinity", null) as the CSV writes it.
    private static string Cell(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "",
        JsonValueKind.String => value.GetString()!,
        _ => value.GetDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture),
    };

    // A copy of A with fc1's neuron 5 pruned by `neuron prune`, fc2's inputs shrinking with it.
    private static TempFile PrunedCopy()
    {
        var pruned = new TempFile("pruned.pt", []);
        Assert.Equal(0, CliRun.Of("prune", A, "fc1", "5", "--consumer", "fc2", "-o", pruned.Path).Exit);
        return pruned;
    }

    private static string Shape(JsonElement shape) => string.Join(",", shape.EnumerateArray().Select(d => d.GetInt64()));
}
