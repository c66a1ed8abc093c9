using System.Net;

namespace NeuronKit.Web;

/// <summary>Where <see cref="NeuronServer"/> listens.</summary>
/// <param name="Address">The address to bind: the loopback address unless the user says otherwise.</param>
/// <param name="Port">The port; 0 takes a free one.</param>
public sealed record ServeOptions(IPAddress Address, int Port)
{
    /// <summary>127.0.0.1 on a free port.</summary>
    public static ServeOptions Local => new(IPAddress.Loopback, 0);

    /// <summary>The most values one answer carries: a 10,000-value part is fine; a neuron of more is refused (413) with what to ask instead.</summary>
    public long MaxValues { get; init; } = 1_000_000;

    /// <summary>The most neuron rows one stats answer carries; more are asked for a page at a time with top= and sort=.</summary>
    public long MaxRows { get; init; } = 20_000;

    /// <summary>The inputs whose activations a neuron's page shows (<c>--inputs DIR</c>); null for none.</summary>
    public InputGallery? Inputs { get; init; }

    /// <summary>True when only this machine can reach the server.</summary>
    public bool IsLoopback => IPAddress.IsLoopback(Address);
}
