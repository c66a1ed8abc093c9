using System.Text.RegularExpressions;
using NeuronKit.Layers.Kinds;

namespace NeuronKit.Layers;

/// <summary>
/// A kind a layer must be read as, from a module class in the file or from the user: <c>--kind ConvTranspose2d</c>,
/// <c>--kind Linear(in,out)</c>, <c>--kind ConvTranspose2d(groups=2)</c>, <c>--layout in,out</c>.
/// </summary>
/// <param name="Kind">The kind that reads it.</param>
/// <param name="Name">The PyTorch class name, spelled as PyTorch spells it (<c>ConvTranspose2d</c>).</param>
/// <param name="Layout">For Linear, <see cref="Linear.OutIn"/> or <see cref="Linear.InOut"/>; null to take the kind's own.</param>
/// <param name="Groups">For ConvTranspose, the groups; null to take them from the bias.</param>
/// <param name="Evidence">The sentence the layer's evidence starts with (<c>module class torch.nn.modules.rnn.GRU</c>).</param>
internal sealed partial record KindRequest(ILayerKind Kind, string Name, string? Layout, long? Groups, string Evidence)
{
    /// <summary>
    /// The request a module class makes (<c>torch.nn.modules.conv.Conv2d</c> → Conv2d, and a fused one as the class it fuses:
    /// <c>ConvReLU2d</c> → Conv2d), or null when no kind reads that class.
    /// </summary>
    public static KindRequest? FromModuleClass(string moduleClass)
    {
        string name = moduleClass[(moduleClass.LastIndexOf('.') + 1)..];
        // Keras' classes share names with PyTorch's (its Conv1D is a convolution, transformers' a Linear): kinds read them as keras.NAME.
        if (moduleClass.StartsWith(KerasPrefix, StringComparison.Ordinal)) name = KerasPrefix + name;
        string? fused = NameConventions.FusedModules.GetValueOrDefault(name);
        return LayerKinds.Find(fused ?? name) is { } found && found.Name == (fused ?? name)
            ? new KindRequest(found.Kind, found.Name, null, null, name.StartsWith(KerasPrefix, StringComparison.Ordinal) ? $"Keras class {name[KerasPrefix.Length..]}"
                : fused is null ? $"module class {moduleClass}"
                : $"module class {moduleClass}: a {fused} fused with the operation after it, which has no weights")
            : null;
    }

    /// <summary>The namespace Keras' layer classes are named in (<c>keras.layers.Dense</c>), and their kinds' names start with.</summary>
    public const string KerasPrefix = "keras.";

    /// <summary>
    /// Parses <c>--kind</c> (<c>NAME</c> or <c>NAME(ARGS)</c>, ARGS one of <c>in,out</c>, <c>out,in</c>, <c>groups=N</c>; case-insensitive)
    /// and <c>--layout</c> (<c>in,out</c> or <c>out,in</c>, which alone means Linear). Null when both are null.
    /// </summary>
    public static KindRequest? Parse(string? kind, string? layout)
    {
        if (kind is null && layout is null) return null;
        string? layoutOption = layout is null ? null : ParseLayout(layout)
            ?? throw new RequestException($"--layout takes in,out or out,in, not '{layout}'");
        if (kind is null)
            return new KindRequest(LayerKinds.Find("Linear")!.Value.Kind, "Linear", layoutOption, null, $"--layout {layout} (asked for)");

        var match = KindSyntax().Match(kind.Trim());
        if (!match.Success)
            throw new RequestException($"--kind takes a kind name with optional arguments, like Linear(in,out) or ConvTranspose2d(groups=2), not '{kind}'");
        string name = match.Groups["name"].Value;
        var found = LayerKinds.Find(name) ?? throw new RequestException($"unknown kind '{name}'", KindHints(name));
        string? layoutArgument = null;
        long? groups = null;
        if (match.Groups["args"].Success)
        {
            string args = match.Groups["args"].Value;
            if (ParseLayout(args) is { } parsed) layoutArgument = parsed;
            else if (GroupsSyntax().Match(args) is { Success: true } g && long.TryParse(g.Groups[1].Value, out long n) && n > 0) groups = n;
            else throw new RequestException($"--kind {kind}: '{args}' is not in,out, out,in or groups=N with N ≥ 1");
        }
        if (layoutArgument is not null && layoutOption is not null && layoutArgument != layoutOption)
            throw new RequestException($"--kind {kind} and --layout {layout} disagree");
        string? chosenLayout = layoutArgument ?? layoutOption;
        if (chosenLayout is not null && found.Kind is not Linear)
            throw new RequestException($"a layout applies to Linear only; {found.Name} has a single layout");
        if (groups is not null && found.Kind is not ConvTranspose)
            throw new RequestException(found.Kind is Conv
                ? $"groups do not change {found.Name}'s neurons: filter j is weight[j] whatever the groups"
                : $"groups apply to ConvTranspose only, not {found.Name}");
        string asked = layout is null ? $"--kind {kind}" : $"--kind {kind} --layout {layout}";
        return new KindRequest(found.Kind, found.Name, chosenLayout, groups, $"{asked} (asked for)");
    }

    private static string? ParseLayout(string text) =>
        text.Replace(" ", "").Trim('(', ')').ToLowerInvariant() switch
        {
            "in,out" => Linear.InOut,
            "out,in" => Linear.OutIn,
            _ => null,
        };

    private static IReadOnlyList<string> KindHints(string name)
    {
        var close = NameSuggestions.Closest(name, LayerKinds.Names);
        return close.Count > 0
            ? [NameSuggestions.DidYouMean(close)]
            : [$"kinds: {string.Join(", ", LayerKinds.Names)}"];
    }

    [GeneratedRegex(@"^(?<name>[A-Za-z_][A-Za-z0-9_.]*)\s*(\((?<args>[^()]*)\))?$")]
    private static partial Regex KindSyntax();

    [GeneratedRegex(@"^\s*groups\s*=\s*(\d+)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex GroupsSyntax();
}
