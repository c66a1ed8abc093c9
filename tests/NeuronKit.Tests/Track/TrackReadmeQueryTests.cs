using System.Globalization;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Track;

/// <summary>README.md's DuckDB query over a run's Parquet parts returns the rows the README shows.</summary>
public class TrackReadmeQueryTests
{
    [Fact]
    public void The_README_query_finds_the_neuron_that_died_and_when()
    {
        // Given the README's query and the result it shows, and the fixture run written in three shards
        var (sql, shown) = ReadQuery();
        using var placeholder = new TempFile("README.md", []);
        string parts = Path.Combine(Path.GetDirectoryName(placeholder.Path)!, "parts");
        Directory.CreateDirectory(parts);
        for (int i = 0; i < 3; i++)
            Assert.Equal(0, CliRun.Of("track", Fixtures.Path("track/run") + "/*.pt", "--shard", $"{i}/3",
                "--parquet", Path.Combine(parts, $"part-{i}.parquet")).Exit);

        // When DuckDB runs the query on those parts
        Assert.Contains("'parts/*.parquet'", sql);
        var rows = DuckDb.Rows(sql.Replace("'parts/*.parquet'", DuckDb.Literal(Path.Combine(parts, "*.parquet"))));

        // Then it returns what the README shows: fc1's neuron 5, last alive at step 10, dead from step 20
        Assert.Equal(["layer", "neuron", "last_alive", "dead_from"], shown[0]);
        var printed = rows.Select(r => r.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)!).ToArray()).ToList();
        Assert.Equal(shown[1..], printed);
        Assert.Equal([["model_state_dict.fc1", "5", "10", "20"]], printed);
    }

    // The ```sql block of "## Tracking a run" and the ```text block after it, split into words.
    private static (string Sql, List<string[]> Shown) ReadQuery()
    {
        var lines = File.ReadAllLines(Path.Combine(Fixtures.Root, "README.md"));
        int section = Array.IndexOf(lines, "## Tracking a run");
        int sql = Array.IndexOf(lines, "```sql", section);
        int sqlEnd = Array.IndexOf(lines, "```", sql);
        int text = Array.IndexOf(lines, "```text", sqlEnd);
        int textEnd = Array.IndexOf(lines, "```", text);
        Assert.True(section > 0 && sql > section && text > sqlEnd, "README.md has no DuckDB query under '## Tracking a run'");
        var shown = lines[(text + 1)..textEnd].Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        return (string.Join('\n', lines[(sql + 1)..sqlEnd]), shown);
    }
}
