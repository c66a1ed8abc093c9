namespace NeuronKit.Edits;

/// <summary>
/// The values of a tensor read from several stored ones (a pruning mask's original and mask, weight norm's magnitude and
/// direction) that a prune can cut by cutting each stored one: what a cut of the values is of the stored tensors.
/// </summary>
internal interface IPartwiseCut
{
    /// <summary>
    /// The cuts of the stored tensors (<c>cut.Tensor.StoredParts</c>) that leave exactly <paramref name="cut"/>'s kept
    /// values; throws <see cref="RequestException"/> for a cut that would change the values kept.
    /// </summary>
    IReadOnlyList<TensorCut> PartCuts(TensorCut cut);
}
