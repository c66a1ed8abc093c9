namespace NeuronKit.Stats;

/// <summary>
/// The robust outlier rule on a layer's L2 norms: flag |norm − median| > k·σ̂ with σ̂ = 1.4826·MAD (the MAD scaled to
/// a normal's σ). When more than half the norms are equal the MAD is 0, and σ̂ falls back to 1.2533·mean absolute
/// deviation (Iglewicz and Hoaglin); when that is 0 too, all finite norms are equal and none of them is an outlier. A norm
/// that is not finite (an infinity or a NaN among the weights) is left out of the fit and is always an outlier.
/// </summary>
internal static class OutlierRule
{
    private const double MadToSigma = 1.4826;
    private const double MeanDeviationToSigma = 1.253314;

    /// <summary>The median and the robust deviation σ̂ of the finite values of <paramref name="norms"/>.</summary>
    public static (double Median, double Sigma) Fit(IEnumerable<double> norms)
    {
        double[] values = [.. norms.Where(double.IsFinite)];
        if (values.Length == 0) return (double.NaN, double.NaN);
        Array.Sort(values);
        double median = Median(values);
        double[] deviations = SortedDeviations(values, median);
        double mad = Median(deviations);
        double sigma = mad > 0 ? MadToSigma * mad : MeanDeviationToSigma * deviations.Average();
        return (median, sigma);
    }

    /// <summary>True when <paramref name="norm"/> is an outlier under the fitted median and σ̂, or is not finite.</summary>
    public static bool IsOutlier(double norm, double median, double sigma, double k) =>
        !double.IsFinite(norm) || (sigma > 0 && Math.Abs(norm - median) > k * sigma);

    // The middle of sorted values.
    private static double Median(double[] sorted)
    {
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    // |v - median| of sorted values, in order without a second sort: walking outwards from the median, the values
    // below and above it each give deviations in increasing order, so the two runs merge.
    private static double[] SortedDeviations(double[] sorted, double median)
    {
        var deviations = new double[sorted.Length];
        int above = Array.BinarySearch(sorted, median);
        if (above < 0) above = ~above;
        int below = above - 1;
        for (int k = 0; k < deviations.Length; k++)
        {
            bool takeBelow = above >= sorted.Length || (below >= 0 && median - sorted[below] <= sorted[above] - median);
            deviations[k] = takeBelow ? median - sorted[below--] : sorted[above++] - median;
        }
        return deviations;
    }
}
