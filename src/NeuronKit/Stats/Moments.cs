namespace NeuronKit.Stats;

/// <summary>
/// Running statistics of a neuron's incoming weights, merged block by block: sums for the mean and norms, and the
/// sum of squared deviations combined by Chan's formula, so the std does not cancel when the mean is large.
/// </summary>
internal struct Moments : ITileSum<Moments>
{
    public long Count;
    public long Zeros;
    public double Sum;
    public double SumOfMagnitudes;
    public double SumOfSquares;
    public double Min;
    public double Max;
    public double Mean;
    public double SquaredDeviations;

    public static Moments Empty => new() { Min = double.PositiveInfinity, Max = double.NegativeInfinity };

    /// <summary>Adds a block of <paramref name="count"/> values with the given sums and the block's own squared deviations.</summary>
    public void Add(long count, double sum, double sumOfMagnitudes, double sumOfSquares, double min, double max, long zeros, double squaredDeviations)
    {
        if (count == 0) return;
        double blockMean = sum / count;
        if (Count == 0)
        {
            Mean = blockMean;
            SquaredDeviations = squaredDeviations;
        }
        else
        {
            // Chan, Golub and LeVeque: merging two partial variances.
            long total = Count + count;
            double delta = blockMean - Mean;
            Mean += delta * count / total;
            SquaredDeviations += squaredDeviations + delta * delta * ((double)Count * count / total);
        }
        Count += count;
        Zeros += zeros;
        Sum += sum;
        SumOfMagnitudes += sumOfMagnitudes;
        SumOfSquares += sumOfSquares;
        // Math.Min/Max propagate NaN, as torch.min/max do.
        Min = Math.Min(Min, min);
        Max = Math.Max(Max, max);
    }

    /// <summary>Adds the values <paramref name="other"/> holds, as one more block.</summary>
    public void Merge(in Moments other) =>
        Add(other.Count, other.Sum, other.SumOfMagnitudes, other.SumOfSquares, other.Min, other.Max, other.Zeros, other.SquaredDeviations);

    /// <summary>The L2 norm (infinite when a weight is, as torch.norm says).</summary>
    public readonly double L2 => Math.Sqrt(SumOfSquares);

    /// <summary>The population standard deviation (numpy's default, <c>torch.std(unbiased=False)</c>).</summary>
    public readonly double Std => Math.Sqrt(Math.Max(SquaredDeviations, 0) / Count);
}
