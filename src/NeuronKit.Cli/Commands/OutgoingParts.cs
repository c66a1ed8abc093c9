namespace NeuronKit.Cli.Commands;

/// <summary><c>--outgoing</c> and <c>--consumer</c> as show and render take them: the neuron with its outgoing parts added.</summary>
internal static class OutgoingParts
{
    /// <summary>
    /// <paramref name="neuron"/>, with its through and out parts when <paramref name="outgoing"/>, read through the consumers
    /// <paramref name="named"/> when any are; <c>--consumer</c> without <c>--outgoing</c> is a wrong request.
    /// </summary>
    public static Neurons.Neuron Add(Model model, Neurons.Neuron neuron, bool outgoing, IReadOnlyList<string> named)
    {
        if (named.Count > 0 && !outgoing) throw new RequestException("--consumer names the consumers of --outgoing; add --outgoing");
        return outgoing ? model.WithOutgoing(neuron, named) : neuron;
    }

    /// <summary>
    /// The note for stderr when <paramref name="layer"/>'s output is also read where NeuronKit cannot follow it, so the outgoing
    /// parts found are not all there are; null when they are, or when the consumers were <paramref name="named"/>.
    /// </summary>
    public static string? Incomplete(Model model, Layers.Layer layer, bool outgoing, IReadOnlyList<string> named) =>
        outgoing && named.Count == 0 && model.Graph.Unfollowed(layer) is { } lost
            ? $"note: '{Output.PrintableWriter.OneLine(layer.Name)}' is also read where NeuronKit cannot follow its channels " +
              $"({Output.PrintableWriter.OneLine(lost)}); the outgoing weights are those of the consumers it found, not all that read the neuron"
            : null;
}
