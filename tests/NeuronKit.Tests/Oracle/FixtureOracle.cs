using System.Text.Json;
using NeuronKit.Neurons;
using NeuronKit.Tensors;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Oracle;

/// <summary>
/// The expected.json of one fixture folder (same shape as pytorch/expected.json) and the checks every format's oracle
/// tests make with it: each query through <see cref="Model"/> and through <c>neuron show --json</c>, each error
/// through the CLI.
/// </summary>
internal static class FixtureOracle
{
    private static readonly Dictionary<string, JsonDocument> Documents = [];

    public static JsonElement Root(string folder)
    {
        lock (Documents)
        {
            if (!Documents.TryGetValue(folder, out var document))
                Documents[folder] = document = JsonDocument.Parse(File.ReadAllText(Fixtures.Path(Path.Combine(folder, "expected.json"))));
            return document.RootElement;
        }
    }

    public static IEnumerable<OracleQuery> Queries(string folder) => Root(folder).GetProperty("queries").EnumerateArray()
        .Select(q => new OracleQuery(q.GetProperty("file").GetString()!, q.GetProperty("layer").GetString()!,
            q.GetProperty("index").GetInt64(), q.GetProperty("expect")));

    public static IEnumerable<OracleError> Errors(string folder) => Root(folder).GetProperty("errors").EnumerateArray()
        .Select(e => new OracleError(e.GetProperty("file").GetString()!,
            e.GetProperty("layer").ValueKind == JsonValueKind.String ? e.GetProperty("layer").GetString() : null,
            e.GetProperty("index").ValueKind == JsonValueKind.Number ? e.GetProperty("index").GetInt64() : 0,
            e.GetProperty("exit").GetInt32(), e.GetProperty("contains").GetString()!));

    public static TheoryData<string> QueryKeys(string folder) => [.. Queries(folder).Select(q => q.ToString())];

    public static TheoryData<string> ErrorKeys(string folder) => [.. Errors(folder).Select(e => e.ToString())];

    public static string FilePath(string folder, string file) => Fixtures.Path(Path.Combine(folder, file));

    /// <summary>Layer, kind, count and every part, value by value, from the library.</summary>
    public static void AssertLibrary(string folder, string key)
    {
        var query = Queries(folder).Single(q => q.ToString() == key);
        AssertLibrary(FilePath(folder, query.File), query.Layer, query.Index, query.Expect);
    }

    /// <summary>Layer, kind, count and every part of neuron <paramref name="index"/> of <paramref name="layer"/> in <paramref name="path"/>.</summary>
    public static void AssertLibrary(string path, string layer, long index, JsonElement expect)
    {
        // Given a query the oracle answered, when NeuronKit answers it
        using var model = Model.Open(path);
        var neuron = model.Neuron(layer, index);

        // Then layer, kind, count and every part match, value by value
        Assert.Equal(expect.GetProperty("layer").GetString(), neuron.Layer.Name);
        if (!expect.TryGetProperty("kind_from_state_dict", out var settled) || settled.GetBoolean())
            Assert.Equal(expect.GetProperty("kind").GetString(), neuron.Layer.Kind);
        Assert.Equal(expect.GetProperty("neurons").GetInt64(), neuron.Layer.NeuronCount);
        Assert.Equal(expect.GetProperty("neuron").GetInt64(), neuron.Index);
        var parts = expect.GetProperty("parts").EnumerateArray().ToList();
        Assert.Equal(parts.Select(Describe), neuron.Parts.Select(p => Describe(p, model)));
        foreach (var (expected, actual) in parts.Zip(neuron.Parts))
        {
            Assert.Equal(OracleQuery.Flatten(expected.GetProperty("values")), Values(actual));
            AssertQuantized(expected, actual.ToQuantized());
        }
    }

    // A complex part's values flattened as expected.json nests them: re, im of each value in turn.
    private static double[] Values(NeuronPart part) =>
        part.DType.IsComplex() ? [.. part.ToComplex().SelectMany(z => new[] { z.Real, z.Imaginary })] : part.ToDoubles();

    // A quantized part's stored side: int_repr() of the slice, and q_scale()/q_zero_point() or the per-channel ones.
    private static void AssertQuantized(JsonElement expected, QuantizedValues? actual)
    {
        if (!expected.TryGetProperty("quantized", out var q))
        {
            Assert.Null(actual);
            return;
        }
        Assert.NotNull(actual);
        Assert.Equal(q.GetProperty("scheme").GetString(), actual.Scheme);
        Assert.Equal(OracleQuery.Flatten(q.GetProperty("values")), actual.Integers.Select(v => (double)v));
        Assert.Equal(OracleQuery.Flatten(q.GetProperty("scale")), actual.Scales);
        // A codebook layout (ggml's iq4_nl, mxfp4, …) has no zero point.
        Assert.Equal(q.TryGetProperty("zero_point", out var zero) ? OracleQuery.Flatten(zero) : [], actual.ZeroPoints);
        Assert.Equal(q.GetProperty("axis").ValueKind == JsonValueKind.Null ? null : q.GetProperty("axis").GetInt32(), actual.Axis);
        // A layout that adds a min (ggml's q4_1, q4_k, …) has one per element; the others none.
        Assert.Equal(q.TryGetProperty("min", out var min) ? OracleQuery.Flatten(min) : null, actual.Mins);
        // A codebook layout's levels, indexed by the code, to the bit (E2M1's code 8 is −0).
        Assert.Equal(q.TryGetProperty("codebook", out var codebook) ? OracleQuery.Flatten(codebook).Select(BitConverter.DoubleToInt64Bits) : null,
            actual.Codebook?.Select(BitConverter.DoubleToInt64Bits));
    }

