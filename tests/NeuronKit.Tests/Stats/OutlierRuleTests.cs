using NeuronKit.Stats;

namespace NeuronKit.Tests.Stats;

/// <summary>The robust outlier rule's fit against the textbook computation: sort, median, sort the deviations, median.</summary>
public class OutlierRuleTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(7, 3)]
    [InlineData(100, 4)]
    [InlineData(4097, 5)]
    public void The_median_and_robust_deviation_are_those_of_the_textbook_computation(int count, int seed)
    {
        // Given norms with ties, a few huge ones and a non-finite one
        var random = new Random(seed);
        double[] norms = [.. Enumerable.Range(0, count).Select(i => i % 5 == 0 ? 1.0 : i % 17 == 0 ? 1e6 : random.NextDouble())];
        if (count > 3) norms[2] = double.PositiveInfinity;

        var (median, sigma) = OutlierRule.Fit(norms);

        double[] finite = [.. norms.Where(double.IsFinite).Order()];
        double expectedMedian = Middle(finite);
        double[] deviations = [.. finite.Select(v => Math.Abs(v - expectedMedian)).Order()];
        double mad = Middle(deviations);
        Assert.Equal(expectedMedian, median);
        Assert.Equal(mad > 0 ? 1.4826 * mad : 1.253314 * deviations.Average(), sigma, 1e-12);
    }

    [Fact]
    public void Equal_norms_have_no_deviation_and_no_outliers()
    {
        var (median, sigma) = OutlierRule.Fit([2.0, 2.0, 2.0, 2.0]);

        Assert.Equal(2.0, median);
        Assert.Equal(0, sigma);
        Assert.False(OutlierRule.IsOutlier(2.0, median, sigma, 3.5));
    }

    private static double Middle(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
