namespace NeuronKit.Layers;

/// <summary>Shapes as evidence and errors print them: <c>[4, 3, 2, 2]</c>.</summary>
internal static class ShapeText
{
    /// <summary>The shape in brackets, dimensions separated by a comma and a space.</summary>
    public static string Text(this IReadOnlyList<long> shape) => $"[{string.Join(", ", shape)}]";
}
