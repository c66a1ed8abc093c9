namespace NeuronKit.Layers.Kinds;

/// <summary>
/// Keras' normalization layers, whose per-channel tensors are PyTorch's under other names: gamma the weight, beta the
/// bias, moving_mean and moving_variance the running statistics (keras/src/layers/normalization/batch_normalization.py,
/// layer_normalization.py, group_normalization.py). They are read as the norms they are, by those names or by class.
/// </summary>
internal sealed partial class Norm
{
    private static readonly Dictionary<string, string> KerasRoles = new(StringComparer.Ordinal)
    {
        ["gamma"] = "weight",
        ["beta"] = "bias",
        ["moving_mean"] = "running_mean",
        ["moving_variance"] = "running_var",
    };

    // Keras' classes and the norm each is.
    private static readonly Dictionary<string, string> KerasClasses = new(StringComparer.Ordinal)
    {
        ["keras.BatchNormalization"] = "BatchNorm",
        ["keras.LayerNormalization"] = "LayerNorm",
        ["keras.GroupNormalization"] = "GroupNorm",
    };

    private const string KerasNote = "Keras' gamma, beta, moving_mean and moving_variance are a norm's weight, bias and running statistics";

    // The candidate with Keras' or Flax's names read as PyTorch's, when all of its tensors have one framework's (Flax's a
    // scale and a bias at least: a lone scale is too common a name elsewhere), and the note that says so; else null.
    private static (LayerCandidate Candidate, string Note)? Renamed(LayerCandidate candidate)
    {
        // A lone Flax scale is a norm's only where the module's name says norm (RMSNorm_0, final_norm): the name alone is too common.
        string[] flaxRequired = candidate.ModuleName.Contains("norm", StringComparison.OrdinalIgnoreCase) ? ["scale"] : ["scale", "bias"];
        foreach (var (roles, note, required) in (ReadOnlySpan<(Dictionary<string, string>, string, string[])>)[(KerasRoles, KerasNote, []), (FlaxRoles, FlaxNote, flaxRequired)])
            if (candidate.Tensors.Count > 0 && candidate.Tensors.All(t => roles.ContainsKey(t.Role)) && required.All(r => candidate.Find(r) is not null))
                return (new LayerCandidate(candidate.Module, [.. candidate.Tensors.Select(t => new LayerTensor(roles[t.Role], t.Tensor))], candidate.ModuleClass), note);
        return null;
    }
}
