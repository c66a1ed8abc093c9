using System.Text.Json;

namespace NeuronKit.Tests.Stats;

/// <summary>Reads tests/fixtures/stats/expected.json: PyTorch's float64 statistics of every neuron of stats.pt.</summary>
internal static class StatsExpectedJson
{
    private static readonly Lazy<JsonDocument> Document = new(() => JsonDocument.Parse(System.IO.File.ReadAllText(Fixtures.Path("stats/expected.json"))));

    public static string Checkpoint => Fixtures.Path("stats/stats.pt");

    public static IEnumerable<JsonElement> Layers => Document.Value.RootElement.GetProperty("layers").EnumerateArray();

    public static JsonElement Layer(string name) => Layers.Single(l => l.GetProperty("name").GetString() == name);

    public static IEnumerable<object[]> LayerNames => Layers.Select(l => new object[] { l.GetProperty("name").GetString()! });

    /// <summary>A number of the file: a JSON number, or "NaN", "Infinity", "-Infinity".</summary>
    public static double Number(JsonElement value) => value.ValueKind == JsonValueKind.String
        ? value.GetString() switch { "NaN" => double.NaN, "Infinity" => double.PositiveInfinity, _ => double.NegativeInfinity }
        : value.GetDouble();
}
