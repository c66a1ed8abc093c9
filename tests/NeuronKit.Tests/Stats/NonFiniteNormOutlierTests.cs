using System.Text.Json;
using NeuronKit.Stats;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Stats;

/// <summary>
/// Outliers among norms that are not finite: a neuron with an infinity or a NaN among its weights is as far from its
/// layer's median as a norm can be, and is flagged; the median and σ̂ stay those of the finite norms, so the other
/// outliers are still found. stats/nonfinite_norms.safetensors and PyTorch's numbers are make_nonfinite_norms.py's.
/// </summary>
public class NonFiniteNormOutlierTests
{
    [Fact]
    public void A_neuron_whose_norm_is_infinite_or_NaN_is_an_outlier_and_the_others_are_still_found()
    {
        // Given fc: row 3 holds +inf, row 6 a NaN, row 8 is 20 times the others, row 1's norm is past float32's range
        var oracle = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("stats/expected_nonfinite_norms.json"))).RootElement;

        // When its statistics are asked for
        var run = CliRun.Of("stats", Fixtures.Path("stats/nonfinite_norms.safetensors"), "--json");

        // Then the outliers are PyTorch's: both non-finite rows, the scaled one and the huge one, against the finite norms' median
        Assert.Equal(0, run.Exit);
        using var json = JsonDocument.Parse(run.Stdout);
        var fc = json.RootElement.GetProperty("layers")[0];
        var flagged = fc.GetProperty("stats").EnumerateArray().Where(n => n.GetProperty("outlier").GetBoolean()).Select(n => n.GetProperty("neuron").GetInt32());
        Assert.Equal(oracle.GetProperty("outliers").EnumerateArray().Select(o => o.GetInt32()), flagged);
        var summary = fc.GetProperty("summary");
        Assert.Equal(oracle.GetProperty("outliers").GetArrayLength(), summary.GetProperty("outliers").GetInt32());
        Assert.Equal(oracle.GetProperty("l2_median").GetDouble(), summary.GetProperty("l2_median").GetDouble(), 1e-6);
        Assert.Equal(oracle.GetProperty("l2_sigma").GetDouble(), summary.GetProperty("l2_sigma").GetDouble(), 1e-6);
        Assert.Equal("Infinity", fc.GetProperty("stats")[3].GetProperty("l2").GetString());
        Assert.Equal("NaN", fc.GetProperty("stats")[6].GetProperty("l2").GetString());
    }

    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    public void A_norm_that_is_not_finite_is_an_outlier_even_where_the_finite_norms_are_all_equal(double norm)
    {
        // Given finite norms that are all equal (σ̂ 0: no finite norm is an outlier)
        var (median, sigma) = OutlierRule.Fit([2.0, 2.0, 2.0, norm]);

        // Then the one that is not finite is
        Assert.Equal(0, sigma);
        Assert.True(OutlierRule.IsOutlier(norm, median, sigma, 3.5));
        Assert.False(OutlierRule.IsOutlier(2.0, median, sigma, 3.5));
    }
}
