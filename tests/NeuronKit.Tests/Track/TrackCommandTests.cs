using System.Globalization;
using System.Text.Json;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Track;

/// <summary><c>neuron track</c>: a run's rows in Parquet, read back by DuckDB; shards that add up to the run; errors.</summary>
public class TrackCommandTests
{
    private static readonly string Run = Fixtures.Path("track/run");
    private static readonly string Glob = Run + "/*.pt";
    private static readonly long[] Steps = [0, 5, 10, 20, 40, 80];

    private const string Columns = "checkpoint, step, layer, kind, neuron, weights, l1, l2, mean, std, min, max, zero_fraction, bias, " +
        "gate_biases, dead, duplicate_of, outlier, outgoing_l2, unused";

    [Fact]
    public void Three_shards_together_are_exactly_the_rows_of_the_whole_run()
    {
        // Given the whole run written once, and in three shards by three separate runs
        using var folder = new TempFile("run.parquet", []);
        string dir = Path.GetDirectoryName(folder.Path)!;
        string whole = Path.Combine(dir, "whole.parquet");
        Assert.Equal(0, CliRun.Of("track", Glob, "--parquet", whole).Exit);
        for (int i = 0; i < 3; i++)
        {
            var part = CliRun.Of("track", Glob, "--shard", $"{i}/3", "--parquet", Path.Combine(dir, $"part-{i}.parquet"));
            Assert.True(part.Exit == 0, part.Stderr);
            Assert.Contains($"of the run's 6 checkpoints (shard {i}/3", part.Stdout);
        }

        // When DuckDB reads the parts together and the whole file
        string order = $"ORDER BY step, checkpoint, layer, neuron";
        var together = DuckDb.Rows($"SELECT {Columns} FROM read_parquet({DuckDb.Literal(Path.Combine(dir, "part-*.parquet"))}) {order}");
        var alone = DuckDb.Rows($"SELECT {Columns} FROM read_parquet({DuckDb.Literal(whole)}) {order}");

        // Then they hold the same rows, every value equal, and no checkpoint is in two parts
        Assert.Equal(66, alone.Count);
        Assert.Equal(alone.Count, together.Count);
        for (int r = 0; r < alone.Count; r++) Assert.Equal(alone[r], together[r]);
        var owners = DuckDb.Rows($"SELECT checkpoint, count(DISTINCT filename) FROM read_parquet({DuckDb.Literal(Path.Combine(dir, "part-*.parquet"))}, filename = true) GROUP BY checkpoint");
        Assert.Equal(6, owners.Count);
        Assert.All(owners, o => Assert.Equal(1L, Convert.ToInt64(o[1], CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Every_row_is_what_neuron_stats_says_of_its_checkpoint()
    {
        // Given the run's Parquet
        using var output = new TempFile("run.parquet", []);
        Assert.Equal(0, CliRun.Of("track", Glob, "--parquet", output.Path).Exit);
        var rows = DuckDb.Rows($"SELECT {Columns} FROM read_parquet({DuckDb.Literal(output.Path)})");

        // Then the rows come by step (not by name: step_10 sorts before step_5 as text), each with its checkpoint's step
        Assert.Equal(Steps, rows.Select(r => (long)r[1]!).Distinct());
        foreach (long step in Steps)
        {
            string path = Path.Combine(Run, $"step_{step}.pt");
            var mine = rows.Where(r => (string)r[0]! == path).ToList();
            // And each neuron's values are neuron stats --json's for that checkpoint, exactly
            using var stats = JsonDocument.Parse(CliRun.Of("stats", path, "--json").Stdout);
            var expected = stats.RootElement.GetProperty("layers").EnumerateArray()
                .SelectMany(l => l.GetProperty("stats").EnumerateArray().Select(n => (Layer: l.GetProperty("name").GetString(), Kind: l.GetProperty("kind").GetString(), N: n)))
                .ToList();
            Assert.Equal(expected.Count, mine.Count);
            for (int i = 0; i < expected.Count; i++)
            {
                var (layer, kind, n) = expected[i];
                var row = mine[i];
                Assert.Equal(step, (long)row[1]!);
                Assert.Equal(layer, row[2]);
                Assert.Equal(kind, row[3]);
                Assert.Equal(n.GetProperty("neuron").GetInt64(), (long)row[4]!);
                Assert.Equal(n.GetProperty("weights").GetInt64(), (long)row[5]!);
                string[] doubles = ["l1", "l2", "mean", "std", "min", "max", "zero_fraction"];
                for (int c = 0; c < doubles.Length; c++) Assert.Equal(n.GetProperty(doubles[c]).GetDouble(), (double)row[6 + c]!);
                Assert.Equal(n.GetProperty("bias").GetDouble(), (double)row[13]!);
                Assert.Null(row[14]);
                Assert.Equal(n.GetProperty("dead").GetBoolean(), (bool)row[15]!);
                Assert.Null(row[16]);
                Assert.Equal(n.GetProperty("outlier").GetBoolean(), (bool)row[17]!);
                Assert.Null(row[18]);
                Assert.False((bool)row[19]!);
            }
        }
        // And the neuron forced dead from step 20 on is dead in exactly those rows
        var dead = rows.Where(r => (bool)r[15]!).Select(r => ((string)r[2]!, (long)r[4]!, (long)r[1]!)).ToList();
        Assert.Equal(Steps.Where(s => s >= 20).Select(s => ("model_state_dict.fc1", 5L, s)), dead);
    }

    [Fact]
    public void The_columns_are_typed_and_the_file_says_where_it_came_from()
    {
        using var output = new TempFile("part.parquet", []);
        Assert.Equal(0, CliRun.Of("track", Glob, "--shard", "2/3", "--layer", "fc1", "--parquet", output.Path).Exit);

        var types = DuckDb.Rows($"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet({DuckDb.Literal(output.Path)}))")
            .ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal("VARCHAR", types["checkpoint"]);
        Assert.Equal("BIGINT", types["step"]);
        Assert.Equal("BIGINT", types["neuron"]);
        Assert.Equal("DOUBLE", types["l2"]);
        Assert.Equal("BOOLEAN", types["dead"]);
        Assert.Equal("BIGINT", types["duplicate_of"]);

        var metadata = DuckDb.Rows($"SELECT decode(key), decode(value) FROM parquet_kv_metadata({DuckDb.Literal(output.Path)})")
            .ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal("2/3", metadata["neuronkit.shard"]);
        Assert.Equal("2", metadata["neuronkit.checkpoints"]);
        Assert.Equal("6", metadata["neuronkit.run_checkpoints"]);
        Assert.Equal("fc1", metadata["neuronkit.layer"]);
        Assert.StartsWith("0.1.0", metadata["neuronkit.version"]);
        // --layer fc1 reaches model_state_dict.fc1 as stats does: 8 neurons in each of the shard's 2 checkpoints
        Assert.Equal(16L, DuckDb.Rows($"SELECT count(*) FROM read_parquet({DuckDb.Literal(output.Path)}) WHERE layer = 'model_state_dict.fc1'")[0][0]);
    }

    [Fact]
    public void Csv_rows_are_stats_csv_rows_led_by_checkpoint_and_step()
    {
        // Given a list file naming two checkpoints, the later one first
        using var list = new TempFile("list.txt", System.Text.Encoding.UTF8.GetBytes(
            $"# the run\n{Path.Combine(Run, "step_40.pt")}\n\n{Path.Combine(Run, "step_5.pt")}\n"));

        var run = CliRun.Of("track", "@" + list.Path, "--csv", "-");

        // Then the CSV holds stats --csv's rows of each, by step, each led by its path and step
        Assert.Equal(0, run.Exit);
        var lines = run.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal("checkpoint,step,layer,kind,neuron,weights,l1,l2,mean,std,min,max,zero_fraction,bias,gate_biases,dead,duplicate_of,outlier,outgoing_l2,unused", lines[0]);
        var expected = new List<string>();
        foreach (long step in new long[] { 5, 40 })
        {
            string path = Path.Combine(Run, $"step_{step}.pt");
            expected.AddRange(CliRun.Of("stats", path, "--csv").Stdout.TrimEnd('\n').Split('\n').Skip(1).Select(l => $"{path},{step},{l}"));
        }
        Assert.Equal(expected, lines[1..]);
    }

    [Fact]
    public void A_csv_file_is_written_whole_and_the_summary_says_what_it_holds()
    {
        using var output = new TempFile("run.csv", []);
        var run = CliRun.Of("track", Glob, "--layer", "fc2", "--csv", output.Path);
        Assert.Equal(0, run.Exit);
        Assert.Equal($"wrote {output.Path}: 18 rows from 6 checkpoints (steps 0 to 80)\n", run.Stdout);
        Assert.Equal(19, File.ReadAllLines(output.Path).Length);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(output.Path)!));
    }

    [Fact]
    public void A_summary_of_one_row_says_row()
    {
        // Given a layer of one neuron in one checkpoint
        using var output = new TempFile("one.csv", []);
        var run = CliRun.Of("track", Fixtures.Path("safetensors/seed_lstm.safetensors"), "--layer", "fc", "--csv", output.Path);
        Assert.Equal(0, run.Exit);
        Assert.Equal($"wrote {output.Path}: 1 row from 1 checkpoint (1 without a step)\n", run.Stdout);

        // And a shard of that run of one checkpoint says so in the singular too
        var shard = CliRun.Of("track", Fixtures.Path("safetensors/seed_lstm.safetensors"), "--layer", "fc", "--shard", "0/2", "--csv", output.Path);
        Assert.Equal($"wrote {output.Path}: 1 row from 1 of the run's 1 checkpoint (shard 0/2; 1 without a step)\n", shard.Stdout);
    }

    [Fact]
    public void Layers_no_row_can_hold_are_named_once_on_stderr_as_stats_csv_names_them()
    {
        // Given a run of two checkpoints whose layers are complex (stats measures real numbers only)
        byte[] complex = File.ReadAllBytes(Fixtures.Path("pytorch/complex.pt"));
        using var first = new TempFile("step_1.pt", complex);
        string second = Path.Combine(Path.GetDirectoryName(first.Path)!, "step_2.pt");
        File.WriteAllBytes(second, complex);

        var run = CliRun.Of("track", first.Path, second, "--csv", "-");

        // Then the table has no rows of them, and stderr says so once a layer, with how many checkpoints had it
        Assert.Equal(0, run.Exit);
        Assert.Equal(TrackColumnsHeader + "\n", run.Stdout);
        Assert.Equal(
            "note: layer 'spectral.weights1' not measured (2 checkpoints): spectral.weights1 is complex64, and the statistics are of real numbers\n" +
            "note: layer 'fc' not measured (2 checkpoints): fc.weight is complex128, and the statistics are of real numbers\n" +
            "note: layer 'gru.l0' not measured (2 checkpoints): gru.weight_ih_l0 is complex64, and the statistics are of real numbers\n",
            run.Stderr);
    }

    private const string TrackColumnsHeader = "checkpoint,step,layer,kind,neuron,weights,l1,l2,mean,std,min,max,zero_fraction,bias,gate_biases,dead,duplicate_of,outlier,outgoing_l2,unused";

    [Theory]
    [InlineData("3/3", "--shard 3/3: the shard index must be 0 to 2")]
    [InlineData("0/0", "--shard 0/0: the number of shards must be at least 1")]
    [InlineData("x", "--shard 'x' is not I/N")]
    [InlineData("1/-2", "--shard '1/-2' is not I/N")]
    public void A_bad_shard_is_a_bad_request(string shard, string message)
    {
        var run = CliRun.Of("track", Glob, "--shard", shard, "--csv", "-");
        Assert.Equal(2, run.Exit);
        Assert.StartsWith($"error: {message}", run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public void A_checkpoint_that_cannot_be_read_stops_the_run_naming_it_and_leaves_no_output()
    {
        // Given a run with a file that is not a checkpoint among real ones
        using var bad = new TempFile("step_30.pt", [1, 2, 3, 4, 5, 6, 7, 8]);
        string output = Path.Combine(Path.GetDirectoryName(bad.Path)!, "run.parquet");

        var run = CliRun.Of("track", Glob, bad.Path, "--parquet", output);

        // Then it fails as the file's error (exit 3) with the path as given, and writes nothing
        Assert.Equal(3, run.Exit);
        Assert.StartsWith($"error: {bad.Path} ", run.Stderr);
        Assert.False(File.Exists(output));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(bad.Path)!));
    }

    [Theory]
    [InlineData(new[] { "track", "tests/none/*.pt", "--csv", "-" }, "no folder 'tests/none/' for the pattern 'tests/none/*.pt'")]
    [InlineData(new[] { "track", "@no-such-list.txt", "--csv", "-" }, "no list file 'no-such-list.txt'")]
    [InlineData(new[] { "track", "x.pt" }, "say where the rows go: --parquet OUT.parquet or --csv OUT.csv")]
    [InlineData(new[] { "track", "x.pt", "--csv", "-", "--parquet", "y.parquet" }, "--parquet and --csv both ask for the output; give one")]
    public void Wrong_requests_say_what_is_wrong(string[] args, string message)
    {
        var run = CliRun.Of(args);
        Assert.Equal(2, run.Exit);
        Assert.StartsWith($"error: {message}", run.Stderr);
    }

    [Fact]
    public void A_glob_that_matches_nothing_is_a_bad_request()
    {
        var run = CliRun.Of("track", Run + "/*.safetensors", "--csv", "-");
        Assert.Equal(2, run.Exit);
        Assert.StartsWith($"error: no checkpoint file or folder matches '{Run}/*.safetensors'", run.Stderr);
    }

    [Fact]
    public void A_layer_one_checkpoint_lacks_is_a_bad_request_naming_that_checkpoint()
    {
        var run = CliRun.Of("track", Glob, "--layer", "fc9", "--csv", "-");
        Assert.Equal(2, run.Exit);
        Assert.StartsWith($"error: {Path.Combine(Run, "step_0.pt")}: no layer 'fc9'", run.Stderr);
    }
}
