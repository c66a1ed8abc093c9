namespace NeuronKit.TorchSharp.Tests;

/// <summary>A theory that needs TorchSharp's native library: skipped, with the reason shown, where it cannot load.</summary>
public sealed class TorchTheoryAttribute : TheoryAttribute
{
    /// <summary>Marks the theory skipped when TorchSharp is unavailable.</summary>
    public TorchTheoryAttribute()
    {
        if (TorchRuntime.Unavailable is { } reason) Skip = reason;
    }
}
