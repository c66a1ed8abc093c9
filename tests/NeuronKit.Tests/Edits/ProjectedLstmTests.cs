using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// An LSTM with proj_size (rnns.pt's lstm_proj: H = 8, proj_size = 3, two layers) outputs weight_hr's projection of its
/// hidden units: a unit's outgoing weights are its own weight_hr column, so a prune needs no consumer and changes no
/// reader's inputs (checked against torch: the pruned LSTM's output equals the original's with the column zeroed), and
/// --outgoing says why there is nothing more to edit.
/// </summary>
public class ProjectedLstmTests
{
    [Fact]
    public void Pruning_a_hidden_unit_removes_its_gate_rows_and_its_weight_hr_column()
    {
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "pruned.pt");

        var run = CliRun.Of("prune", Fixtures.Path("pytorch/rnns.pt"), "--neurons", "lstm_proj.l0:2,lstm_proj.l1:2", "-o", output);

        Assert.True(run.Exit == 0, run.Stderr);
        using var original = Model.Open(Fixtures.Path("pytorch/rnns.pt"));
        using var pruned = Model.Open(output);
        foreach (string k in new[] { "0", "1" })
        {
            var hr = original.Checkpoint.Find($"lstm_proj.weight_hr_l{k}")!.View().ToDoubles();
            Assert.Equal(hr.Where((_, i) => i % 8 != 2), pruned.Checkpoint.Find($"lstm_proj.weight_hr_l{k}")!.View().ToDoubles());
            var ih = original.Checkpoint.Find($"lstm_proj.weight_ih_l{k}")!;
            int columns = (int)ih.Shape[1];
            Assert.Equal(ih.View().ToDoubles().Where((_, i) => i / columns % 8 != 2), pruned.Checkpoint.Find($"lstm_proj.weight_ih_l{k}")!.View().ToDoubles());
            Assert.Equal([28L, 3], pruned.Checkpoint.Find($"lstm_proj.weight_hh_l{k}")!.Shape);
        }
    }

    [Fact]
    public void Editing_a_hidden_unit_s_outgoing_weights_says_they_are_its_own_weight_hr_column()
    {
        var run = CliRun.Of("edit", Fixtures.Path("pytorch/rnns.pt"), "lstm_proj.l0", "2", "--zero", "--outgoing", "--dry-run");

        Assert.Equal(2, run.Exit);
        Assert.Contains("layer 'lstm_proj.l0' projects its hidden state (LSTM proj_size): unit 2's outgoing weights are the projection's " +
            "input column lstm_proj.weight_hr_l0[:, 2], one of its own parts", run.Stderr);
        Assert.DoesNotContain("no known consumer", run.Stderr);
    }
}
