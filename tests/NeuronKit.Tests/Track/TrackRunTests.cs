using NeuronKit.Track;

namespace NeuronKit.Tests.Track;

/// <summary>The library side of neuron track: inputs expanded, shards taken, checkpoints ordered by step, stats per checkpoint.</summary>
public class TrackRunTests
{
    private static readonly string Run = Fixtures.Path("track/run");

    [Fact]
    public void A_glob_expands_to_its_matches_with_the_prefix_as_written()
    {
        var paths = RunInputs.Expand([Run + "/step_*.pt", Path.Combine(Run, "step_5.pt")]);

        Assert.Equal(new[] { 0, 10, 20, 40, 5, 80 }.Select(s => $"{Run}/step_{s}.pt"), paths);
    }

    [Fact]
    public void Shards_take_the_paths_sorted_as_text_round_robin_and_order_their_checkpoints_by_step()
    {
        var paths = RunInputs.Expand([Run + "/*.pt"]);

        var shards = Enumerable.Range(0, 3).Select(i => TrackRun.Plan(paths, new RunShard(i, 3))).ToList();

        // Sorted as text: step_0, step_10, step_20, step_40, step_5, step_80; shard i takes positions i and i + 3
        Assert.Equal([[0L, 40L], [5L, 10L], [20L, 80L]], shards.Select(s => s.Checkpoints.Select(c => c.Step!.Value).ToArray()));
        Assert.All(shards, s => Assert.Equal(6, s.RunSize));
        var whole = TrackRun.Plan(paths, RunShard.All);
        Assert.Equal([0L, 5L, 10L, 20L, 40L, 80L], whole.Checkpoints.Select(c => c.Step!.Value));
        Assert.Equal(whole.Checkpoints.OrderBy(c => c.Path, StringComparer.Ordinal),
            shards.SelectMany(s => s.Checkpoints).OrderBy(c => c.Path, StringComparer.Ordinal));
    }

    [Fact]
    public void Compute_yields_each_checkpoint_s_stats_in_order()
    {
        var run = TrackRun.Plan(RunInputs.Expand([Run + "/*.pt"]), RunShard.All, layer: "fc1");

        var dead = run.Compute().Select(c => (c.Checkpoint.Step, c.Stats.Layers.Single().DeadCount)).ToList();

        Assert.Equal([(0L, 0), (5L, 0), (10L, 0), (20L, 1), (40L, 1), (80L, 1)], dead.Select(d => (d.Step!.Value, d.DeadCount)));
        Assert.Equal(run.BytesToRead, run.Compute().Sum(c => c.Stats.BytesRead));
    }
}
