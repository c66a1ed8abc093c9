using NeuronKit.Export;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// <c>neuron edit --set NEURON.npz</c>: the archive <c>neuron show -o</c> writes, each array set into the part it is named
/// after, so that a neuron goes out to NumPy and comes back.
/// </summary>
public class SetFromArraysTests
{
    public static TheoryData<string, string, string, bool> Neurons() => new()
    {
        { "pytorch/seed_lstm.pt", "rnn.l0", "2", false },
        { "graph/cnn.pt", "0", "1", true },
        { "safetensors/gpt2.safetensors", "transformer.h.0.attn.c_attn", "5", false },
        { "onnx/rnns.onnx", "/lstm/LSTM.reverse", "3", false },
        { "gguf/tiny_f16.gguf", "blk.0.attn_k", "-1", false },
    };

    [Theory]
    [MemberData(nameof(Neurons))]
    public void A_neuron_set_from_its_own_arrays_gives_back_the_same_file(string fixture, string layer, string index, bool outgoing)
    {
        // Given a neuron's parts saved by show (its outgoing ones too, where asked)
        using var folder = new TempFolder();
        string file = Fixtures.Path(fixture), arrays = Path.Combine(folder.Path, "neuron.npz"), output = Path.Combine(folder.Path, "out" + Path.GetExtension(file));
        string[] extra = outgoing ? ["--outgoing"] : [];
        Assert.Equal(0, CliRun.Of(["show", file, layer, index, "-o", arrays, .. extra]).Exit);

        // When the model is edited with them
        var run = CliRun.Of(["edit", file, layer, index, "--set", arrays, "-o", output, .. extra]);

        // Then every part was written, and the file is the original byte for byte
        Assert.True(run.Exit == 0, run.Stderr);
        using (var saved = Model.Open(arrays))
            Assert.Equal(saved.Checkpoint.Tensors.Count, run.Stdout.Split('\n').Count(l => l.StartsWith("    ", StringComparison.Ordinal)));
        Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(output));
    }

    [Fact]
    public void Each_array_goes_into_its_own_part_and_nothing_else_changes()
    {
        // Given an LSTM unit's arrays, two of them changed, and the consumer slice of a conv filter changed
        using var folder = new TempFolder();
        string lstm = Fixtures.PyTorch("seed_lstm.pt");
        using var model = Model.Open(lstm);
        var unit = model.Layer("rnn.l0").Neuron(2);
        var all = NeuronArrays.Of(unit.Parts);
        string arrays = Path.Combine(folder.Path, "unit.npz");
        NeuronArrays.Save([Scaled(all.Single(a => a.Name == "weight_hh/cell"), 2), Scaled(all.Single(a => a.Name == "bias_ih/forget"), -1)], arrays);

        // When the unit is set from them
        string output = Path.Combine(folder.Path, "edited.pt");
        var run = CliRun.Of("edit", lstm, "rnn.l0", "2", "--set", arrays, "-o", output);

        // Then those two parts hold the new values, and every other value of the model is as it was
        Assert.True(run.Exit == 0, run.Stderr);
        using var edited = Model.Open(output);
        foreach (var tensor in model.Checkpoint.Tensors)
        {
            var before = tensor.View().ToDoubles();
            var after = edited.Checkpoint.Find(tensor.Name)!.View().ToDoubles();
            for (int i = 0; i < before.Length; i++)
            {
                double expected = (tensor.Name, i) switch
                {
                    ("rnn.weight_hh_l0", >= 42 * 20 and < 43 * 20) => before[i] * 2,
                    ("rnn.bias_ih_l0", 22) => -before[i],
                    _ => before[i],
                };
                Assert.Equal(expected, after[i]);
            }
        }
    }

    [Fact]
    public void An_array_named_for_no_part_is_refused_saying_why()
    {
        // Given the arrays of a conv filter with its outgoing parts
        using var folder = new TempFolder();
        string cnn = Fixtures.Path("graph/cnn.pt"), arrays = Path.Combine(folder.Path, "filter.npz"), output = Path.Combine(folder.Path, "out.pt");
        Assert.Equal(0, CliRun.Of("show", cnn, "0", "1", "--outgoing", "-o", arrays).Exit);

        // When they are set without --outgoing, or into a neuron of another layer
        var plain = CliRun.Of("edit", cnn, "0", "1", "--set", arrays, "-o", output);
        var other = CliRun.Of("edit", Fixtures.PyTorch("seed_lstm.pt"), "rnn.l0", "1", "--set", arrays, "-o", output);

        // Then both are refused before anything is written
        Assert.Equal(2, plain.Exit);
        Assert.Equal("error: filter.npz holds 'through/1.weight', 'through/1.bias', 'through/1.running_mean', 'through/1.running_var', " +
            "'out/3.weight', and neuron 1 of '0' has no part of that name\nhint: its parts: weight, bias\n" +
            "hint: add --outgoing to set the outgoing parts too\n", plain.Stderr);
        Assert.Equal(2, other.Exit);
        Assert.StartsWith("error: filter.npz holds 'weight', 'bias', 'through/1.weight'", other.Stderr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void An_array_of_another_shape_is_refused_naming_both()
    {
        // Given an archive whose forget-gate weights are one value short
        using var folder = new TempFolder();
        string lstm = Fixtures.PyTorch("seed_lstm.pt"), arrays = Path.Combine(folder.Path, "unit.npz"), output = Path.Combine(folder.Path, "out.pt");
        using (var model = Model.Open(lstm))
        {
            var forget = NeuronArrays.Of(model.Layer("rnn.l0").Neuron(2).Parts).Single(a => a.Name == "weight_hh/forget");
            NeuronArrays.Save([forget with { Shape = [19], Bytes = forget.Bytes[..^4] }], arrays);
        }

        // When the unit is set from it
        var run = CliRun.Of("edit", lstm, "rnn.l0", "2", "--set", arrays, "-o", output);

        // Then it is refused, naming both shapes, and nothing is written
        Assert.Equal(2, run.Exit);
        Assert.Equal("error: unit.npz:weight_hh/forget has shape [19], but rnn.weight_hh_l0[22] has shape [20]\n", run.Stderr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Part_narrows_an_archive_to_the_parts_it_names()
    {
        using var folder = new TempFolder();
        string lstm = Fixtures.PyTorch("seed_lstm.pt"), arrays = Path.Combine(folder.Path, "unit.npz");
        Assert.Equal(0, CliRun.Of("show", lstm, "rnn.l0", "2", "-o", arrays).Exit);

        var run = CliRun.Of("edit", lstm, "rnn.l0", "2", "--set", arrays, "--part", "bias_hh", "--dry-run");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Equal(["rnn.bias_hh_l0[2]", "rnn.bias_hh_l0[22]", "rnn.bias_hh_l0[42]", "rnn.bias_hh_l0[62]"],
            run.Stdout.Split('\n').Where(l => l.StartsWith("    ", StringComparison.Ordinal)).Select(l => l.Trim().Split(' ')[0]));
    }

    private static NeuronArray Scaled(NeuronArray array, float factor)
    {
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(array.Bytes).ToArray().Select(v => v * factor).ToArray();
        return array with { Bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray() };
    }
}
