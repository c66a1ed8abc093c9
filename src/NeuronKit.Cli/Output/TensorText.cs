using System.Globalization;
using System.Text;

namespace NeuronKit.Cli.Output;

/// <summary>
/// Values printed the way PyTorch prints a tensor: 4 decimals or scientific notation chosen from the values,
/// right-aligned, wrapped at 80 columns, and shortened to 3 items at each edge beyond 1,000 elements.
/// </summary>
internal static class TensorText
{
    // torch._tensor_str.PRINT_OPTS defaults.
    private const int Threshold = 1000;
    private const int EdgeItems = 3;
    private const int LineWidth = 80;

    public static string Format(double[] values, IReadOnlyList<long> shape, bool isFloat, bool full, int indent = 0)
    {
        if (shape.Count == 0) return FormatterFor(values, isFloat)(values[0]);
        bool summarize = !full && values.Length > Threshold;
        var shown = summarize ? Shown(values, shape) : values;
        var format = FormatterFor(shown, isFloat);
        int width = shown.Length == 0 ? 0 : shown.Max(v => format(v).Length);
        var text = new StringBuilder();
        Append(text, values, shape, 0, indent + 1, v => format(v).PadLeft(width), summarize);
        return text.ToString();
    }

    private static void Append(StringBuilder text, ReadOnlySpan<double> values, IReadOnlyList<long> shape, int dim,
        int indent, Func<double, string> format, bool summarize)
    {
        long count = shape[dim];
        int stride = count == 0 ? 0 : values.Length / (int)count;
        var items = Indices(count, summarize);
        text.Append('[');
        if (dim == shape.Count - 1)
        {
            int column = indent;
            for (int k = 0; k < items.Count; k++)
            {
                string item = items[k] < 0 ? "..." : format(values[(int)items[k]]);
                string separator = k + 1 < items.Count ? ", " : "";
                if (k > 0 && column + item.Length + separator.Length > LineWidth)
                {
                    text.Append('\n').Append(' ', indent);
                    column = indent;
                }
                text.Append(item).Append(separator);
                column += item.Length + separator.Length;
            }
        }
        else
        {
            for (int k = 0; k < items.Count; k++)
            {
                if (k > 0) text.Append(',').Append('\n', shape.Count - dim - 1).Append(' ', indent);
                if (items[k] < 0) text.Append("...");
                else Append(text, values.Slice((int)items[k] * stride, stride), shape, dim + 1, indent + 1, format, summarize);
            }
        }
        text.Append(']');
    }

    /// <summary>The indices shown along a dimension; -1 stands for the elided middle.</summary>
    private static List<long> Indices(long count, bool summarize)
    {
        if (!summarize || count <= 2 * EdgeItems) return [.. Enumerable.Range(0, (int)count).Select(i => (long)i)];
        return [0, 1, 2, -1, count - 3, count - 2, count - 1];
    }

    /// <summary>The values PyTorch looks at to choose a format when it shortens: the edges of every dimension.</summary>
    private static double[] Shown(double[] values, IReadOnlyList<long> shape)
    {
        var shown = new List<double>();
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

    private static Func<double, string> FormatterFor(IReadOnlyCollection<double> values, bool isFloat)
    {
        var c = CultureInfo.InvariantCulture;
        if (!isFloat) return v => ((long)v).ToString(c);
        var finite = values.Where(double.IsFinite).ToList();
        var nonzero = finite.Where(v => v != 0).Select(Math.Abs).ToList();
        bool integral = finite.All(v => v == Math.Ceiling(v));
        double max = nonzero.Count > 0 ? nonzero.Max() : 0, min = nonzero.Count > 0 ? nonzero.Min() : 0;
        string Special(double v) => double.IsNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
        if (integral && max <= 1e8)
            return v => double.IsFinite(v) ? v.ToString("0", c) + "." : Special(v);
        bool scientific = nonzero.Count > 0 && (max / min > 1000 || max > 1e8 || min < 1e-4);
        return scientific
            ? v => double.IsFinite(v) ? v.ToString("0.0000e+00", c) : Special(v)
            : v => double.IsFinite(v) ? v.ToString("0.0000", c) : Special(v);
    }

    /// <summary>One number in the same style, for summaries.</summary>
    public static string Number(double value) => FormatterFor([value], isFloat: true)(value);
}
