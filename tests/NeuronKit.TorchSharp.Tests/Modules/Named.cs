using static TorchSharp.torch;

namespace NeuronKit.TorchSharp.Tests.Modules;

/// <summary>A module whose children are registered under the given names, as a custom module's fields would be.</summary>
internal sealed class Named : nn.Module
{
    public Named(params (string Name, nn.Module Module)[] children) : base(nameof(Named))
    {
        foreach (var (name, module) in children) register_module(name, module);
    }
}
