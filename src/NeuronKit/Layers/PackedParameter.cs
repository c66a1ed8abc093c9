namespace NeuronKit.Layers;

/// <summary>
/// A parameter a module keeps inside a container of its own instead of under its role's name (a quantized Linear's
/// (weight, bias) tuple, whose items the reader names <c>.0</c> and <c>.1</c>), and the kind such a container says the module is.
/// </summary>
/// <param name="Container">The container's path inside the module (<c>_packed_params._packed_params</c>).</param>
/// <param name="Item">The parameter's name inside the container, as the reader names it (<c>0</c>, the tuple's first item).</param>
/// <param name="Role">The role the parameter plays in the module (<c>weight</c>).</param>
/// <param name="Kind">The PyTorch class name of the kind the container says the module is (<c>Linear</c>), or null when the roles
/// say it (a quantized recurrent cell's, whose gate count tells LSTMCell from GRUCell).</param>
/// <param name="Layout">The layout the container says its weight has (<c>(out, in)</c>), or null with <paramref name="Kind"/>.</param>
/// <param name="Source">Whose container it is, for the evidence sentence.</param>
internal sealed record PackedParameter(string Container, string Item, string Role, string? Kind, string? Layout, string Source)
{
    /// <summary>The tensor name's tail after the module path: <c>_packed_params._packed_params.0</c>.</summary>
    public string Tail => $"{Container}.{Item}";

    /// <summary>True when <paramref name="tensorName"/> is this parameter of some module (or of the saved module itself).</summary>
    public bool Names(string tensorName) =>
        tensorName == Tail || tensorName.EndsWith("." + Tail, StringComparison.Ordinal);

    /// <summary>The module path of <paramref name="tensorName"/>, which <see cref="Names"/> accepts: the name minus the tail.</summary>
    public string ModuleOf(string tensorName) => tensorName == Tail ? "" : tensorName[..^(Tail.Length + 1)];
}
