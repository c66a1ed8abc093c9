namespace NeuronKit.TorchSharp.Tests;

/// <summary>A test that needs TorchSharp's native library: skipped, with the reason shown, where it cannot load.</summary>
public sealed class TorchFactAttribute : FactAttribute
{
    /// <summary>Marks the test skipped when TorchSharp is unavailable.</summary>
    public TorchFactAttribute()
    {
        if (TorchRuntime.Unavailable is { } reason) Skip = reason;
    }
}
