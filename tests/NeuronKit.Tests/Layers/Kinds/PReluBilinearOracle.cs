using System.Text.Json;
using NeuronKit.Neurons;

namespace NeuronKit.Tests.Layers.Kinds;

/// <summary>
/// tests/fixtures/graph/prelu_bilinear.json, written by make_prelu_bilinear.py: PReLU's and Bilinear's neurons by PyTorch's
/// own indexing, and outgoing parts a forward pass proved.
/// </summary>
internal static class PReluBilinearOracle
{
    private static readonly JsonElement Root =
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path("graph/prelu_bilinear.json"))).RootElement;

    /// <summary>The fixture file's path.</summary>
    public static string Fixture(string name) => Fixtures.Path("graph/" + name);

    /// <summary>Every neuron query: file, layer, index.</summary>
    public static TheoryData<string, string, long> Neurons() => Keys("neurons");

    /// <summary>Every outgoing query: file, layer, index.</summary>
    public static TheoryData<string, string, long> Outgoing() => Keys("outgoing");

    /// <summary>The expected parts of a query as (tensor, role, index, direction, shape, values flattened), arrays as exact text.</summary>
    public static IReadOnlyList<(string Tensor, string Role, string Index, string Direction, string Shape, string Values)> Parts(
        string list, string file, string layer, long index) =>
        [.. Query(list, file, layer, index).GetProperty("parts").EnumerateArray().Select(p => (
            p.GetProperty("tensor").GetString()!, p.GetProperty("role").GetString()!, p.GetProperty("index").GetString()!,
            p.GetProperty("direction").GetString()!, Text(p.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())),
            Text(Flatten(p.GetProperty("values")))))];

    /// <summary>The kind a neuron query asks for (as <c>--kind</c>) where the file cannot say it, or null.</summary>
    public static string? Asked(string file, string layer, long index) =>
        Query("neurons", file, layer, index).TryGetProperty("asked", out var kind) ? kind.GetString() : null;

    /// <summary>A query's neuron count.</summary>
    public static long NeuronCount(string file, string layer, long index) =>
        Query("neurons", file, layer, index).GetProperty("neurons").GetInt64();

    /// <summary>A part as the oracle lists it, for comparison.</summary>
    public static (string, string, string, string, string, string) Of(NeuronPart part) =>
        (part.Tensor, part.Role.Name, part.Index, part.Direction.ToString().ToLowerInvariant(), Text(part.Shape), Text(part.ToDoubles()));

    // Numbers as round-trip text, so two lists compare by value.
    private static string Text<T>(IEnumerable<T> values) where T : IFormattable =>
        string.Join(", ", values.Select(v => v.ToString(typeof(T) == typeof(double) ? "R" : null, System.Globalization.CultureInfo.InvariantCulture)));

    private static JsonElement Query(string list, string file, string layer, long index) =>
        Root.GetProperty(list).EnumerateArray().Single(q => q.GetProperty("file").GetString() == file
            && q.GetProperty("layer").GetString() == layer && q.GetProperty("index").GetInt64() == index);

    private static TheoryData<string, string, long> Keys(string list)
    {
        var data = new TheoryData<string, string, long>();
        foreach (var q in Root.GetProperty(list).EnumerateArray())
            data.Add(q.GetProperty("file").GetString()!, q.GetProperty("layer").GetString()!, q.GetProperty("index").GetInt64());
        return data;
    }

    private static IEnumerable<double> Flatten(JsonElement values) =>
        values.ValueKind == JsonValueKind.Array ? values.EnumerateArray().SelectMany(Flatten) : [values.GetDouble()];
}
