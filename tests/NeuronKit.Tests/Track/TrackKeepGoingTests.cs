using NeuronKit.Tests.Cli;
using NeuronKit.Track;

namespace NeuronKit.Tests.Track;

/// <summary>
/// A run with a checkpoint that cannot be read (cut short, as a trainer still writing it leaves it): the run stops on
/// it, naming it, unless asked to skip unreadable files (<c>--keep-going</c>), when the others' rows are exactly what
/// they are without it.
/// </summary>
public sealed class TrackKeepGoingTests : IDisposable
{
    private readonly TempFile _folder = new("step_0.pt", File.ReadAllBytes(Fixtures.Path("track/run/step_0.pt")));

    public TrackKeepGoingTests()
    {
        foreach (string file in Directory.GetFiles(Fixtures.Path("track/run"), "*.pt"))
            File.Copy(file, Path.Combine(Folder, Path.GetFileName(file)), overwrite: true);
        // step_40.pt cut short: its zip central directory (at the end) is gone.
        Truncate(Path.Combine(Folder, "step_40.pt"), 1500);
    }

    private string Folder => Path.GetDirectoryName(_folder.Path)!;

    private string Glob => Folder + "/*.pt";

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Without_keep_going_the_run_stops_on_the_unreadable_checkpoint_and_names_it()
    {
        var run = CliRun.Of("track", Glob, "--csv", Path.Combine(Folder, "rows.csv"));

        Assert.Equal(3, run.Exit);
        Assert.StartsWith($"error: {Folder}/step_40.pt is truncated: zip central directory missing", run.Stderr);
        Assert.False(File.Exists(Path.Combine(Folder, "rows.csv")));
    }

    [Fact]
    public void With_keep_going_the_others_rows_are_written_and_a_warning_names_the_skipped_one()
    {
        // Given the run with the bad checkpoint, and the same run without it
        string kept = Path.Combine(Folder, "kept.csv"), without = Path.Combine(Folder, "without.csv");
        var run = CliRun.Of("track", Glob, "--csv", kept, "--keep-going");
        var good = Directory.GetFiles(Folder, "step_*.pt").Where(p => !p.EndsWith("step_40.pt", StringComparison.Ordinal)).ToArray();
        Assert.Equal(0, CliRun.Of(["track", .. good, "--csv", without]).Exit);

        // Then it succeeds, says what it skipped and why, and its rows are the five good checkpoints' rows
        Assert.Equal(0, run.Exit);
        Assert.Equal($"warning: {Folder}/step_40.pt is truncated: zip central directory missing (read 1,500 of at least 1,824 bytes); skipped",
            run.Stderr.Trim());
        Assert.Equal($"wrote {kept}: 55 rows from 5 checkpoints (steps 0 to 80; 1 skipped: cannot be read)", run.Stdout.Trim());
        Assert.Equal(File.ReadAllText(without), File.ReadAllText(kept));
    }

    [Fact]
    public void The_Parquet_metadata_counts_the_checkpoints_written_and_names_the_skipped_one()
    {
        string output = Path.Combine(Folder, "kept.parquet");

        var run = CliRun.Of("track", Glob, "--parquet", output, "--keep-going");

        Assert.Equal(0, run.Exit);
        var metadata = DuckDb.Rows($"SELECT decode(key), decode(value) FROM parquet_kv_metadata({DuckDb.Literal(output)})")
            .ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal("5", metadata["neuronkit.checkpoints"]);
        Assert.Equal("6", metadata["neuronkit.run_checkpoints"]);
        Assert.Equal(Path.Combine(Folder, "step_40.pt"), metadata["neuronkit.skipped"]);
        Assert.Equal(55L, Convert.ToInt64(DuckDb.Rows($"SELECT count(*) FROM read_parquet({DuckDb.Literal(output)})")[0][0], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void With_keep_going_a_run_with_nothing_readable_is_still_an_error()
    {
        var run = CliRun.Of("track", Path.Combine(Folder, "step_40.pt"), "--csv", "-", "--keep-going");

        Assert.Equal(3, run.Exit);
        Assert.Contains("error: " + Path.Combine(Folder, "step_40.pt") + " is truncated", run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public void A_checkpoint_cut_short_after_the_plan_is_skipped_while_computing()
    {
        // Given a run planned while every checkpoint could be read
        File.Copy(Fixtures.Path("track/run/step_40.pt"), Path.Combine(Folder, "step_40.pt"), overwrite: true);
        var run = TrackRun.Plan(RunInputs.Expand([Glob]), RunShard.All, skipUnreadable: true);
        Assert.Empty(run.Skipped);

        // When one is cut short before its turn comes (a trainer rewriting it)
        Truncate(Path.Combine(Folder, "step_80.pt"), 1000);
        var steps = run.Compute().Select(c => c.Checkpoint.Step).ToList();

        // Then its stats are left out and it is listed as skipped, with why
        Assert.Equal([0L, 5L, 10L, 20L, 40L], steps);
        var skipped = Assert.Single(run.Skipped);
        Assert.Equal(Path.Combine(Folder, "step_80.pt"), skipped.Path);
        Assert.Contains("step_80.pt", skipped.Reason);
    }

    [Fact]
    public async Task A_checkpoint_skipped_while_computing_is_left_out_of_the_Parquet_metadata_s_count_too()
    {
        // Given a run planned with six readable checkpoints, one of which is cut short before its turn
        File.Copy(Fixtures.Path("track/run/step_40.pt"), Path.Combine(Folder, "step_40.pt"), overwrite: true);
        var run = TrackRun.Plan(RunInputs.Expand([Glob]), RunShard.All, skipUnreadable: true);
        Truncate(Path.Combine(Folder, "step_80.pt"), 1000);
        var options = new NeuronKit.Stats.StatsOptions();

        // When its Parquet is written
        string output = Path.Combine(Folder, "run.parquet");
        await using (var stream = File.Create(output))
        {
            await using var writer = await NeuronKit.Views.Tables.TrackParquetWriter.CreateAsync(stream, NeuronKit.Views.Tables.TrackParquetWriter.Metadata(run, options));
            foreach (var checkpoint in run.Compute(options)) await writer.AddAsync(checkpoint);
            await writer.CompleteAsync([.. run.Skipped.Select(s => s.Path)]);
        }

        // Then the metadata counts the five written, and names the one left out
        var metadata = DuckDb.Rows($"SELECT decode(key), decode(value) FROM parquet_kv_metadata({DuckDb.Literal(output)})")
            .ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal("5", metadata["neuronkit.checkpoints"]);
        Assert.Equal(Path.Combine(Folder, "step_80.pt"), metadata["neuronkit.skipped"]);
    }

    [Fact]
    public void Without_skipping_a_checkpoint_cut_short_after_the_plan_stops_the_run()
    {
        var run = TrackRun.Plan([Path.Combine(Folder, "step_0.pt"), Path.Combine(Folder, "step_5.pt")], RunShard.All);
        Truncate(Path.Combine(Folder, "step_5.pt"), 1000);

        var error = Assert.Throws<CheckpointException>(() => run.Compute().ToList());
        Assert.StartsWith(Path.Combine(Folder, "step_5.pt"), error.Message);
    }

    private static void Truncate(string path, long length)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.SetLength(length);
    }
}
