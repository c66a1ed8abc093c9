using System.Text.Json;
using NeuronKit.Stats;

namespace NeuronKit.Tests.Stats;

/// <summary>
/// Every neuron's statistics against PyTorch's, computed in float64 by tests/fixtures/make_stats.py. Tolerance: the
/// kernel sums float32 blocks in float32 lanes and merges blocks in double, so L1, L2 and std agree to a relative
/// 1e-6 and the mean to 1e-6 of the mean magnitude (L1 / n: a mean near zero has no relative precision); counts,
/// min, max, zero fractions, biases and flags are exact.
/// </summary>
public class StatsFixtureTests
{
    private const double Relative = 1e-6;

    public static IEnumerable<object[]> LayerNames => StatsExpectedJson.LayerNames;

    [Theory]
    [MemberData(nameof(LayerNames))]
    public void Every_neuron_matches_PyTorch_within_the_stated_tolerance(string name)
    {
        // Given the fixture layer and PyTorch's numbers for it
        var expected = StatsExpectedJson.Layer(name);
        using var model = Model.Open(StatsExpectedJson.Checkpoint);

        // When NeuronKit computes its statistics
        var stats = LayerStats.Compute(model.Layer(name));

        // Then every neuron agrees
        Assert.Equal(expected.GetProperty("kind").GetString(), stats.Layer.Kind);
        var neurons = expected.GetProperty("neurons").EnumerateArray().ToList();
        Assert.Equal(neurons.Count, stats.Neurons.Count);
        foreach (var want in neurons)
        {
            var got = stats.Neurons[want.GetProperty("neuron").GetInt32()];
            string at = $"{name}[{got.Index}]";
            long n = want.GetProperty("weights").GetInt64();
            Assert.Equal(n, got.Weights);
            Assert.Equal(want.GetProperty("zeros").GetInt64(), got.Zeros);
            Close(at + " l1", StatsExpectedJson.Number(want.GetProperty("l1")), got.L1, Relative * Math.Abs(got.L1));
            Close(at + " l2", StatsExpectedJson.Number(want.GetProperty("l2")), got.L2, Relative * Math.Abs(got.L2));
            Close(at + " std", StatsExpectedJson.Number(want.GetProperty("std")), got.Std, Relative * Math.Abs(got.Std));
            Close(at + " mean", StatsExpectedJson.Number(want.GetProperty("mean")), got.Mean, Relative * got.L1 / n);
            Assert.Equal(StatsExpectedJson.Number(want.GetProperty("min")), got.Min);
            Assert.Equal(StatsExpectedJson.Number(want.GetProperty("max")), got.Max);
            Assert.Equal(Nullable(want.GetProperty("bias")), got.Bias);
            Assert.Equal(GateBiases(want.GetProperty("gate_biases")), got.GateBiases?.Select(g => (g.Gate.Name, g.Bias)).ToList());
            Assert.True(want.GetProperty("dead").GetBoolean() == got.Dead, $"{at} dead");
            Assert.True(Nullable(want.GetProperty("duplicate_of")) == got.DuplicateOf, $"{at} duplicate_of {got.DuplicateOf}");
            Assert.True(want.GetProperty("outlier").GetBoolean() == got.Outlier, $"{at} outlier (L2 {got.L2})");
        }
        Close(name + " median", expected.GetProperty("l2_median").GetDouble(), stats.NormMedian, Relative * stats.NormMedian);
    }

    [Fact]
    public void A_NaN_weight_makes_its_layer_s_min_and_max_NaN_as_it_makes_its_neuron_s()
    {
        // Given stats.pt's 'odd' layer: a NaN in neuron 0, an infinity in neuron 1, neuron 2 finite (measured after them)
        using var model = Model.Open(StatsExpectedJson.Checkpoint);

        var odd = LayerStats.Compute(model.Layer("odd"));

        // Then the NaN is the layer's min and max too, as torch.min of the whole weight says, whatever follows it
        Assert.True(double.IsNaN(odd.Neurons[0].Min) && !double.IsNaN(odd.Neurons[2].Min));
        Assert.True(double.IsNaN(odd.Min) && double.IsNaN(odd.Max));
    }

