using System.Text.Json;
using NeuronKit.Diff;

namespace NeuronKit.Tests.Diff;

/// <summary>A layer's diff against numpy's per-neuron table (make_diff.py's diff_row), row by row.</summary>
internal static class ExpectedRows
{
    /// <summary>Each neuron's L2 of the change, cosine and largest change within 1e-9 of <paramref name="rows"/>', and every neuron changed.</summary>
    public static void Match(LayerDiff layer, JsonElement rows)
    {
        var expected = rows.EnumerateArray().ToList();
        Assert.Equal(expected.Count, layer.Neurons.Count);
        foreach (var (n, row) in layer.Neurons.Zip(expected))
        {
            foreach (var (want, got) in (ReadOnlySpan<(string, double)>)[("l2_delta", n.L2Delta), ("cosine", n.Cosine), ("max_abs", n.MaxAbs)])
            {
                double value = row.GetProperty(want).GetDouble();
                Assert.True(Math.Abs(got - value) <= 1e-9 * Math.Abs(value), $"{layer.A.Name}[{n.Index}] {want}: want {value}, got {got}");
            }
            Assert.True(n.L2Delta > 0);
        }
    }
}
