using TorchSharp.Modules;

namespace NeuronKit.TorchSharp;

/// <summary>
/// The TorchSharp module types whose neurons NeuronKit knows. Each type's name is PyTorch's class name, which picks the
/// layer kind exactly, as a pickled module's class does for a file. Modules of other types that hold tensors are read by
/// their tensors' names and shapes, as a file's are; modules without tensors (ReLU, Dropout, containers) have no neurons.
/// </summary>
public static class SupportedModules
{
    /// <summary>Every supported type, grouped as NeuronKit's layer kinds are.</summary>
    public static IReadOnlyList<Type> Types { get; } =
    [
        typeof(Linear),
        typeof(Conv1d), typeof(Conv2d), typeof(Conv3d),
        typeof(ConvTranspose1d), typeof(ConvTranspose2d), typeof(ConvTranspose3d),
        typeof(RNN), typeof(LSTM), typeof(GRU), typeof(RNNCell), typeof(LSTMCell), typeof(GRUCell),
        typeof(BatchNorm1d), typeof(BatchNorm2d), typeof(BatchNorm3d),
        typeof(InstanceNorm1d), typeof(InstanceNorm2d), typeof(InstanceNorm3d),
        typeof(LayerNorm), typeof(GroupNorm),
        typeof(Embedding), typeof(EmbeddingBag),
        typeof(MultiheadAttention),
        typeof(PReLU), typeof(Bilinear),
    ];

    /// <summary>The supported types' names, for messages: <c>Linear, Conv1d, …</c>.</summary>
    public static string Names => string.Join(", ", Types.Select(t => t.Name));
}
