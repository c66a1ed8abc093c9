namespace NeuronKit.Tests.Oracle;

/// <summary>
/// Every format's reference answers (tests/fixtures/&lt;format&gt;/expected.json, written by the script beside them:
/// PyTorch, the onnx package, ggml's formulas, TorchSharp, numpy) give NeuronKit's answers exactly, from the library
/// and from <c>neuron show --json</c>; every bad input fails through the CLI as the error contract says.
/// </summary>
public class OracleTests
{
    /// <summary>The fixture folders that hold an expected.json; each is named as its format's reader.</summary>
    private static readonly string[] Folders =
        [.. new[] { "pytorch", "safetensors", "numpy", "onnx", "gguf", "torchsharp", "keras", "flax" }
            .Where(f => File.Exists(Fixtures.Path(Path.Combine(f, "expected.json"))))];

    public static TheoryData<string, string> Queries() => Keyed(f => FixtureOracle.QueryKeys(f));

    public static TheoryData<string, string> Errors() => Keyed(f => FixtureOracle.ErrorKeys(f));

    [Theory]
    [MemberData(nameof(Queries))]
    public void The_library_gives_every_part_the_reference_gives(string format, string query) =>
        FixtureOracle.AssertLibrary(format, query);

    [Theory]
    [MemberData(nameof(Queries))]
    public void Show_json_prints_the_same_parts_and_values(string format, string query) =>
        FixtureOracle.AssertShowJson(format, query, format);

    [Theory]
    [MemberData(nameof(Errors))]
    public void Every_bad_input_fails_with_its_exit_code_and_a_clear_message(string format, string error) =>
        FixtureOracle.AssertCliError(format, error);

    [Fact]
    public void Every_format_has_reference_answers()
    {
        Assert.Equal(["pytorch", "safetensors", "numpy", "onnx", "gguf", "torchsharp", "keras", "flax"], Folders);
        Assert.All(Folders, f => Assert.NotEmpty(FixtureOracle.Queries(f)));
    }

    private static TheoryData<string, string> Keyed(Func<string, TheoryData<string>> keys)
    {
        var data = new TheoryData<string, string>();
        foreach (string folder in Folders)
            foreach (var key in keys(folder))
                data.Add(folder, key);
        return data;
    }
}
