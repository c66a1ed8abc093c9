using System.Collections.Concurrent;
using System.Text.Json;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Stats;

/// <summary>
/// A fixture folder's expected_stats.json (each folder's script writes it with tests/fixtures/neuron_stats.py): per
/// readable file, every layer and every neuron's numpy statistics; and <c>neuron stats FILE --json</c> of each file,
/// run once.
/// </summary>
internal static class ExpectedStatsJson
{
    /// <summary>The fixture folders, each with an expected.json and an expected_stats.json.</summary>
    public static readonly string[] Folders = ["pytorch", "safetensors", "numpy", "onnx", "gguf", "torchsharp", "keras", "flax"];

    private static readonly ConcurrentDictionary<string, JsonDocument> Documents = new();
    private static readonly ConcurrentDictionary<string, Lazy<JsonDocument>> Runs = new();

    public static JsonElement Root(string folder) => Documents.GetOrAdd(folder, f =>
        JsonDocument.Parse(System.IO.File.ReadAllText(Fixtures.Path(Path.Combine(f, "expected_stats.json"))))).RootElement;

    /// <summary>The files the oracle measured, as paths relative to the folder.</summary>
    public static IEnumerable<string> Files(string folder) =>
        Root(folder).GetProperty("files").EnumerateArray().Select(f => f.GetProperty("file").GetString()!);

    /// <summary>The oracle's layers of one file.</summary>
    public static List<JsonElement> Layers(string folder, string file) =>
        [.. Root(folder).GetProperty("files").EnumerateArray().Single(f => f.GetProperty("file").GetString() == file)
            .GetProperty("layers").EnumerateArray()];

    /// <summary>The layers the oracle did not measure in one file (complex ones): name, kind and neurons each.</summary>
    public static List<JsonElement> Skipped(string folder, string file) =>
        Root(folder).GetProperty("files").EnumerateArray().Single(f => f.GetProperty("file").GetString() == file)
            .TryGetProperty("skipped", out var skipped) ? [.. skipped.EnumerateArray()] : [];

    /// <summary><c>neuron stats FILE --json</c> of a fixture file (exit code checked), its layers by name.</summary>
    public static Dictionary<string, JsonElement> StatsJson(string folder, string file) =>
        Run(folder, file).GetProperty("layers").EnumerateArray().ToDictionary(l => l.GetProperty("name").GetString()!);

    /// <summary>The <c>skipped</c> layers of <c>neuron stats FILE --json</c> (none when the key is absent).</summary>
    public static List<JsonElement> StatsSkipped(string folder, string file) =>
        Run(folder, file).TryGetProperty("skipped", out var skipped) ? [.. skipped.EnumerateArray()] : [];

    private static JsonElement Run(string folder, string file) =>
        Runs.GetOrAdd(Path.Combine(folder, file), path => new Lazy<JsonDocument>(() =>
        {
            var run = CliRun.Of("stats", Fixtures.Path(path), "--json");
            Assert.True(run.Exit == 0, $"neuron stats {path} --json: exit {run.Exit}, {run.Stderr}");
            return JsonDocument.Parse(run.Stdout);
        })).Value.RootElement;

    /// <summary>A number of either JSON: a JSON number, or "NaN", "Infinity", "-Infinity".</summary>
    public static double Number(JsonElement value) => value.ValueKind == JsonValueKind.String
        ? value.GetString() switch { "NaN" => double.NaN, "Infinity" => double.PositiveInfinity, "-Infinity" => double.NegativeInfinity, var s => throw new FormatException(s) }
        : value.GetDouble();

    /// <summary>A number or null.</summary>
    public static double? NumberOrNull(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : Number(value);
}
