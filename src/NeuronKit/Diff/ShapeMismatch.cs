namespace NeuronKit.Diff;

/// <summary>
/// A layer present in both files that cannot be compared neuron by neuron: a tensor's shape differs (a pruned copy
/// against its original), one file has a tensor the other has not (a Linear saved without its bias), or the layers
/// differ as a whole, in kind (a Linear against a Conv2d) or in neuron count (<see cref="Neurons"/>).
/// </summary>
/// <param name="Name">The layer's name in A.</param>
/// <param name="Role">
/// The role of the tensor the shapes are of (<c>weight</c>, <c>bias</c>, a recurrent part's <c>weight_ih (new)</c>): the
/// first that differs, or the weight where the layers differ as a whole.
/// </param>
/// <param name="AShape">Its shape in A; null when A has no such tensor.</param>
/// <param name="BShape">Its shape in B; null when B has none.</param>
/// <param name="AKind">The layer's kind in A.</param>
/// <param name="BKind">The layer's kind in B.</param>
public sealed record ShapeMismatch(string Name, string Role, IReadOnlyList<long>? AShape, IReadOnlyList<long>? BShape, string AKind, string BKind)
{
    /// <summary>
    /// The layer's neuron counts in A and B where the layers differ as a whole (in kind or in neuron count), the shapes
    /// then each file's weight's; null where a tensor differs.
    /// </summary>
    public (long A, long B)? Neurons { get; init; }

    /// <summary>
    /// What differs, as a listing heads it: <c>shapes</c>, <c>tensors</c> (one file lacks one), <c>kinds</c>, <c>neuron
    /// counts</c>, or <c>layers</c> (recurrent layers of no units, which have nothing to pair).
    /// </summary>
    public string What => Neurons switch
    {
        null => AShape is null || BShape is null ? "tensors" : "shapes",
        _ when AKind != BKind => "kinds",
        var (a, b) when a != b => "neuron counts",
        _ => "layers",
    };

    /// <summary>
    /// How, as a listing of the layer puts it: <c>weight [8, 12] in A, [7, 12] in B</c>; <c>bias [4] in A, none in B</c>;
    /// <c>Linear of 4 neurons in A, weight [4, 3]; Conv2d of 4 in B, weight [4, 3, 1, 1]</c>.
    /// </summary>
    public string Detail => Neurons is { } n
        ? $"{AKind} of {n.A} neurons in A, {Role} {Text(AShape)}; {BKind} of {n.B} in B, {Role} {Text(BShape)}"
        : $"{Role} {Text(AShape)} in A, {Text(BShape)} in B";

    /// <summary>A shape as the messages write it: <c>[8, 12]</c>; <c>none</c> for a tensor a file does not have.</summary>
    public static string Text(IReadOnlyList<long>? shape) => shape is null ? "none" : $"[{string.Join(", ", shape)}]";
}
