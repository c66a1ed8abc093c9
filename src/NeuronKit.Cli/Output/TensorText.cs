using System.Globalization;
using System.Numerics;
using System.Text;

namespace NeuronKit.Cli.Output;

/// <summary>
/// Values printed the way PyTorch 1.13 prints a tensor (torch/_tensor_str.py): 4 decimals, whole numbers with a
/// trailing dot, or scientific notation, chosen from the values; right-aligned; wrapped at 80 columns; shortened
/// to 3 items at each edge of every dimension beyond 1,000 elements.
/// </summary>
internal static class TensorText
{
    // torch._tensor_str.PRINT_OPTS defaults.
    private const int Threshold = 1000;
    private const int EdgeItems = 3;
    private const int LineWidth = 80;

    /// <summary>
    /// The text PyTorch prints between <c>tensor(</c> and <c>)</c>; <paramref name="indent"/> is the column the
    /// first bracket sits at (7 after <c>tensor(</c>).
    /// </summary>
    public static string Format(double[] values, IReadOnlyList<long> shape, bool isFloat, bool full, int indent)
    {
        bool summarize = !full && values.Length > Threshold;
        var format = Formatter(summarize ? Shown(values, shape) : values, isFloat);
        if (shape.Count == 0) return format(values[0]).Trim();
        var text = new StringBuilder();
        Append(text, 0, values.Length, shape, 0, indent, i => format(values[i]), summarize);
        return text.ToString();
    }

    /// <summary>
    /// Complex values as PyTorch prints them (<c>1.5000+2.2500j</c>): the real parts formatted together, the imaginary
    /// parts together with their sign, each item then right-aligned to the widest so that columns line up.
    /// </summary>
    public static string Format(Complex[] values, IReadOnlyList<long> shape, bool full, int indent)
    {
        bool summarize = !full && values.Length > Threshold;
        var shown = summarize ? Shown(values, shape) : values;
        var text = ComplexFormatter(shown);
        if (shape.Count == 0) return text(values[0]).Trim();
        int width = shown.Select(v => text(v).Length).DefaultIfEmpty(0).Max();
        var result = new StringBuilder();
        Append(result, 0, values.Length, shape, 0, indent, i => text(values[i]).PadLeft(width), summarize);
        return result.ToString();
    }

    /// <summary>
    /// One number on its own, in the style PyTorch would print it alone: <see cref="Formatter"/>'s choice for one value,
    /// made directly (a table of a hundred thousand neurons prints a million of them).
    /// </summary>
    public static string Number(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        bool whole = value == Math.Ceiling(value);
        double magnitude = Math.Abs(value);
        bool scientific = value != 0 && (magnitude > 1e8 || (!whole && magnitude < 1e-4));
        return scientific ? Scientific(value)
            : whole ? value.ToString("0", CultureInfo.InvariantCulture) + "."
            : value.ToString("0.0000", CultureInfo.InvariantCulture);
    }

    /// <summary>One complex number on its own, in the style PyTorch would print it alone (<c>0.5000-1.2500j</c>).</summary>
    public static string Number(Complex value) => ComplexFormatter([value])(value).Trim();

    // torch._tensor_str's complex items: the real part, then the imaginary part's sign (as Python signs -0.0 and NaN),
    // its magnitude and 'j'.
    private static Func<Complex, string> ComplexFormatter(IReadOnlyCollection<Complex> values)
    {
        var real = Formatter([.. values.Select(v => v.Real)], isFloat: true);
        var imaginary = Formatter([.. values.Select(v => v.Imaginary)], isFloat: true);
        return v =>
        {
            bool negative = v.Imaginary < 0 || (v.Imaginary == 0 && double.IsNegative(v.Imaginary));
            return real(v.Real) + (negative ? "-" : "+") + imaginary(Math.Abs(v.Imaginary)).TrimStart() + "j";
        };
    }