    [Fact]
    public void The_fixture_has_the_flags_it_was_built_to_have()
    {
        // Given the neurons make_stats.py made dead, equal or far out
        using var model = Model.Open(StatsExpectedJson.Checkpoint);

        // When the whole model is measured
        var stats = ModelStats.Compute(model);

        // Then each flag is where it was put, and nowhere else in those layers
        var fc = stats.Layers.Single(l => l.Layer.Name == "fc");
        Assert.Equal([2], Flagged(fc, n => n.Dead));
        Assert.Equal([5, 7, 9], Flagged(fc, n => n.Duplicate));
        Assert.Equal([7, 5, 5], fc.Neurons.Where(n => n.Duplicate).Select(n => n.DuplicateOf!.Value));
        Assert.Contains(11, Flagged(fc, n => n.Outlier));
        Assert.Equal(6, fc.Neurons[4].Zeros);                                            // weight[4, ::3] = 0: columns 0, 3, 6, 9, 12, 15
        Assert.Equal(1, fc.Neurons[3].Zeros);                                            // -0.0 counts as a zero
        var half = stats.Layers.Single(l => l.Layer.Name == "half");
        Assert.Equal([0], Flagged(half, n => n.Dead));
        Assert.Equal([1, 4], Flagged(half, n => n.Duplicate));
        Assert.Equal([2, 3], Flagged(stats.Layers.Single(l => l.Layer.Name == "bf"), n => n.Duplicate));
        Assert.Equal([1], Flagged(stats.Layers.Single(l => l.Layer.Name == "f64"), n => n.Outlier));
        Assert.Equal([0, 6], Flagged(stats.Layers.Single(l => l.Layer.Name == "conv"), n => n.Duplicate));
        var emb = stats.Layers.Single(l => l.Layer.Name == "emb");
        Assert.Equal([3], Flagged(emb, n => n.Dead));
        Assert.Equal([1, 5], Flagged(emb, n => n.Duplicate));
        Assert.Equal(stats.Layers.Sum(l => l.DeadCount), stats.DeadCount);
    }

    [Fact]
    public void NaN_makes_min_max_and_norms_NaN_and_infinity_makes_the_norm_infinite_and_both_are_outliers()
    {
        using var model = Model.Open(StatsExpectedJson.Checkpoint);

        var odd = LayerStats.Compute(model.Layer("odd"));

        Assert.True(double.IsNaN(odd.Neurons[0].Min) && double.IsNaN(odd.Neurons[0].Max) && double.IsNaN(odd.Neurons[0].L2));
        Assert.Equal(double.PositiveInfinity, odd.Neurons[1].L2);
        Assert.Equal(double.PositiveInfinity, odd.Neurons[1].Max);
        Assert.True(odd.Neurons[0].Outlier && odd.Neurons[1].Outlier);
    }

    [Fact]
    public void Gated_layers_report_one_effective_bias_per_gate_and_no_single_bias()
    {
        using var model = Model.Open(StatsExpectedJson.Checkpoint);

        var lstm = LayerStats.Compute(model.Layer("rnn"));

        Assert.All(lstm.Neurons, n => Assert.Null(n.Bias));
        Assert.Equal(["input", "forget", "cell", "output"], lstm.Neurons[0].GateBiases!.Select(g => g.Gate.Name));
        Assert.Equal(4 * (5 + 4), lstm.Neurons[0].Weights);
    }

    private static List<int> Flagged(LayerStats layer, Func<NeuronStats, bool> flag) =>
        [.. layer.Neurons.Where(flag).Select(n => (int)n.Index)];

    private static void Close(string what, double want, double got, double tolerance)
    {
        if (double.IsNaN(want) || double.IsInfinity(want))
        {
            Assert.True(want.Equals(got), $"{what}: want {want}, got {got}");
            return;
        }
        Assert.True(Math.Abs(want - got) <= tolerance + 1e-300, $"{what}: want {want:R}, got {got:R} (tolerance {tolerance:G3})");
    }

    private static double? Nullable(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetDouble();

    private static List<(string, double?)>? GateBiases(JsonElement value) => value.ValueKind == JsonValueKind.Null
        ? null
        : [.. value.EnumerateObject().Select(p => (p.Name, Nullable(p.Value)))];
}
