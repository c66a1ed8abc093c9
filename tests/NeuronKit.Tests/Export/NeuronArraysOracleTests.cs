using System.Text.Json;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;

namespace NeuronKit.Tests.Export;

/// <summary>
/// <c>neuron show … -o OUT.npz</c> writes what NumPy writes: for each case of export/cases.json (make_export.py: the
/// neuron's parts taken by PyTorch, onnx or ggml's reference and saved as np.savez saves them), the same members in the
/// same order, each one's bytes (header and data) equal to numpy's.
/// </summary>
public class NeuronArraysOracleTests
{
    public static TheoryData<string> Cases() => [.. Read().Select(c => c.GetProperty("expected").GetString()!)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Show_writes_the_arrays_numpy_saves(string expected)
    {
        // Given a neuron and the archive numpy wrote of its parts
        var query = Read().Single(c => c.GetProperty("expected").GetString() == expected);
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "neuron.npz");
        string[] args = ["show", Fixtures.Path(query.GetProperty("file").GetString()!), query.GetProperty("layer").GetString()!,
            query.GetProperty("index").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", output];
        if (query.TryGetProperty("outgoing", out var outgoing) && outgoing.GetBoolean()) args = [.. args, "--outgoing"];

        // When the tool saves the neuron
        var run = CliRun.Of(args);

        // Then its archive has numpy's members, in numpy's order, byte for byte
        Assert.True(run.Exit == 0, run.Stderr);
        var ours = NpzMembers.Of(output);
        var numpy = NpzMembers.Of(Fixtures.Path("export/" + expected));
        Assert.Equal(numpy.Keys, ours.Keys);
        foreach (var (name, bytes) in numpy) Assert.True(bytes.SequenceEqual(ours[name]), $"{expected}: {name} differs from numpy's");
    }

    [Fact]
    public void One_part_as_an_npy_is_the_file_np_save_writes()
    {
        // Given the forget gate's recurrent weights of an LSTM unit, and numpy's bytes of them (a member of its archive)
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "forget.npy");

        // When the tool saves that part alone
        var run = CliRun.Of("show", Fixtures.PyTorch("seed_lstm.pt"), "rnn.l0", "2", "--part", "weight_hh:forget", "-o", output);

        // Then the .npy is numpy's, and the text says what went where
        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Equal(NpzMembers.Of(Fixtures.Path("export/seed_lstm_unit2.npz"))["weight_hh/forget.npy"], File.ReadAllBytes(output));
        Assert.Equal($"neuron 2 of rnn.l0 (LSTM) → {output}: 1 array\n  weight_hh/forget  rnn.weight_hh_l0[22]  [20]  float32\n", run.Stdout);
    }

    private static List<JsonElement> Read()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("export/cases.json")));
        return [.. json.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone())];
    }
}
