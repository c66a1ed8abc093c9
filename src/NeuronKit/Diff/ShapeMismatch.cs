namespace NeuronKit.Diff;

/// <summary>A layer present in both files whose tensors differ in shape (a pruned copy against its original), with the first such tensor's shapes.</summary>
/// <param name="Name">The layer's name in A.</param>
/// <param name="Role">The tensor's role in the layer (<c>weight</c>).</param>
/// <param name="AShape">The tensor's shape in A.</param>
/// <param name="BShape">Its shape in B.</param>
public sealed record ShapeMismatch(string Name, string Role, IReadOnlyList<long> AShape, IReadOnlyList<long> BShape)
{
    /// <summary>A shape as the messages write it: <c>[8, 12]</c>.</summary>
    public static string Text(IReadOnlyList<long> shape) => $"[{string.Join(", ", shape)}]";
}
