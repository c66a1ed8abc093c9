using System.Globalization;
using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Views.Reports;

/// <summary>A tensor <c>prune</c> cuts: its shape before and after, and the indices removed per dimension.</summary>
/// <param name="Tensor">The tensor's name.</param>
/// <param name="Dtype">Its dtype as stored.</param>
/// <param name="ShapeBefore">Its shape before.</param>
/// <param name="ShapeAfter">Its shape after.</param>
/// <param name="Removed">The indices removed, keyed by dimension ("0", "1"), in dimension order.</param>
public sealed record TensorCutReport(string Tensor, string Dtype, IReadOnlyList<long> ShapeBefore, IReadOnlyList<long> ShapeAfter, IReadOnlyDictionary<string, IReadOnlyList<long>> Removed)
{
    /// <summary>The report of <paramref name="cut"/>.</summary>
    public static TensorCutReport Of(TensorCut cut) => new(
        cut.Tensor.Name,
        cut.Tensor.StoredAs ?? cut.Tensor.DType.Name(),
        cut.Tensor.Shape,
        cut.NewShape,
        cut.Removed.OrderBy(r => r.Key).ToDictionary(r => r.Key.ToString(CultureInfo.InvariantCulture), r => r.Value));
}
