using System.Text.Json;

namespace NeuronKit.Tests.Oracle;

/// <summary>
/// One query of tests/fixtures/pytorch/expected.json: a file, a layer and an index, with the parts PyTorch's own
/// indexing gave (made by tests/fixtures/make_fixtures.py).
/// </summary>
public sealed record OracleQuery(string File, string Layer, long Index, JsonElement Expect)
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(System.IO.File.ReadAllText(Fixtures.Path("pytorch/expected.json"))));

    public static IEnumerable<OracleQuery> All() => Document.Value.RootElement.GetProperty("queries").EnumerateArray()
        .Select(q => new OracleQuery(q.GetProperty("file").GetString()!, q.GetProperty("layer").GetString()!,
            q.GetProperty("index").GetInt64(), q.GetProperty("expect")));

    public static IEnumerable<OracleError> Errors() => Document.Value.RootElement.GetProperty("errors").EnumerateArray()
        .Select(e => new OracleError(e.GetProperty("file").GetString()!,
            e.GetProperty("layer").ValueKind == JsonValueKind.String ? e.GetProperty("layer").GetString() : null,
            e.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetInt64() : 0,
            e.GetProperty("exit").GetInt32(), e.GetProperty("contains").GetString()!));

    public string FilePath => Fixtures.Path(Path.Combine("pytorch", File));

    public override string ToString() => $"{File} {Layer} {Index}";

    /// <summary>Every value of a nested JSON array, row-major, with the contract's "NaN"/"Infinity" strings read back.</summary>
    public static double[] Flatten(JsonElement values)
    {
        var flat = new List<double>();
        var pending = new Stack<JsonElement>();
        pending.Push(values);
        while (pending.Count > 0)
        {
            var element = pending.Pop();
            switch (element.ValueKind)
            {
                case JsonValueKind.Array:
                    foreach (var child in element.EnumerateArray().Reverse()) pending.Push(child);
                    break;
                case JsonValueKind.String:
                    flat.Add(element.GetString() switch
                    {
                        "NaN" => double.NaN,
                        "Infinity" => double.PositiveInfinity,
                        "-Infinity" => double.NegativeInfinity,
                        var s => throw new FormatException($"'{s}' is not a value"),
                    });
                    break;
                default:
                    flat.Add(element.GetDouble());
                    break;
            }
        }
        return [.. flat];
    }
}

/// <summary>A bad input of expected.json: running <c>neuron</c> on it must fail with this exit code and message.</summary>
public sealed record OracleError(string File, string? Layer, long Index, int Exit, string Contains)
{
    public string FilePath => Fixtures.Path(Path.Combine("pytorch", File));

    public override string ToString() => $"{File} {Layer} {Index}";
}
