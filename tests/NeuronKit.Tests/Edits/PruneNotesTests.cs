using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// What a pruned torch file keeps beyond its tensors that no longer fits them is said in a note: the sizes a pickled
/// module keeps as attributes, and an optimizer's state of the old shapes.
/// </summary>
public class PruneNotesTests
{
    [Fact]
    public void A_training_checkpoint_says_its_optimizer_state_keeps_the_old_shapes()
    {
        var run = CliRun.Of("prune", Fixtures.PyTorch("training.pt"), "0", "1", "--dry-run");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("note: the optimizer state in training.pt is left as it was, and 6 of its tensors have the old shape of a pruned weight " +
            "(optimizer_state_dict.state.0.exp_avg [3, 4], optimizer_state_dict.state.0.exp_avg_sq [3, 4], optimizer_state_dict.state.1.exp_avg [3], …): " +
            "resuming training from it would fail; load the pruned weights into a new optimizer", run.Stderr);
    }

    [Fact]
    public void A_pickled_module_says_its_attributes_keep_the_old_sizes()
    {
        var run = CliRun.Of("prune", Fixtures.PyTorch("kinds_module.pt"), "attn.out_proj", "1", "--consumer", "attn_kv.out_proj", "--dry-run");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("note: the modules pickled in kinds_module.pt still give the layers and their consumers their old sizes (attn.out_proj 8 → 7)", run.Stderr);
    }

    [Fact]
    public void A_state_dict_gets_no_note()
    {
        var run = CliRun.Of("prune", Fixtures.Path("prune/mlp.pt"), "net.0", "1", "--dry-run");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.DoesNotContain("note:", run.Stderr);
    }
}
