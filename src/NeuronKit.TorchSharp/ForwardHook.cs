using static TorchSharp.torch;

namespace NeuronKit.TorchSharp;

/// <summary>
/// A forward hook on one module that hands its output tensor (a recurrent module's output sequence) to a callback each time
/// the module runs through <c>call()</c>; disposing removes it. TorchSharp runs hooks from <c>call()</c> only, never from
/// <c>forward()</c>.
/// </summary>
internal sealed class ForwardHook : IDisposable
{
    private readonly Action _remove;

    private ForwardHook(Action remove) => _remove = remove;

    /// <summary>Hooks <paramref name="module"/> (at <paramref name="path"/>, for messages); throws when its output is not a tensor TorchSharp hands hooks.</summary>
    public static ForwardHook On(nn.Module module, string path, Action<Tensor> onOutput) => module switch
    {
        // A hook that returns null leaves the output as it is; a tuple-returning hook gives the same tuple back.
        nn.Module<Tensor, Tensor> m => new(m.register_forward_hook((_, _, y) => { onOutput(y); return null!; }).remove),
        nn.Module<Tensor, (Tensor, Tensor)?, (Tensor, Tensor, Tensor)> lstm =>
            new(lstm.register_forward_hook((_, _, _, y) => { onOutput(y.Item1); return y; }).remove),
        nn.Module<Tensor, Tensor, (Tensor, Tensor)> gruOrRnn =>
            new(gruOrRnn.register_forward_hook((_, _, _, y) => { onOutput(y.Item1); return y; }).remove),
        _ => throw new RequestException($"module '{path}' ({module.GetType().Name}) does not return a tensor, so NeuronKit cannot read its output",
            ["activations are read from modules that take and return a tensor (Linear, Conv*, activation functions) and from LSTM, GRU and RNN"]),
    };

    /// <summary>Removes the hook.</summary>
    public void Dispose() => _remove();
}
