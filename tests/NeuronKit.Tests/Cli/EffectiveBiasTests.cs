using System.Text.Json;
using NeuronKit.Tests.Stats;

namespace NeuronKit.Tests.Cli;

/// <summary>
/// A recurrent neuron's effective bias per gate, in <c>neuron show --json</c> ("effective_bias") and in
/// <c>neuron stats --json</c> ("gate_biases"), against onnx/grus.onnx: one GRU with linear_before_reset = 0 (both
/// directions), where every gate's bias is Wb + Rb, and one with linear_before_reset = 1, where Rbh sits inside
/// r * (Rh h + Rbh) and the hidden gate has none (null). make_onnx.py computes Wb + Rb with numpy from B and writes
/// it into onnx/expected_stats.json.
/// </summary>
public class EffectiveBiasTests
{
    private const string File = "grus.onnx";

    public static TheoryData<string> Layers() =>
        [.. ExpectedStatsJson.Layers("onnx", File).Select(l => l.GetProperty("name").GetString()!)];

    [Fact]
    public void The_fixture_has_a_GRU_of_each_linear_before_reset()
    {
        var hidden = ExpectedStatsJson.Layers("onnx", File).ToDictionary(
            l => l.GetProperty("name").GetString()!,
            l => l.GetProperty("stats")[0].GetProperty("gate_biases").GetProperty("hidden").ValueKind);

        Assert.Equal(JsonValueKind.Number, hidden["gru_lbr0.forward"]);
        Assert.Equal(JsonValueKind.Number, hidden["gru_lbr0.reverse"]);
        Assert.Equal(JsonValueKind.Null, hidden["gru_lbr1"]);
    }

    [Fact]
    public void A_complex_GRU_s_effective_biases_are_re_im_pairs_summed_from_PyTorch_s_own_bias_values()
    {
        // Given neuron 1 of complex.pt's complex64 GRU, and PyTorch's bias_ih and bias_hh pairs of each gate (expected.json)
        var query = Oracle.FixtureOracle.Queries("pytorch").Single(q => q.File == "complex.pt" && q.Layer == "gru");
        var biases = query.Expect.GetProperty("parts").EnumerateArray().Where(p => p.GetProperty("role").GetString()!.StartsWith("bias_"))
            .GroupBy(p => p.GetProperty("gate").GetString()!)
            .ToDictionary(g => g.Key, g => g.Select(p => Oracle.OracleQuery.Flatten(p.GetProperty("values"))).ToList());

        // When neuron show prints it as JSON
        var run = CliRun.Of("show", Fixtures.Path("pytorch/complex.pt"), "gru", "1", "--json");

        // Then each summed gate is the pair (re_ih + re_hh, im_ih + im_hh), and the new gate, whose biases do not add, is null
        Assert.True(run.Exit == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var got = json.RootElement.GetProperty("effective_bias");
        foreach (string gate in new[] { "reset", "update" })
        {
            var (ih, hh) = (biases[gate][0], biases[gate][1]);
            Assert.Equal([ih[0] + hh[0], ih[1] + hh[1]], Oracle.OracleQuery.Flatten(got.GetProperty(gate)));
        }
        Assert.Equal(JsonValueKind.Null, got.GetProperty("new").ValueKind);
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Show_json_gives_each_neuron_its_effective_bias_per_gate(string layer)
    {
        foreach (var (neuron, expected) in Expected(layer))
        {
            // Given a GRU neuron and numpy's Wb + Rb per gate

            // When neuron show prints it as JSON
            var run = CliRun.Of("show", Fixtures.Path($"onnx/{File}"), layer, neuron.ToString(), "--json");

            // Then "effective_bias" holds each gate's, in storage order, null where the bias does not add
            Assert.True(run.Exit == 0, run.Stderr);
            using var json = JsonDocument.Parse(run.Stdout);
            Assert.True(json.RootElement.TryGetProperty("effective_bias", out var got), $"{layer}[{neuron}]: show --json has no \"effective_bias\"");
            Assert.Equal(expected, Gates(got));
        }
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Stats_json_gives_each_neuron_the_same_gate_biases_and_no_single_bias(string layer)
    {
        // Given numpy's Wb + Rb per gate of every neuron

        // When neuron stats measures the layer
        var run = CliRun.Of("stats", Fixtures.Path($"onnx/{File}"), layer, "--json");

        // Then each neuron has them as its gate biases, and its weights are W and R only (3 gates × (3 + 4))
        Assert.True(run.Exit == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var stats = json.RootElement.GetProperty("layers")[0].GetProperty("stats").EnumerateArray().ToList();
        foreach (var (neuron, expected) in Expected(layer))
        {
            var row = stats[neuron];
            Assert.Equal(21, row.GetProperty("weights").GetInt64());
            Assert.Equal(JsonValueKind.Null, row.GetProperty("bias").ValueKind);
            Assert.True(row.TryGetProperty("gate_biases", out var got) && got.ValueKind == JsonValueKind.Object, $"{layer}[{neuron}]: no gate_biases");
            Assert.Equal(expected, Gates(got));
        }
    }

    [Fact]
    public void Show_json_gives_a_gate_less_RNN_neuron_its_effective_bias_as_a_bare_number()
    {
        // Given rnns.onnx's RNN and numpy's Wb + Rb of each neuron
        var layer = ExpectedStatsJson.Layers("onnx", "rnns.onnx").Single(l => l.GetProperty("name").GetString() == "/rnn/RNN");

        foreach (var want in layer.GetProperty("stats").EnumerateArray())
        {
            // When neuron show prints the neuron as JSON
            var run = CliRun.Of("show", Fixtures.Path("onnx/rnns.onnx"), "/rnn/RNN", want.GetProperty("neuron").ToString(), "--json");

            // Then "effective_bias" is that one number
            Assert.True(run.Exit == 0, run.Stderr);
            using var json = JsonDocument.Parse(run.Stdout);
            Assert.True(json.RootElement.TryGetProperty("effective_bias", out var got), "show --json has no \"effective_bias\"");
            Assert.Equal(JsonValueKind.Number, got.ValueKind);
            Assert.Equal(want.GetProperty("bias").GetDouble(), got.GetDouble());
        }
    }

    [Fact]
    public void Show_json_has_no_effective_bias_for_a_layer_that_is_not_recurrent()
    {
        var run = CliRun.Of("show", Fixtures.Path("onnx/kinds.onnx"), "/fc/Gemm", "0", "--json");

        Assert.Equal(0, run.Exit);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.False(json.RootElement.TryGetProperty("effective_bias", out _));
    }

    private static IEnumerable<(int Neuron, List<(string, double?)> Gates)> Expected(string layer) =>
        ExpectedStatsJson.Layers("onnx", File).Single(l => l.GetProperty("name").GetString() == layer)
            .GetProperty("stats").EnumerateArray()
            .Select(n => (n.GetProperty("neuron").GetInt32(), Gates(n.GetProperty("gate_biases"))));

    private static List<(string, double?)> Gates(JsonElement gates) =>
        [.. gates.EnumerateObject().Select(g => (g.Name, ExpectedStatsJson.NumberOrNull(g.Value)))];
}
