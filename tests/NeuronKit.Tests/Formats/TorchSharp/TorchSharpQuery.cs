using System.Text.Json;

namespace NeuronKit.Tests.Formats.TorchSharp;

/// <summary>
/// One query of tests/fixtures/torchsharp/expected.json: a file, a layer and an index, with the parts TorchSharp's own
/// indexing of the live module gave (made by tests/fixtures/torchsharp/Generate).
/// </summary>
public sealed record TorchSharpQuery(string File, string Layer, long Index, JsonElement Expect)
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(System.IO.File.ReadAllText(Fixtures.Path("torchsharp/expected.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    public static IEnumerable<TorchSharpQuery> All() => Root.GetProperty("queries").EnumerateArray()
        .Select(q => new TorchSharpQuery(q.GetProperty("file").GetString()!, q.GetProperty("layer").GetString()!,
            q.GetProperty("index").GetInt64(), q.GetProperty("expect")));

    public static IEnumerable<TorchSharpError> Errors() => Root.GetProperty("errors").EnumerateArray()
        .Select(e => new TorchSharpError(e.GetProperty("file").GetString()!,
            e.GetProperty("layer").ValueKind == JsonValueKind.String ? e.GetProperty("layer").GetString() : null,
            e.GetProperty("index").ValueKind == JsonValueKind.Number ? e.GetProperty("index").GetInt64() : 0,
            e.GetProperty("exit").GetInt32(), e.GetProperty("contains").GetString()!));

    /// <summary>The path of a TorchSharp fixture.</summary>
    public static string PathOf(string file) => Fixtures.Path(System.IO.Path.Combine("torchsharp", file));

    public string FilePath => PathOf(File);

    public override string ToString() => $"{File} {Layer} {Index}";
}

/// <summary>A bad input of expected.json: running <c>neuron</c> on it must fail with this exit code and message.</summary>
public sealed record TorchSharpError(string File, string? Layer, long Index, int Exit, string Contains)
{
    public string FilePath => TorchSharpQuery.PathOf(File);

    public override string ToString() => $"{File} {Layer} {Index}";
}
