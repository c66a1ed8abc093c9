namespace NeuronKit.Tests.Remote;

/// <summary>
/// The tests that read over HTTP run alone: they set NEURONKIT_TOKEN / HF_TOKEN and read the process-wide request counts
/// that <c>--stats-requests</c> prints, which no other test may disturb meanwhile.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RemoteCollection
{
    public const string Name = "Remote";
}
