using NeuronKit.Tests.Oracle;

namespace NeuronKit.Tests.Formats.Safetensors;

/// <summary>Every query of tests/fixtures/safetensors/expected.json gives torch's own values, from the library and the CLI.</summary>
public class SafetensorsOracleTests
{
    private const string Folder = "safetensors";

    public static TheoryData<string> Queries() => FixtureOracle.QueryKeys(Folder);

    public static TheoryData<string> Errors() => FixtureOracle.ErrorKeys(Folder);

    [Theory]
    [MemberData(nameof(Queries))]
    public void The_library_gives_every_part_the_oracle_gives(string key) => FixtureOracle.AssertLibrary(Folder, key);

    [Theory]
    [MemberData(nameof(Queries))]
    public void Show_json_prints_the_same_parts_and_values(string key) => FixtureOracle.AssertShowJson(Folder, key, "safetensors");

    [Theory]
    [MemberData(nameof(Errors))]
    public void Every_bad_input_fails_with_its_exit_code_and_a_clear_message(string key) => FixtureOracle.AssertCliError(Folder, key);
}
