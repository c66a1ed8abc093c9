using NeuronKit.Stats;

namespace NeuronKit.Diff;

/// <summary>
/// The running sums a neuron's weight parts add to as <see cref="DiffKernel"/> compares them, A's values with B's:
/// everything <see cref="NeuronDiff"/> is made of but the biases.
/// </summary>
internal struct PartDifference : ITileSum<PartDifference>
{
    /// <summary>How many weights were compared.</summary>
    public long Count;

    /// <summary>Σ a².</summary>
    public double SquaresA;

    /// <summary>Σ b².</summary>
    public double SquaresB;

    /// <summary>Σ a·b.</summary>
    public double Dot;

    /// <summary>Σ (b − a)².</summary>
    public double SquaresDelta;

    /// <summary>max |b − a| (0 before any weight; NaN once a difference is, as numpy's max keeps a NaN).</summary>
    public double MaxAbs;

    /// <summary>True while every value of A seen is zero (a NaN is not).</summary>
    public bool AllZeroA;

    /// <summary>True while every value of B seen is zero.</summary>
    public bool AllZeroB;

    /// <summary>
    /// True once a value of B differs from A's: a NaN against a NaN, or an infinity against the same one, does not, as
    /// <c>np.array_equal(a, b, equal_nan=True)</c> says.
    /// </summary>
    public bool Differs;

    public static PartDifference Empty => new() { AllZeroA = true, AllZeroB = true };

    /// <summary>Adds one run of <paramref name="count"/> compared values, given its sums.</summary>
    public void Add(long count, double squaresA, double squaresB, double dot, double squaresDelta, double maxAbs, bool allZeroA, bool allZeroB, bool differs)
    {
        Count += count;
        SquaresA += squaresA;
        SquaresB += squaresB;
        Dot += dot;
        SquaresDelta += squaresDelta;
        MaxAbs = double.IsNaN(MaxAbs) || double.IsNaN(maxAbs) ? double.NaN : Math.Max(MaxAbs, maxAbs);
        AllZeroA &= allZeroA;
        AllZeroB &= allZeroB;
        Differs |= differs;
    }

    /// <summary>Adds the sums of another run of the same neuron's values (a later tile of its rows).</summary>
    public void Merge(in PartDifference other) =>
        Add(other.Count, other.SquaresA, other.SquaresB, other.Dot, other.SquaresDelta, other.MaxAbs, other.AllZeroA, other.AllZeroB, other.Differs);
}
