using System.Text.Json;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Edits;

/// <summary><c>neuron edit --outgoing --consumer LAYER</c>: the named consumers stand in for the file's, as show takes them.</summary>
public class EditConsumerTests
{
    [Fact]
    public void A_recurrent_unit_with_its_consumer_named_keeps_its_own_recurrent_column()
    {
        // Given an LSTM whose consumer the file tells (fc), and the same edit with fc named
        string lstm = Fixtures.PyTorch("seed_lstm.pt");

        var found = CliRun.Of("edit", lstm, "rnn", "2", "--zero", "--outgoing", "--dry-run", "--json");
        var named = CliRun.Of("edit", lstm, "rnn", "2", "--zero", "--outgoing", "--consumer", "fc", "--dry-run", "--json");

        // Then both zero the same parts: its rows, fc's column, and its own weight_hh column, which reads its previous output
        Assert.True(named.Exit == 0, named.Stderr);
        Assert.Equal(Parts(found), Parts(named));
        Assert.Contains("rnn.weight_hh_l0[0:20, 2]", Parts(named));
    }

    private static List<string> Parts(CliRun run)
    {
        using var json = JsonDocument.Parse(run.Stdout);
        return [.. json.RootElement.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("tensor").GetString() + c.GetProperty("index").GetString())];
    }
}
