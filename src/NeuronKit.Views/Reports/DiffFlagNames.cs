using NeuronKit.Diff;

namespace NeuronKit.Views.Reports;

/// <summary>A neuron's <see cref="DiffFlags"/> as the words <c>neuron diff</c> prints: <c>became_dead</c>, <c>revived</c>, <c>bias_sign_changed</c>.</summary>
public static class DiffFlagNames
{
    private static readonly (DiffFlags Flag, string Name)[] Names =
    [
        (DiffFlags.BecameDead, "became_dead"),
        (DiffFlags.Revived, "revived"),
        (DiffFlags.BiasSignChanged, "bias_sign_changed"),
    ];

    /// <summary>The names of the flags set in <paramref name="flags"/>, in a fixed order.</summary>
    public static IReadOnlyList<string> Of(DiffFlags flags) => [.. Names.Where(n => flags.HasFlag(n.Flag)).Select(n => n.Name)];
}
