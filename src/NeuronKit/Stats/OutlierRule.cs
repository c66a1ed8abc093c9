namespace NeuronKit.Stats;

/// <summary>
/// The robust outlier rule on a layer's L2 norms: flag |norm − median| > k·σ̂ with σ̂ = 1.4826·MAD (the MAD scaled to
/// a normal's σ). When more than half the norms are equal the MAD is 0, and σ̂ falls back to 1.2533·mean absolute
/// deviation (Iglewicz and Hoaglin); when that is 0 too, all norms are equal and nothing is an outlier.
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
        double median = Median(values);
        double[] deviations = [.. values.Select(v => Math.Abs(v - median))];
        double mad = Median(deviations);
        double sigma = mad > 0 ? MadToSigma * mad : MeanDeviationToSigma * deviations.Average();
        return (median, sigma);
    }

    /// <summary>True when <paramref name="norm"/> is an outlier under the fitted median and σ̂.</summary>
    public static bool IsOutlier(double norm, double median, double sigma, double k) =>
        sigma > 0 && double.IsFinite(norm) && Math.Abs(norm - median) > k * sigma;

    private static double Median(double[] values)
    {
        Array.Sort(values);
        int middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
