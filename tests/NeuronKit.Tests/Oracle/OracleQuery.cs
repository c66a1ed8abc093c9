using System.Text.Json;

namespace NeuronKit.Tests.Oracle;

/// <summary>
/// One query of a fixture folder's expected.json: a file, a layer and an index, with the parts the reference's own
/// indexing gave (made by the script beside the fixtures).
/// </summary>
public sealed record OracleQuery(string File, string Layer, long Index, JsonElement Expect)
{
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
    public override string ToString() => $"{File} {Layer} {Index}";
}
