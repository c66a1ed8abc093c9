namespace NeuronKit.Activations;

/// <summary><see cref="ActivationScore"/> by name, as <c>--by</c>, <c>by=</c> and the JSON's <c>"by"</c> write it.</summary>
public static class ActivationScores
{
    /// <summary>Every name, in the order help lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["max", "mean"];

    /// <summary>The name of <paramref name="score"/>: <c>max</c> or <c>mean</c>.</summary>
    public static string Name(this ActivationScore score) => score == ActivationScore.Mean ? "mean" : "max";

    /// <summary>The score named <paramref name="name"/>, or null when it names none.</summary>
    public static ActivationScore? Parse(string name) => name switch
    {
        "max" => ActivationScore.Max,
        "mean" => ActivationScore.Mean,
        _ => null,
    };
}