    // Items [start, start + length) of the row-major values, nested as shape[dim..] is; formatAt formats item i.
    private static void Append(StringBuilder text, int start, int length, IReadOnlyList<long> shape, int dim,
        int indent, Func<int, string> formatAt, bool summarize)
    {
        long count = shape[dim];
        int stride = count == 0 ? 0 : length / (int)count;
        bool shorten = summarize && count > 2 * EdgeItems;
        var indices = shorten
            ? new long[] { 0, 1, 2, -1, count - 3, count - 2, count - 1 }
            : Enumerable.Range(0, (int)count).Select(i => (long)i).ToArray();
        text.Append('[');
        if (dim == shape.Count - 1)
        {
            var items = new List<string>(indices.Length);
            foreach (long i in indices) items.Add(i < 0 ? " ..." : formatAt(start + (int)i));
            int width = items.Count == 0 ? 0 : items.Where(s => s != " ...").DefaultIfEmpty("").Max(s => s.Length);
            int perLine = Math.Max(1, (LineWidth - indent) / (width + 2));
            var lines = items.Chunk(perLine).Select(line => string.Join(", ", line));
            text.AppendJoin(",\n" + new string(' ', indent + 1), lines);
        }
        else
        {
            string separator = "," + new string('\n', shape.Count - dim - 1) + new string(' ', indent + 1);
            for (int k = 0; k < indices.Length; k++)
            {
                if (k > 0) text.Append(separator);
                if (indices[k] < 0) text.Append("...");
                else Append(text, start + (int)indices[k] * stride, stride, shape, dim + 1, indent + 1, formatAt, summarize);
            }
        }
        text.Append(']');
    }

    /// <summary>The values PyTorch looks at to choose a format when it shortens: the edges of every dimension.</summary>
    private static T[] Shown<T>(T[] values, IReadOnlyList<long> shape)
    {
        var shown = new List<T>();
        var index = new long[shape.Count];
        for (long flat = 0; flat < values.Length; flat++)
        {
            long rest = flat;
            bool edge = true;
            for (int d = shape.Count - 1; d >= 0; d--)
            {
                index[d] = rest % shape[d];
                rest /= shape[d];
                if (shape[d] > 2 * EdgeItems && index[d] >= EdgeItems && index[d] < shape[d] - EdgeItems) edge = false;
            }
            if (edge) shown.Add(values[flat]);
        }
        return [.. shown];
    }

    /// <summary>PyTorch's _Formatter: the mode and the width come from the nonzero finite values.</summary>
    private static Func<double, string> Formatter(IReadOnlyCollection<double> values, bool isFloat)
    {
        var c = CultureInfo.InvariantCulture;
        if (!isFloat)
        {
            int intWidth = values.Count == 0 ? 0 : values.Max(v => ((long)v).ToString(c).Length);
            return v => ((long)v).ToString(c).PadLeft(intWidth);
        }
        var nonzero = values.Where(v => double.IsFinite(v) && v != 0).ToList();
        bool intMode = nonzero.All(v => v == Math.Ceiling(v));
        double max = nonzero.Count > 0 ? nonzero.Max(Math.Abs) : 0, min = nonzero.Count > 0 ? nonzero.Min(Math.Abs) : 0;
        bool sci = nonzero.Count > 0 && (max / min > 1000 || max > 1e8 || (!intMode && min < 1e-4));
        Func<double, string> raw = sci ? v => Scientific(v)
            : intMode ? v => v.ToString("0", c) + "."
            : v => v.ToString("0.0000", c);
        string Text(double v) => double.IsNaN(v) ? "nan" : double.IsInfinity(v) ? (v > 0 ? "inf" : "-inf") : raw(v);
        int width = nonzero.Count == 0 ? (values.Any(double.IsFinite) ? Text(0).Length : 0) : nonzero.Max(v => Text(v).Length);
        return v => Text(v).PadLeft(width);
    }

    // Python's '{:.4e}': a mantissa with 4 decimals and an exponent of at least two digits.
    private static string Scientific(double v) => v.ToString("0.0000e+00", CultureInfo.InvariantCulture);
}
