using System.Text.Json;

namespace NeuronKit.Tests.Activations;

/// <summary>tests/fixtures/activations: the models, inputs and expected.json that make_activations.py wrote with PyTorch.</summary>
internal static class ActivationFixtures
{
    private static readonly Lazy<JsonDocument> Expected = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path("expected.json"))));

    /// <summary>The folder the fixtures are in.</summary>
    public static string Folder { get; } = Fixtures.Path("activations");

    /// <summary>The path of fixture <paramref name="name"/>.</summary>
    public static string Path(string name) => System.IO.Path.Combine(Folder, name);

    /// <summary>Section <paramref name="name"/> of expected.json.</summary>
    public static JsonElement Section(string name) => Expected.Value.RootElement.GetProperty(name);

    /// <summary>The indices of the cases, for theories.</summary>
    public static TheoryData<int> CaseIndices()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Section("cases").GetArrayLength(); i++) data.Add(i);
        return data;
    }

    /// <summary>An --input argument with its file under the fixtures folder (<c>name=file</c> kept).</summary>
    public static string Input(string spec)
    {
        int equals = spec.IndexOf('=');
        return equals < 0 ? Path(spec) : spec[..(equals + 1)] + Path(spec[(equals + 1)..]);
    }

    /// <summary>JSON output with the fixtures folder taken out of the input labels, as expected.json writes them.</summary>
    public static JsonElement Json(string stdout) =>
        JsonDocument.Parse(stdout.Replace(Folder + System.IO.Path.DirectorySeparatorChar, "")).RootElement;

    /// <summary>A JSON array of dimensions.</summary>
    public static long[] Shape(JsonElement shape) => [.. shape.EnumerateArray().Select(d => d.GetInt64())];

    /// <summary>Every number of <paramref name="actual"/> within <paramref name="tolerance"/> of <paramref name="expected"/>'s, nested alike.</summary>
    public static void AssertClose(JsonElement expected, JsonElement actual, double tolerance, string where)
    {
        if (expected.ValueKind == JsonValueKind.Array)
        {
            Assert.True(actual.ValueKind == JsonValueKind.Array, $"{where}: expected an array, got {actual}");
            Assert.Equal(expected.GetArrayLength(), actual.GetArrayLength());
            for (int i = 0; i < expected.GetArrayLength(); i++) AssertClose(expected[i], actual[i], tolerance, $"{where}[{i}]");
            return;
        }
        Assert.True(actual.ValueKind == JsonValueKind.Number, $"{where}: expected a number, got {actual}");
        double e = expected.GetDouble(), a = actual.GetDouble();
        Assert.True(Math.Abs(e - a) <= tolerance, $"{where}: {a} is not within {tolerance} of PyTorch's {e}");
    }
}
