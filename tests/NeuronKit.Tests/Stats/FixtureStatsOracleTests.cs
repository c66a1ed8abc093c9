using System.Text.Json;
using NeuronKit.Tests.Oracle;

namespace NeuronKit.Tests.Stats;

/// <summary>
/// <c>neuron stats FILE --json</c> of every readable fixture file of every format against expected_stats.json: numpy's
/// float64 statistics of each neuron, computed by tests/fixtures/neuron_stats.py from the very slices the parts oracle
/// (expected.json) names. Tolerance as in <see cref="StatsFixtureTests"/>: L1, L2 and std to a relative 1e-6, the mean
/// to 1e-6 of the mean magnitude; counts, zero fractions, min, max, biases and flags exact. The layer's L2 median is
/// relative 1e-6; its robust deviation is 1.4826 times a difference of two L2s, so to 4e-6 of the largest finite L2.
/// </summary>
public class FixtureStatsOracleTests
{
    private const double Relative = 1e-6;

    private static readonly string[] CheckpointEndings = [".pt", ".safetensors", ".index.json", ".npy", ".npz", ".onnx", ".gguf", ".dat", ".h5", ".keras", ".msgpack"];

    public static TheoryData<string> Folders() => [.. ExpectedStatsJson.Folders];

    public static TheoryData<string, string> Files()
    {
        var data = new TheoryData<string, string>();
        foreach (string folder in ExpectedStatsJson.Folders)
            foreach (string file in ExpectedStatsJson.Files(folder))
                data.Add(folder, file);
        return data;
    }

