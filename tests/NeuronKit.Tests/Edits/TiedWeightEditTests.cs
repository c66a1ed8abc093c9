using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// tied.pt's emb.weight and head.weight are one storage (make_fixtures.py): an edit of one changes the other, and the
/// report says so rather than leave it silent.
/// </summary>
public class TiedWeightEditTests
{
    [Fact]
    public void Editing_a_tied_weight_notes_the_tensor_that_changes_with_it()
    {
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "edited.pt");

        var run = CliRun.Of("edit", Fixtures.Path("pytorch/tied.pt"), "head", "7", "--zero", "-o", output);

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("note: head.weight[7] shares its stored values with emb.weight (tied weights or views of one storage): " +
            "the edit changes that tensor too", run.Stderr);
        using var edited = Model.Open(output);
        Assert.All(edited.Checkpoint.Find("emb.weight")!.View().Select(0, 7).ToDoubles(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void An_edit_of_views_that_do_not_overlap_has_no_note()
    {
        // views.pt's a.weight and b.weight (base[:3], base[3:]) are one storage, but a's rows are none of b's
        var run = CliRun.Of("edit", Fixtures.Path("pytorch/views.pt"), "a", "1", "--zero", "--dry-run");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.DoesNotContain("note:", run.Stderr);
    }

    [Fact]
    public void Editing_an_initializer_other_layers_read_too_notes_them()
    {
        // Given shared_bn.onnx, whose two BatchNorms read one weight and one bias initializer, each also as their running
        // variance and mean (torch.onnx shares parameters of equal values)
        using var folder = new TempFolder();

        // When bn1's channel 1 is zeroed
        var run = CliRun.Of(["edit", Fixtures.Path("prune/shared_bn.onnx"), "/bn1/BatchNormalization", "1", "--zero", "-o", Path.Combine(folder.Path, "edited.onnx")]);

        // Then the report says bn2 and bn1's running statistics change with it
        Assert.Equal(0, run.Exit);
        Assert.Contains("note: bn1.weight[1] is read by '/bn1/BatchNormalization' as weight and running_var, '/bn2/BatchNormalization' as " +
            "weight and running_var (", run.Stderr);
        Assert.Contains("note: bn1.bias[1] is read by", run.Stderr);
    }
}
