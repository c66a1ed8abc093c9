using NeuronKit.Export;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// A value two parts of an edit hold (a recurrent unit's <c>weight_hh[j, j]</c>, in its own row and in its outgoing
/// column; a neuron named twice) changes once, as the first part asks, so the file reads back as planned.
/// </summary>
public class EditOverlapTests
{
    [Theory]
    [InlineData("rnn.l0", "2", "--outgoing")]              // its own rows of weight_hh and its outgoing column meet
    [InlineData("--neurons", "rnn.l0:2,rnn.l0:-18", null)]  // every part twice
    public void Noise_on_parts_that_share_values_is_written_and_changes_exactly_their_values(string first, string second, string? outgoing)
    {
        // Given an LSTM unit's parts that share values: its own rows of weight_hh and its outgoing column meet at
        // weight_hh[g·H + 2, 2]; a unit named twice has every part twice
        using var folder = new TempFolder();
        string lstm = Fixtures.PyTorch("seed_lstm.pt"), output = Path.Combine(folder.Path, "noisy.pt");

        // When noise is added to its parts
        var run = CliRun.Of(["edit", lstm, first, second, "--add-noise", "0.1", "--seed", "3", "-o", output, .. outgoing is null ? [] : new[] { outgoing }]);

        // Then the file is written, and the values of those parts changed, every other value of the model as it was
        Assert.True(run.Exit == 0, run.Stderr);
        using var model = Model.Open(lstm);
        using var edited = Model.Open(output);
        var unit = model.Layer("rnn.l0").Neuron(2);
        if (outgoing is not null) unit = model.WithOutgoing(unit);
        var touched = unit.Parts.SelectMany(p => p.View.StorageElements().Select(e => (p.Tensor, e))).ToHashSet();
        foreach (var tensor in model.Checkpoint.Tensors)
        {
            var elements = tensor.View().StorageElements();
            var before = tensor.View().ToDoubles();
            var after = edited.Checkpoint.Find(tensor.Name)!.View().ToDoubles();
            for (int i = 0; i < before.Length; i++)
                Assert.Equal(touched.Contains((tensor.Name, elements[i])), before[i] != after[i]);
        }
    }

    [Fact]
    public void A_value_that_set_gives_two_new_values_is_refused_and_nothing_is_written()
    {
        // Given a unit's arrays with the input gate's outgoing column of weight_hh changed, its own row of weight_hh not
        using var folder = new TempFolder();
        string lstm = Fixtures.PyTorch("seed_lstm.pt"), arrays = Path.Combine(folder.Path, "unit.npz");
        using (var model = Model.Open(lstm))
        {
            var all = NeuronArrays.Of(model.WithOutgoing(model.Layer("rnn.l0").Neuron(2)).Parts);
            NeuronArrays.Save([.. all.Select(a => a.Name == "out/rnn.weight_hh_l0/input" ? a with { Bytes = PlusOne(a.Bytes) } : a)], arrays);
        }

        // When the unit is set from them
        var run = CliRun.Of("edit", lstm, "rnn.l0", "2", "--outgoing", "--set", arrays, "-o", Path.Combine(folder.Path, "out.pt"));

        // Then the edit is refused, naming the two parts, and nothing is written
        Assert.Equal(2, run.Exit);
        Assert.Contains("rnn.weight_hh_l0[2] and rnn.weight_hh_l0[0:20, 2] share a value", run.Stderr);
        Assert.Equal([arrays], Directory.GetFiles(folder.Path));
    }

    // float32 values, each plus 1.
    private static byte[] PlusOne(byte[] floats) =>
        [.. Enumerable.Range(0, floats.Length / 4).SelectMany(i => BitConverter.GetBytes(BitConverter.ToSingle(floats, i * 4) + 1))];
}
