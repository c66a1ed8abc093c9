using System.Text.Json;
using NeuronKit.Neurons;
using NeuronKit.Tensors;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Oracle;

namespace NeuronKit.Tests.Formats.Onnx;

/// <summary>Every query of the ONNX fixtures gives the oracle's values, exactly, from the library and from the CLI.</summary>
public class OnnxOracleTests
{
    public static TheoryData<string> Queries() => [.. OnnxExpected.Queries().Select(q => q.ToString())];

    public static TheoryData<string> Errors() => [.. OnnxExpected.Errors().Select(e => e.ToString())];

    private static OnnxQuery Query(string key) => OnnxExpected.Queries().Single(q => q.ToString() == key);

    [Theory]
    [MemberData(nameof(Queries))]
    public void The_library_gives_every_part_the_oracle_gives(string key) => AssertModel(Query(key));

    [Theory]
    [MemberData(nameof(Queries))]
    public void Show_json_prints_the_same_parts_and_values(string key) => AssertShowJson(Query(key));

    [Theory]
    [MemberData(nameof(Errors))]
    public void Every_bad_input_fails_with_its_exit_code_and_a_clear_message(string key)
    {
        // Given a bad file or request
        var error = OnnxExpected.Errors().Single(e => e.ToString() == key);

        // When the CLI is asked about it
        var run = error.Layer is null
            ? CliRun.Of("layers", error.FilePath)
            : CliRun.Of("show", error.FilePath, error.Layer, error.Index.ToString());

        // Then it fails as the contract says: one error line naming the file, no stack trace, nothing on stdout
        Assert.Equal(error.Exit, run.Exit);
        Assert.StartsWith("error: ", run.Stderr);
        Assert.Contains(error.Contains, run.Stderr, StringComparison.OrdinalIgnoreCase);
        if (error.Exit == 3) Assert.Contains(error.File, run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public void The_oracle_covers_every_kind_an_onnx_node_makes()
    {
        var kinds = OnnxExpected.Queries().Select(q => q.Expect.GetProperty("kind").GetString()).ToHashSet();

        Assert.Superset(new HashSet<string?> { "Linear", "Conv2d", "ConvTranspose2d", "BatchNorm", "LayerNorm", "Embedding", "LSTM", "GRU", "RNN" }, kinds);
    }

    /// <summary>Opens the query's file with <see cref="Model"/> and checks layer, kind, count and every part against the oracle.</summary>
    internal static void AssertModel(OnnxQuery query)
    {
        // Given a query the oracle answered, when NeuronKit answers it
        using var model = Model.Open(query.FilePath);
        var neuron = model.Neuron(query.Layer, query.Index);

        // Then layer, kind, count and every part match, value by value
        var expect = query.Expect;
        Assert.Equal(expect.GetProperty("layer").GetString(), neuron.Layer.Name);
        Assert.Equal(expect.GetProperty("kind").GetString(), neuron.Layer.Kind);
        Assert.Equal(expect.GetProperty("neurons").GetInt64(), neuron.Layer.NeuronCount);
        Assert.Equal(expect.GetProperty("neuron").GetInt64(), neuron.Index);
        var parts = expect.GetProperty("parts").EnumerateArray().ToList();
        Assert.Equal(parts.Select(Describe), neuron.Parts.Select(Describe));
        foreach (var (expected, actual) in parts.Zip(neuron.Parts))
            Assert.Equal(OracleQuery.Flatten(expected.GetProperty("values")), actual.ToDoubles());
    }

    /// <summary>Runs <c>neuron show --json</c> on the query and checks the printed object against the oracle.</summary>
    internal static void AssertShowJson(OnnxQuery query)
    {
        var run = CliRun.Of("show", query.FilePath, query.Layer, query.Index.ToString(), "--json");

        Assert.True(run.Exit == 0, run.Stderr);
        using var output = JsonDocument.Parse(run.Stdout);
        var root = output.RootElement;
        Assert.Equal(Path.GetFileName(query.FilePath), root.GetProperty("file").GetString());
        Assert.Equal("onnx", root.GetProperty("format").GetString());
        Assert.Equal(query.Expect.GetProperty("layer").GetString(), root.GetProperty("layer").GetProperty("name").GetString());
        Assert.Equal(query.Expect.GetProperty("kind").GetString(), root.GetProperty("layer").GetProperty("kind").GetString());
        Assert.Equal(query.Expect.GetProperty("neuron").GetInt64(), root.GetProperty("neuron").GetInt64());
        var expected = query.Expect.GetProperty("parts").EnumerateArray().ToList();
        var actual = root.GetProperty("parts").EnumerateArray().ToList();
        Assert.Equal(expected.Select(Describe), actual.Select(Describe));
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.Equal(OracleQuery.Flatten(e.GetProperty("values")), OracleQuery.Flatten(a.GetProperty("values")));
            Assert.Equal(Depth(e.GetProperty("values")), Depth(a.GetProperty("values")));
        }
    }

    private static string Describe(JsonElement part) => string.Join(" | ",
        part.GetProperty("tensor").GetString(), part.GetProperty("role").GetString(),
        part.GetProperty("gate").ValueKind == JsonValueKind.Null ? "-" : part.GetProperty("gate").GetString(),
        part.GetProperty("index").GetString(), string.Join(",", part.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())),
        part.GetProperty("dtype").GetString());

    private static string Describe(NeuronPart part) => string.Join(" | ",
        part.Tensor, part.Role, part.Gate ?? "-", part.Index, string.Join(",", part.Shape), part.DType.Name());

    private static int Depth(JsonElement values) =>
        values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0 ? 1 + Depth(values[0]) :
        values.ValueKind == JsonValueKind.Array ? 1 : 0;
}
