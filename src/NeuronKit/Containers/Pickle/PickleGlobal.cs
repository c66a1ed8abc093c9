namespace NeuronKit.Containers.Pickle;

/// <summary>A global named by the pickle (module and name exactly as written), and what it may do.</summary>
public sealed class PickleGlobal(string module, string name, PickleGlobalRole role)
{
    /// <summary>The module as written in the file (<c>__builtin__</c>, <c>torch._utils</c>).</summary>
    public string Module { get; } = module;

    /// <summary>The name inside the module.</summary>
    public string Name { get; } = name;

    /// <summary>What the allowlist lets it do.</summary>
    public PickleGlobalRole Role { get; } = role;

    /// <summary><c>module.name</c> as written in the file.</summary>
    public string FullName => $"{Module}.{Name}";

    /// <inheritdoc/>
    public override string ToString() => FullName;
}
