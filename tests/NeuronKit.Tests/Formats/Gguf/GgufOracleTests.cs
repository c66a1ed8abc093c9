using System.Text.Json;
using NeuronKit.Neurons;
using NeuronKit.Tensors;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Oracle;

namespace NeuronKit.Tests.Formats.Gguf;

/// <summary>
/// Every query of the GGUF fixtures gives the reference dequantization's values exactly (they are float32 products
/// computed in ggml's order), from the library and from <c>neuron show --json</c>; every bad file fails with exit 3.
/// </summary>
public class GgufOracleTests
{
    public static TheoryData<string> Queries() => [.. GgufExpected.Queries().Select(q => q.ToString())];

    public static TheoryData<string> Errors() => [.. GgufExpected.Errors().Select(e => e.ToString())];

    private static OracleQuery Query(string key) => GgufExpected.Queries().Single(q => q.ToString() == key);

    [Theory]
    [MemberData(nameof(Queries))]
    public void The_library_gives_every_part_the_reference_dequantization_gives(string key)
    {
        // Given a query the reference answered
        var query = Query(key);

        // When NeuronKit answers it
        using var model = Model.Open(GgufExpected.Path(query.File));
        var neuron = model.Neuron(query.Layer, query.Index);

        // Then layer, kind, count and every part match, value for value
        var expect = query.Expect;
        Assert.Equal("gguf", model.Checkpoint.Format);
        Assert.Equal(expect.GetProperty("layer").GetString(), neuron.Layer.Name);
        if (!expect.TryGetProperty("kind_from_state_dict", out var settled) || settled.GetBoolean())
            Assert.Equal(expect.GetProperty("kind").GetString(), neuron.Layer.Kind);
        Assert.Equal(expect.GetProperty("neurons").GetInt64(), neuron.Layer.NeuronCount);
        Assert.Equal(expect.GetProperty("neuron").GetInt64(), neuron.Index);
        var parts = expect.GetProperty("parts").EnumerateArray().ToList();
        Assert.Equal(parts.Select(Describe), neuron.Parts.Select(p => Describe(model, p)));
        foreach (var (expected, actual) in parts.Zip(neuron.Parts))
            Assert.Equal(OracleQuery.Flatten(expected.GetProperty("values")), actual.ToDoubles());
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public void Show_json_prints_the_same_parts_and_values(string key)
    {
        var query = Query(key);

        var run = CliRun.Of("show", GgufExpected.Path(query.File), query.Layer, query.Index.ToString(), "--json");

        Assert.Equal(0, run.Exit);
        using var output = JsonDocument.Parse(run.Stdout);
        var root = output.RootElement;
        Assert.Equal(query.File, root.GetProperty("file").GetString());
        Assert.Equal("gguf", root.GetProperty("format").GetString());
        Assert.Equal(query.Expect.GetProperty("layer").GetString(), root.GetProperty("layer").GetProperty("name").GetString());
        Assert.Equal(query.Expect.GetProperty("neuron").GetInt64(), root.GetProperty("neuron").GetInt64());
        var expected = query.Expect.GetProperty("parts").EnumerateArray().ToList();
        var actual = root.GetProperty("parts").EnumerateArray().ToList();
        Assert.Equal(expected.Select(Describe), actual.Select(Describe));
        foreach (var (e, a) in expected.Zip(actual))
            Assert.Equal(OracleQuery.Flatten(e.GetProperty("values")), OracleQuery.Flatten(a.GetProperty("values")));
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public void Every_bad_input_fails_with_its_exit_code_and_a_clear_message(string key)
    {
        // Given a bad file or request
        var error = GgufExpected.Errors().Single(e => e.ToString() == key);
        string path = GgufExpected.Path(error.File);

        // When the CLI is asked about it
        var run = error.Layer is null ? CliRun.Of("layers", path) : CliRun.Of("show", path, error.Layer, error.Index.ToString());

        // Then it fails as the contract says: one error line naming the file when it is the file's fault, no stack trace
        Assert.Equal(error.Exit, run.Exit);
        Assert.StartsWith("error: ", run.Stderr);
        if (error.Exit == 3) Assert.StartsWith($"error: {error.File} ", run.Stderr);
        Assert.Contains(error.Contains, run.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public void Every_readable_type_is_queried_by_the_oracle()
    {
        // Given the queries, when their parts' stored types are collected, then each type the reader supports appears
        var types = GgufExpected.Queries().SelectMany(q => q.Expect.GetProperty("parts").EnumerateArray())
            .Select(p => p.GetProperty("dtype").GetString()).ToHashSet();

        Assert.Superset(new HashSet<string?> { "float32", "float16", "bfloat16", "float64", "int8", "int16", "int32", "int64", "q8_0", "q4_0",
            "q4_1", "q5_0", "q5_1", "q2_k", "q3_k", "q4_k", "q5_k", "q6_k" }, types);
    }

    private static string Describe(JsonElement part) => string.Join(" | ",
        part.GetProperty("tensor").GetString(), part.GetProperty("role").GetString(),
        part.GetProperty("gate").ValueKind == JsonValueKind.Null ? "-" : part.GetProperty("gate").GetString(),
        part.GetProperty("index").GetString(), string.Join(",", part.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())),
        part.GetProperty("dtype").GetString());

    private static string Describe(Model model, NeuronPart part) => string.Join(" | ",
        part.Tensor, part.Role, part.Gate ?? "-", part.Index, string.Join(",", part.Shape),
        model.Checkpoint.Find(part.Tensor)!.StoredAs ?? part.DType.Name());
}
