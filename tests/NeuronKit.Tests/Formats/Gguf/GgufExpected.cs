using System.Text.Json;
using NeuronKit.Tests.Oracle;

namespace NeuronKit.Tests.Formats.Gguf;

/// <summary>
/// tests/fixtures/gguf/expected.json (made by make_gguf.py, in the format of pytorch/expected.json): for each query the
/// neuron the reference dequantization (ggml-quants.c's formulas, in numpy) gives, and the bad inputs with their errors.
/// </summary>
internal static class GgufExpected
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path("gguf/expected.json"))));

    public static string Path(string file) => Fixtures.Path(System.IO.Path.Combine("gguf", file));

    public static IEnumerable<OracleQuery> Queries() => Document.Value.RootElement.GetProperty("queries").EnumerateArray()
        .Select(q => new OracleQuery(q.GetProperty("file").GetString()!, q.GetProperty("layer").GetString()!,
            q.GetProperty("index").GetInt64(), q.GetProperty("expect")));

    public static IEnumerable<OracleError> Errors() => Document.Value.RootElement.GetProperty("errors").EnumerateArray()
        .Select(e => new OracleError(e.GetProperty("file").GetString()!,
            e.GetProperty("layer").ValueKind == JsonValueKind.String ? e.GetProperty("layer").GetString() : null,
            e.GetProperty("index").ValueKind == JsonValueKind.Number ? e.GetProperty("index").GetInt64() : 0,
            e.GetProperty("exit").GetInt32(), e.GetProperty("contains").GetString()!));
}
