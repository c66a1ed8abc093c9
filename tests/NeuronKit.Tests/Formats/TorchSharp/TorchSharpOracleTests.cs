using System.Text.Json;
using NeuronKit.Neurons;
using NeuronKit.Tensors;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Oracle;

namespace NeuronKit.Tests.Formats.TorchSharp;

/// <summary>Every query of the TorchSharp fixtures gives TorchSharp's own values, exactly, from the library and from the CLI.</summary>
public class TorchSharpOracleTests
{
    public static TheoryData<string> Queries() => [.. TorchSharpQuery.All().Select(q => q.ToString())];

    public static TheoryData<string> Errors() => [.. TorchSharpQuery.Errors().Select(e => e.ToString())];

    private static TorchSharpQuery Query(string key) => TorchSharpQuery.All().Single(q => q.ToString() == key);

    [Fact]
    public void The_oracle_covers_every_kind_it_was_asked_for()
    {
        var kinds = TorchSharpQuery.All().Select(q => q.Expect.GetProperty("kind").GetString()).ToHashSet();

        Assert.Superset(new HashSet<string?> { "Linear", "Conv2d", "LSTM", "GRU", "ConvTranspose2d", "BatchNorm2d", "Embedding" }, kinds);
        Assert.Equal(["bfloat16", "float16", "float32", "float64"], TorchSharpQuery.All()
            .SelectMany(q => q.Expect.GetProperty("parts").EnumerateArray()).Select(p => p.GetProperty("dtype").GetString()).Distinct().Order());
        Assert.Equal("0.107.0", TorchSharpQuery.Root.GetProperty("torchsharp").GetString());
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public void The_library_gives_every_part_TorchSharp_gives(string key)
    {
        // Given a query TorchSharp answered from the live module
        var query = Query(key);

        // When NeuronKit answers it from the saved file
        using var model = Model.Open(query.FilePath);
        var neuron = model.Neuron(query.Layer, query.Index);

        // Then the format, layer, kind, count and every part match, value by value
        var expect = query.Expect;
        Assert.Equal("torchsharp", model.Checkpoint.Format);
        Assert.Equal(expect.GetProperty("layer").GetString(), neuron.Layer.Name);
        if (!expect.TryGetProperty("kind_from_state_dict", out var settled) || settled.GetBoolean())
            Assert.Equal(expect.GetProperty("kind").GetString(), neuron.Layer.Kind);
        Assert.Equal(expect.GetProperty("neurons").GetInt64(), neuron.Layer.NeuronCount);
        Assert.Equal(expect.GetProperty("neuron").GetInt64(), neuron.Index);
        var parts = expect.GetProperty("parts").EnumerateArray().ToList();
        Assert.Equal(parts.Select(Describe), neuron.Parts.Select(Describe));
        foreach (var (expected, actual) in parts.Zip(neuron.Parts))
            Assert.Equal(OracleQuery.Flatten(expected.GetProperty("values")), actual.ToDoubles());
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public void Show_json_prints_the_same_parts_and_values(string key)
    {
        var query = Query(key);

        var run = CliRun.Of("show", query.FilePath, query.Layer, query.Index.ToString(), "--json");

        Assert.Equal(0, run.Exit);
        using var output = JsonDocument.Parse(run.Stdout);
        var root = output.RootElement;
        Assert.Equal(query.File, root.GetProperty("file").GetString());
        Assert.Equal("torchsharp", root.GetProperty("format").GetString());
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
        var error = TorchSharpQuery.Errors().Single(e => e.ToString() == key);

        // When the CLI is asked about it
        var run = error.Layer is null
            ? CliRun.Of("layers", error.FilePath)
            : CliRun.Of("show", error.FilePath, error.Layer, error.Index.ToString());

        // Then it fails as the contract says: one error line naming the problem, no stack trace
        Assert.Equal(error.Exit, run.Exit);
        Assert.StartsWith("error: ", run.Stderr);
        Assert.Contains(error.Contains, run.Stderr);
        if (error.Layer is null) Assert.StartsWith($"error: {error.File} ", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    private static string Describe(JsonElement part) => string.Join(" | ",
        part.GetProperty("tensor").GetString(), part.GetProperty("role").GetString(),
        part.GetProperty("gate").ValueKind == JsonValueKind.Null ? "-" : part.GetProperty("gate").GetString(),
        part.GetProperty("index").GetString(), string.Join(",", part.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())),
        part.GetProperty("dtype").GetString());

    private static string Describe(NeuronPart part) => string.Join(" | ",
        part.Tensor, part.Role, part.Gate ?? "-", part.Index, string.Join(",", part.Shape), part.DType.Name());
}
