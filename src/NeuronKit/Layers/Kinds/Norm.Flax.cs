namespace NeuronKit.Layers.Kinds;

/// <summary>
/// Flax's normalization layers, whose per-channel tensors are PyTorch's under other names: scale the weight, bias the
/// bias, and a BatchNorm's mean and var (its batch_stats collection) the running statistics (flax/linen/normalization.py:
/// BatchNorm, LayerNorm, GroupNorm, RMSNorm). Read as the norms they are by those names when a scale and a bias are among
/// them: a lone scale (an RMSNorm's) is a name too common elsewhere to be taken for a norm's, and reads as rows.
/// </summary>
internal sealed partial class Norm
{
    private static readonly Dictionary<string, string> FlaxRoles = new(StringComparer.Ordinal)
    {
        ["scale"] = "weight",
        ["bias"] = "bias",
        ["mean"] = "running_mean",
        ["var"] = "running_var",
    };

    private const string FlaxNote = "Flax's scale, bias, mean and var are a norm's weight, bias and running statistics";
}
