using NeuronKit.Tests.Oracle;

namespace NeuronKit.Tests.Formats.NumPy;

/// <summary>Every query of tests/fixtures/numpy/expected.json gives the values torch (or numpy) indexing gives, from the library and the CLI.</summary>
public class NumPyOracleTests
{
    private const string Folder = "numpy";

    public static TheoryData<string> Queries() => FixtureOracle.QueryKeys(Folder);

    public static TheoryData<string> Errors() => FixtureOracle.ErrorKeys(Folder);

    [Theory]
    [MemberData(nameof(Queries))]
    public void The_library_gives_every_part_the_oracle_gives(string key) => FixtureOracle.AssertLibrary(Folder, key);

    [Theory]
    [MemberData(nameof(Queries))]
    public void Show_json_prints_the_same_parts_and_values(string key) => FixtureOracle.AssertShowJson(Folder, key, "numpy");

    [Theory]
    [MemberData(nameof(Errors))]
    public void Every_bad_input_fails_with_its_exit_code_and_a_clear_message(string key) => FixtureOracle.AssertCliError(Folder, key);
}