    public static TheoryData<string, string, string> Layers()
    {
        var data = new TheoryData<string, string, string>();
        foreach (string folder in ExpectedStatsJson.Folders)
            foreach (string file in ExpectedStatsJson.Files(folder))
                foreach (var layer in ExpectedStatsJson.Layers(folder, file))
                    data.Add(folder, file, layer.GetProperty("name").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void Every_fixture_file_NeuronKit_should_read_has_oracle_statistics(string folder)
    {
        // Given the checkpoint files of the folder, less those expected.json says are refused (a refused index
        // refuses the shards beside it too)
        var refused = FixtureOracle.Errors(folder).Where(e => e.Layer is null).Select(e => e.File).ToList();
        string root = Fixtures.Path(folder);
        var readable = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/'))
            .Where(p => !p.StartsWith("Generate/", StringComparison.Ordinal))
            .Where(p => CheckpointEndings.Any(e => p.EndsWith(e, StringComparison.Ordinal)))
            .Where(p => !refused.Any(r => r == p || (Path.GetDirectoryName(r) is { Length: > 0 } dir && p.StartsWith(dir + "/", StringComparison.Ordinal))));

        // When the oracle's files are listed
        var measured = ExpectedStatsJson.Files(folder).ToHashSet();

        // Then each readable file has its statistics
        Assert.Empty(readable.Where(p => !measured.Contains(p)).Order());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Stats_lists_exactly_the_layers_the_oracle_measured(string folder, string file)
    {
        // Given the layers the oracle measured
        var expected = ExpectedStatsJson.Layers(folder, file).Select(l => l.GetProperty("name").GetString()!).ToHashSet();

        // When neuron stats measures the whole file
        var listed = ExpectedStatsJson.StatsJson(folder, file).Keys.ToHashSet();

        // Then no layer is left without an oracle entry, and none the oracle measured is missing
        Assert.True(listed.Except(expected).Order().ToList() is [], $"listed by NeuronKit, no oracle entry: {string.Join(", ", listed.Except(expected).Order())}");
        Assert.True(expected.Except(listed).Order().ToList() is [], $"in the oracle, not listed by NeuronKit: {string.Join(", ", expected.Except(listed).Order())}");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Stats_skips_exactly_the_complex_layers_the_oracle_skipped(string folder, string file)
    {
        // Given the layers the oracle left out (a complex part: neuron_stats.py's rule)
        var expected = ExpectedStatsJson.Skipped(folder, file)
            .Select(l => $"{l.GetProperty("name").GetString()} {l.GetProperty("kind").GetString()} {l.GetProperty("neurons").GetInt64()}").Order();

        // When neuron stats measures the whole file
        var skipped = ExpectedStatsJson.StatsSkipped(folder, file);

        // Then it names the same layers (in file order, which the oracle does not keep), each with a reason naming its dtype
        Assert.Equal(expected, skipped.Select(l => $"{l.GetProperty("name").GetString()} {l.GetProperty("kind").GetString()} {l.GetProperty("neurons").GetInt64()}").Order());
        Assert.All(skipped, l => Assert.Matches("is complex(64|128)", l.GetProperty("reason").GetString()));
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Every_neuron_of_the_layer_has_the_oracle_statistics(string folder, string file, string layer)
    {
        // Given numpy's statistics of every neuron of the layer
        var expected = ExpectedStatsJson.Layers(folder, file).Single(l => l.GetProperty("name").GetString() == layer);

        // When neuron stats --json measures the file
        Assert.True(ExpectedStatsJson.StatsJson(folder, file).TryGetValue(layer, out var got), $"{file}: no layer {layer} in neuron stats --json");

        // Then every neuron agrees, and the layer's median and robust deviation of L2 (every mismatch is listed)
        var want = expected.GetProperty("stats").EnumerateArray().ToList();
        var rows = got.GetProperty("stats").EnumerateArray().ToList();
        Assert.Equal(expected.GetProperty("neurons").GetInt64(), got.GetProperty("neurons").GetInt64());
        Assert.Equal(want.Count, rows.Count);
        var mismatches = new List<string>();
        foreach (var (w, g) in want.Zip(rows))
            CompareNeuron($"{layer}[{w.GetProperty("neuron").GetInt64()}]", w, g, mismatches);
        var summary = got.GetProperty("summary");
        double median = ExpectedStatsJson.Number(expected.GetProperty("l2_median"));
        double largest = want.Select(n => ExpectedStatsJson.Number(n.GetProperty("l2"))).Where(double.IsFinite).DefaultIfEmpty(0).Max();
        Close(mismatches, $"{layer} l2_median", median, ExpectedStatsJson.Number(summary.GetProperty("l2_median")), Relative * Math.Abs(median));
        Close(mismatches, $"{layer} l2_sigma", ExpectedStatsJson.Number(expected.GetProperty("l2_sigma")),
            ExpectedStatsJson.Number(summary.GetProperty("l2_sigma")), 4 * Relative * largest);
        Assert.True(mismatches.Count == 0, $"{folder}/{file}: {mismatches.Count} mismatches\n{string.Join("\n", mismatches.Take(12))}");
    }

    private static void CompareNeuron(string at, JsonElement want, JsonElement got, List<string> mismatches)
    {
        Assert.Equal(want.GetProperty("neuron").GetInt64(), got.GetProperty("neuron").GetInt64());
        long n = want.GetProperty("weights").GetInt64();
        if (n != got.GetProperty("weights").GetInt64())
            mismatches.Add($"{at} weights: want {n}, got {got.GetProperty("weights").GetInt64()}");
        Exact(mismatches, $"{at} zero_fraction", (double)want.GetProperty("zeros").GetInt64() / n, ExpectedStatsJson.Number(got.GetProperty("zero_fraction")));
        double l1 = ExpectedStatsJson.Number(got.GetProperty("l1"));
        foreach (string key in new[] { "l1", "l2", "std" })
        {
            double value = ExpectedStatsJson.Number(got.GetProperty(key));
            Close(mismatches, $"{at} {key}", ExpectedStatsJson.Number(want.GetProperty(key)), value, Relative * Math.Abs(value));
        }
        Close(mismatches, $"{at} mean", ExpectedStatsJson.Number(want.GetProperty("mean")), ExpectedStatsJson.Number(got.GetProperty("mean")), Relative * l1 / n);
        foreach (string key in new[] { "min", "max" })
            Exact(mismatches, $"{at} {key}", ExpectedStatsJson.Number(want.GetProperty(key)), ExpectedStatsJson.Number(got.GetProperty(key)));
        if (!Nullable.Equals(ExpectedStatsJson.NumberOrNull(want.GetProperty("bias")), ExpectedStatsJson.NumberOrNull(got.GetProperty("bias"))))
            mismatches.Add($"{at} bias: want {want.GetProperty("bias")}, got {got.GetProperty("bias")}");
        if (!GateBiases(want).SequenceEqual(GateBiases(got)))
            mismatches.Add($"{at} gate_biases: want {Text(GateBiases(want))}, got {Text(GateBiases(got))}");
        foreach (string flag in new[] { "dead", "duplicate_of", "outlier" })
            if (want.GetProperty(flag).ToString() != got.GetProperty(flag).ToString())
                mismatches.Add($"{at} {flag}: want {want.GetProperty(flag)}, got {got.GetProperty(flag)}");
    }

    private static List<(string Gate, double? Bias)> GateBiases(JsonElement neuron) =>
        neuron.TryGetProperty("gate_biases", out var gates) && gates.ValueKind != JsonValueKind.Null
            ? [.. gates.EnumerateObject().Select(g => (g.Name, ExpectedStatsJson.NumberOrNull(g.Value)))]
            : [];

    private static string Text(List<(string Gate, double? Bias)> gates) =>
        gates.Count == 0 ? "none" : string.Join(", ", gates.Select(g => $"{g.Gate}={g.Bias?.ToString("R") ?? "null"}"));

    private static void Exact(List<string> mismatches, string what, double want, double got)
    {
        if (!want.Equals(got))
            mismatches.Add($"{what}: want {want:R}, got {got:R}");
    }

    private static void Close(List<string> mismatches, string what, double want, double got, double tolerance)
    {
        if (!double.IsFinite(want))
            Exact(mismatches, what, want, got);
        else if (!(Math.Abs(want - got) <= tolerance + 1e-300))
            mismatches.Add($"{what}: want {want:R}, got {got:R} (tolerance {tolerance:G3})");
    }
}
