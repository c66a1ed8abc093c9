namespace NeuronKit.TorchSharp;

/// <summary>One part a live edit changed, with its values (row-major) before and after, as the module now holds them.</summary>
/// <param name="Part">The part, a view of the module's own tensor.</param>
/// <param name="Before">Its values before the edit.</param>
/// <param name="After">Its values after, rounded to the tensor's dtype.</param>
public sealed record LiveChange(LivePart Part, double[] Before, double[] After);
