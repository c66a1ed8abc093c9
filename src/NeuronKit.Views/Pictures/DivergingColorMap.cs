namespace NeuronKit.Views.Pictures;

/// <summary>
/// The colours of weights: blue for negative, near-white for 0, red for positive, linear in between over the symmetric
/// range ±<see cref="Limit"/> (ColorBrewer's RdBu ends). Symmetric so that 0 is always the centre colour and a weight and its
/// negation are equally strong; values past the range take the end colours, NaN is black (on no point of the map).
/// </summary>
public sealed class DivergingColorMap
{
    /// <summary>The colour of −<see cref="Limit"/> and below.</summary>
    public static readonly PixelColor Negative = new(33, 102, 172);

    /// <summary>The colour of 0.</summary>
    public static readonly PixelColor Centre = new(247, 247, 247);

    /// <summary>The colour of +<see cref="Limit"/> and above.</summary>
    public static readonly PixelColor Positive = new(178, 24, 43);

    /// <summary>The colour of NaN.</summary>
    public static readonly PixelColor NotANumber = new(0, 0, 0);

    /// <summary>A map over ±<paramref name="limit"/>; a limit of 0 (all weights zero) or one not finite is taken as 1.</summary>
    public DivergingColorMap(double limit) => Limit = limit > 0 && double.IsFinite(limit) ? limit : 1;

    /// <summary>The map for <paramref name="values"/>: ±their largest finite magnitude.</summary>
    public static DivergingColorMap For(IEnumerable<double> values) =>
        new(values.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max());

    /// <summary>The magnitude that maps to the end colours.</summary>
    public double Limit { get; }

    /// <summary>
    /// The difference between two values whose colours may be equal: the 8-bit channels resolve the half range into
    /// as many steps as the channel that changes most (214 on the negative side, 223 on the positive).
    /// </summary>
    public double Resolution => Limit / 214;

    /// <summary>The colour of <paramref name="value"/>.</summary>
    public PixelColor ColorOf(double value)
    {
        if (double.IsNaN(value)) return NotANumber;
        double t = Math.Clamp(value / Limit, -1, 1);
        return t < 0 ? Blend(Centre, Negative, -t) : Blend(Centre, Positive, t);
    }

    /// <summary>
    /// The value a colour of this map stands for: the nearer of the two halves' points (least squares), as a reader of
    /// the picture would take it. NaN for black.
    /// </summary>
    public double ValueOf(PixelColor color)
    {
        if (color == NotANumber) return double.NaN;
        var (tNegative, errorNegative) = Project(color, Negative);
        var (tPositive, errorPositive) = Project(color, Positive);
        return errorNegative < errorPositive ? -tNegative * Limit : tPositive * Limit;
    }

    private static PixelColor Blend(PixelColor from, PixelColor to, double t) => new(
        (byte)Math.Round(from.R + (to.R - from.R) * t),
        (byte)Math.Round(from.G + (to.G - from.G) * t),
        (byte)Math.Round(from.B + (to.B - from.B) * t));

    // Where on the segment from the centre to `end` the colour lies (0..1), and its squared distance from that point.
    private static (double T, double Error) Project(PixelColor color, PixelColor end)
    {
        double dr = end.R - Centre.R, dg = end.G - Centre.G, db = end.B - Centre.B;
        double cr = color.R - Centre.R, cg = color.G - Centre.G, cb = color.B - Centre.B;
        double t = Math.Clamp((cr * dr + cg * dg + cb * db) / (dr * dr + dg * dg + db * db), 0, 1);
        double er = cr - t * dr, eg = cg - t * dg, eb = cb - t * db;
        return (t, er * er + eg * eg + eb * eb);
    }
}
