using System.Reflection;
using System.Text.Json;

namespace NeuronKit.Tests.Formats.Onnx;

/// <summary>
/// The ONNX oracle files: tests/fixtures/onnx/expected.json (made by make_onnx.py, values checked against PyTorch) and
/// resnet18_expected.json (made by make_resnet18_expected.py from the NuGet package's ResNet18.onnx).
/// </summary>
internal static class OnnxExpected
{
    private static readonly Lazy<JsonDocument> Fixtures = new(() => Parse("onnx/expected.json"));
    private static readonly Lazy<JsonDocument> ResNet = new(() => Parse("onnx/resnet18_expected.json"));

    /// <summary>Every query of expected.json, its file under tests/fixtures/onnx.</summary>
    public static IEnumerable<OnnxQuery> Queries() => Read(Fixtures.Value, name => Tests.Fixtures.Path(Path.Combine("onnx", name)));

    /// <summary>Every query of resnet18_expected.json, its file the package's ResNet18.onnx.</summary>
    public static IEnumerable<OnnxQuery> ResNetQueries() => Read(ResNet.Value, _ => ResNet18Path);

    /// <summary>Every bad input of expected.json.</summary>
    public static IEnumerable<OnnxError> Errors() => Fixtures.Value.RootElement.GetProperty("errors").EnumerateArray()
        .Select(e => new OnnxError(e.GetProperty("file").GetString()!,
            e.GetProperty("layer").ValueKind == JsonValueKind.String ? e.GetProperty("layer").GetString() : null,
            e.GetProperty("index").GetInt64(), e.GetProperty("exit").GetInt32(), e.GetProperty("contains").GetString()!));

    /// <summary>How many layers make_resnet18_expected.py counted (its Conv and BatchNormalization nodes).</summary>
    public static int ResNetLayers => ResNet.Value.RootElement.GetProperty("layers").GetInt32();

    /// <summary>ResNet18.onnx in the NuGet cache, from the path the test project's build recorded.</summary>
    public static string ResNet18Path { get; } = Path.Combine(
        typeof(OnnxExpected).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ResNet18PackageRoot").Value!,
        "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    private static JsonDocument Parse(string relative) => JsonDocument.Parse(File.ReadAllText(Tests.Fixtures.Path(relative)));

    private static IEnumerable<OnnxQuery> Read(JsonDocument document, Func<string, string> locate) =>
        document.RootElement.GetProperty("queries").EnumerateArray().Select(q => new OnnxQuery(
            q.GetProperty("file").GetString()!, locate(q.GetProperty("file").GetString()!), q.GetProperty("layer").GetString()!,
            q.GetProperty("index").GetInt64(), q.GetProperty("expect")));
}

/// <summary>One query: a file, a layer as the user writes it, an index, and what the oracle says neuron it is.</summary>
public sealed record OnnxQuery(string File, string FilePath, string Layer, long Index, JsonElement Expect)
{
    public override string ToString() => $"{File} {Layer} {Index}";
}

/// <summary>A bad input: running <c>neuron</c> on it must fail with this exit code and a message containing <see cref="Contains"/>.</summary>
public sealed record OnnxError(string File, string? Layer, long Index, int Exit, string Contains)
{
    public string FilePath => Tests.Fixtures.Path(Path.Combine("onnx", File));

    public override string ToString() => $"{File} {Layer} {Index}";
}
