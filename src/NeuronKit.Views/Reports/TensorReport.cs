using System.Text.Json.Serialization;
using NeuronKit.Tensors;

namespace NeuronKit.Views.Reports;

/// <summary>One tensor as stored, in <c>tensors --json</c>.</summary>
/// <param name="Name">The tensor's name.</param>
/// <param name="Shape">Its shape.</param>
/// <param name="Dtype">Its dtype as stored.</param>
/// <param name="Bytes">Its size in bytes.</param>
/// <param name="Strides">Its strides, in elements.</param>
/// <param name="StorageOffset">Where it starts in its storage, in elements.</param>
/// <param name="Storage">The storage it is a view of.</param>
/// <param name="StoredIn">
/// For a weight a quantized layout keeps in several of the file's tensors, those tensors (codes first); absent otherwise.
/// </param>
public sealed record TensorReport(string Name, IReadOnlyList<long> Shape, string Dtype, long Bytes, IReadOnlyList<long> Strides, long StorageOffset, string Storage,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<TensorReport>? StoredIn = null)
{
    /// <summary>The report of <paramref name="tensor"/>.</summary>
    public static TensorReport Of(TensorInfo tensor) =>
        new(tensor.Name, tensor.Shape, tensor.StoredAs ?? tensor.DType.Name(), tensor.ByteSize, tensor.Strides, tensor.StorageOffset, tensor.Storage.Key,
            tensor.StoredParts.Count == 0 ? null : [.. tensor.StoredParts.Select(Of)]);
}
