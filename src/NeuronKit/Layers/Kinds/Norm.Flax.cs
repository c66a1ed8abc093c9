namespace NeuronKit.Layers.Kinds;

/// <summary>
/// Flax's normalization layers, whose per-channel tensors are PyTorch's under other names: scale the weight, bias the
/// bias, and a BatchNorm's mean and var (its batch_stats collection) the running statistics (flax/linen/normalization.py:
/// BatchNorm, LayerNorm, GroupNorm, RMSNorm). Read as the norms they are by those names when a scale and a bias are among
/// them; a lone scale (an RMSNorm's) only when its module's name says norm (RMSNorm_0, final_norm): elsewhere the name
/// is too common to be taken for a norm's, and reads as rows.
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
