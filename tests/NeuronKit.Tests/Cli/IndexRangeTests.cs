namespace NeuronKit.Tests.Cli;

/// <summary>
/// Neurons named as an inclusive range, 3..5, the way NeuronKit's messages print a group's filters: in prune's INDICES and
/// in prune's and edit's --neurons LAYER:INDEX, beside single indices; negative ends count from the end.
/// </summary>
public class IndexRangeTests
{
    private static readonly string Grouped = Fixtures.Path("prune/grouped.pt");

    [Theory]
    [InlineData("3..5")]
    [InlineData("3,4..5")]
    [InlineData("-3..-1")]
    [InlineData("5,3..4,4")]
    public void A_prunes_range_is_the_indices_it_spans(string indices)
    {
        var listed = CliRun.Of("prune", Grouped, "net.0", "3,4,5", "--dry-run");

        var ranged = CliRun.Of("prune", Grouped, "net.0", indices, "--dry-run");

        Assert.Equal(0, ranged.Exit);
        Assert.Contains("net.0: removes 3 neurons (3, 4, 5), 6 → 3", ranged.Stdout);
        Assert.Equal(listed.Stdout, ranged.Stdout);
    }

    [Fact]
    public void Neurons_takes_a_range_after_the_layer()
    {
        var run = CliRun.Of("prune", Grouped, "--neurons", "net.2:0..2", "--dry-run");

        Assert.Equal(0, run.Exit);
        Assert.Contains("net.2: removes 3 neurons (0, 1, 2), 6 → 3", run.Stdout);
    }

    [Fact]
    public void Edit_takes_a_range_in_neurons()
    {
        var run = CliRun.Of("edit", Grouped, "--neurons", "net.0:3..4,net.2:1", "--zero", "--dry-run");

        Assert.Equal(0, run.Exit);
        Assert.Contains("net.0 neuron 3", run.Stdout);
        Assert.Contains("net.0 neuron 4", run.Stdout);
        Assert.Contains("net.2 neuron 1", run.Stdout);
        Assert.DoesNotContain("net.0 neuron 5", run.Stdout);
    }

    [Theory]
    [InlineData("5..3", "'5..3' is not a range of neurons: it runs from 5 down to 3 (give the first one first, 3..5)")]
    [InlineData("3..", "'3..' is not a neuron index (3), a list of them (1,5,9) or a range (8..15)")]
    [InlineData("a..b", "'a..b' is not a neuron index (3), a list of them (1,5,9) or a range (8..15)")]
    [InlineData("4..9", "neurons 4..9 are not all in layer 'net.0', whose 6 neurons are 0..5")]
    [InlineData("-9..-1", "neurons -9..-1 are not all in layer 'net.0', whose 6 neurons are 0..5")]
    [InlineData("2..-1", "'2..-1' mixes an index from the start with one from the end: give both ends one way (2..5)")]
    [InlineData("0..99999999999999", "neurons 0..99999999999999 are not all in layer 'net.0', whose 6 neurons are 0..5")]
    public void A_range_that_is_not_one_of_the_layers_is_refused(string indices, string message)
    {
        var run = CliRun.Of("prune", Grouped, "net.0", indices, "--dry-run");

        Assert.Equal(2, run.Exit);
        Assert.Contains(message, run.Stderr);
    }
}
