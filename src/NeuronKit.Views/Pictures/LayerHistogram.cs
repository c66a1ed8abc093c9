using System.Globalization;
using NeuronKit.Layers;
using NeuronKit.Stats;

namespace NeuronKit.Views.Pictures;

/// <summary>
/// A layer's histograms: of all its incoming weights, and of its neurons' L2 norms with the median and the outlier
/// cut-offs of <c>neuron stats</c> marked. Reads the layer twice (the statistics, then the weights into bins), a neuron at
/// a time, so memory stays flat however large the layer.
/// </summary>
internal static class LayerHistogram
{
    private const int WeightBins = 64, NormBins = 32;

    public static Picture Draw(Model model, Layer layer)
    {
        var stats = LayerStats.Compute(layer);
        var (low, high, finite) = Range(layer);
        var weights = new long[WeightBins];
        for (long j = 0; j < layer.NeuronCount; j++)
            foreach (var part in LayerPicture.Weights(layer.Neuron(j)))
                foreach (double w in part.ToDoubles())
                    if (double.IsFinite(w)) weights[Bin(w, low, high, WeightBins)]++;
        var norms = stats.Neurons.Where(n => n.Weights > 0).Select(n => n.L2).Where(double.IsFinite).ToList();
        double normLow = norms.DefaultIfEmpty(0).Min(), normHigh = norms.DefaultIfEmpty(0).Max();
        var normCounts = new long[NormBins];
        foreach (double norm in norms) normCounts[Bin(norm, normLow, normHigh, NormBins)]++;

        var figure = new Figure(new DivergingColorMap(Math.Max(Math.Abs(low), Math.Abs(high))));
        LayerPicture.Title(figure, model, layer, "histograms of its weights and of its neurons' L2 norms");
        figure.Histogram($"weights: {Count(stats.Weights)}, min {Figure.Number(stats.Min)}, max {Figure.Number(stats.Max)}, " +
            $"{stats.ZeroFraction:P1} zero{(finite < stats.Weights ? $", {Count(stats.Weights - finite)} not finite" : "")}",
            weights, low, high, low < 0 && high > 0 ? [(0, "0")] : []);
        double cut = stats.OutlierK * stats.NormSigma;
        figure.Histogram($"neuron L2 norms: median {Figure.Number(stats.NormMedian)}, σ̂ {Figure.Number(stats.NormSigma)}, " +
            $"{stats.OutlierCount} outlier{(stats.OutlierCount == 1 ? "" : "s")} (beyond {Figure.Number(stats.OutlierK)} σ̂), " +
            $"{stats.DeadCount} dead, {stats.DuplicateCount} duplicate",
            normCounts, normLow, normHigh,
            [(stats.NormMedian, "median"), (stats.NormMedian - cut, $"−{Figure.Number(stats.OutlierK)}σ̂"), (stats.NormMedian + cut, $"+{Figure.Number(stats.OutlierK)}σ̂")]);
        return figure.Draw();
    }

    // The finite weights' range (a single value widened by half on each side) and how many are finite.
    private static (double Low, double High, long Finite) Range(Layer layer)
    {
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        long finite = 0;
        for (long j = 0; j < layer.NeuronCount; j++)
            foreach (var part in LayerPicture.Weights(layer.Neuron(j)))
                foreach (double w in part.ToDoubles())
                {
                    if (!double.IsFinite(w)) continue;
                    finite++;
                    low = Math.Min(low, w);
                    high = Math.Max(high, w);
                }
        if (finite == 0) return (-0.5, 0.5, 0);
        return low == high ? (low - 0.5, high + 0.5, finite) : (low, high, finite);
    }

    private static int Bin(double value, double low, double high, int bins) =>
        high > low ? Math.Clamp((int)((value - low) / (high - low) * bins), 0, bins - 1) : 0;

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