    /// <summary>The same query through <c>neuron show --json</c>: the contract's shape, the reader's name, exact values.</summary>
    public static void AssertShowJson(string folder, string key, string format)
    {
        var query = Queries(folder).Single(q => q.ToString() == key);
        AssertShowJson(FilePath(folder, query.File), query.Layer, query.Index, query.Expect, format);
    }

    /// <summary>The same through <c>neuron show FILE LAYER INDEX --json</c>.</summary>
    public static void AssertShowJson(string path, string layer, long index, JsonElement expect, string format)
    {
        var run = CliRun.Of("show", path, layer, index.ToString(), "--json");

        Assert.True(run.Exit == 0, run.Stderr);
        using var output = JsonDocument.Parse(run.Stdout);
        var root = output.RootElement;
        var query = new OracleQuery(path, layer, index, expect);
        Assert.Equal(Path.GetFileName(path), root.GetProperty("file").GetString());
        Assert.Equal(format, root.GetProperty("format").GetString());
        Assert.Equal(query.Expect.GetProperty("layer").GetString(), root.GetProperty("layer").GetProperty("name").GetString());
        Assert.Equal(query.Expect.GetProperty("neurons").GetInt64(), root.GetProperty("layer").GetProperty("neurons").GetInt64());
        if (!query.Expect.TryGetProperty("kind_from_state_dict", out var settled) || settled.GetBoolean())
            Assert.Equal(query.Expect.GetProperty("kind").GetString(), root.GetProperty("layer").GetProperty("kind").GetString());
        Assert.Equal(query.Expect.GetProperty("neuron").GetInt64(), root.GetProperty("neuron").GetInt64());
        var expected = query.Expect.GetProperty("parts").EnumerateArray().ToList();
        var actual = root.GetProperty("parts").EnumerateArray().ToList();
        Assert.Equal(expected.Select(Describe), actual.Select(Describe));
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.Equal(OracleQuery.Flatten(e.GetProperty("values")), OracleQuery.Flatten(a.GetProperty("values")));
            Assert.Equal(Depth(e.GetProperty("values")), Depth(a.GetProperty("values")));
            Assert.Equal(e.TryGetProperty("quantized", out var eq), a.TryGetProperty("quantized", out var aq));
            if (eq.ValueKind == JsonValueKind.Object)
            {
                Assert.Equal(eq.EnumerateObject().Select(p => p.Name), aq.EnumerateObject().Select(p => p.Name));
                foreach (string key in new[] { "scheme", "values", "scale", "zero_point", "axis", "min", "codebook" }.Where(k => eq.TryGetProperty(k, out _)))
                {
                    Assert.Equal(eq.GetProperty(key).ValueKind, aq.GetProperty(key).ValueKind);
                    if (eq.GetProperty(key).ValueKind is JsonValueKind.Array or JsonValueKind.Number)
                    {
                        Assert.Equal(OracleQuery.Flatten(eq.GetProperty(key)), OracleQuery.Flatten(aq.GetProperty(key)));
                        Assert.Equal(Depth(eq.GetProperty(key)), Depth(aq.GetProperty(key)));
                    }
                    else Assert.Equal(eq.GetProperty(key).GetString(), aq.GetProperty(key).GetString());
                }
            }
        }
    }

    /// <summary>A bad file or request fails through the CLI with its exit code, one error line and no stack trace.</summary>
    public static void AssertCliError(string folder, string key)
    {
        // Given a bad file or request
        var error = Errors(folder).Single(e => e.ToString() == key);
        string path = FilePath(folder, error.File);

        // When the CLI is asked about it
        var run = error.Layer is null
            ? CliRun.Of("layers", path)
            : CliRun.Of("show", path, error.Layer, error.Index.ToString());

        // Then it fails as the contract says
        Assert.Equal(error.Exit, run.Exit);
        Assert.StartsWith("error: ", run.Stderr);
        Assert.Contains(error.Contains, run.Stderr, StringComparison.OrdinalIgnoreCase);
        if (error.Exit == 3) Assert.Contains(Path.GetFileName(error.File), run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    private static string Describe(JsonElement part) => string.Join(" | ",
        part.GetProperty("tensor").GetString(), part.GetProperty("role").GetString(),
        part.GetProperty("gate").ValueKind == JsonValueKind.Null ? "-" : part.GetProperty("gate").GetString(),
        part.GetProperty("index").GetString(), string.Join(",", part.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())),
        part.GetProperty("dtype").GetString());

    // A quantized GGUF row is a float32 view of what the file stores as q4_0 …; the contract prints the stored type.
    private static string Describe(NeuronPart part, Model model) => string.Join(" | ",
        part.Tensor, part.Role.Name, part.Gate?.Name ?? "-", part.Index, string.Join(",", part.Shape),
        part.StoredAs ?? part.DType.Name());

    private static int Depth(JsonElement values) =>
        values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0 ? 1 + Depth(values[0]) :
        values.ValueKind == JsonValueKind.Array ? 1 : 0;
}
