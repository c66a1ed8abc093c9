using System.Text.RegularExpressions;

namespace NeuronKit.Layers;

/// <summary>A name pattern some models use, and the model it comes from (quoted in evidence).</summary>
/// <param name="Pattern">Matched against a module's own name (its last path component).</param>
/// <param name="Source">Whose convention it is, for the evidence sentence (<c>GPT-2's Conv1D</c>).</param>
internal sealed record NameConvention(Regex Pattern, string Source)
{
    /// <summary>A convention with a whole-name, case-sensitive pattern.</summary>
    public NameConvention(string pattern, string source) : this(new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant), source) { }
}
