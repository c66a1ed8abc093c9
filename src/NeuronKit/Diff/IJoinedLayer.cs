using NeuronKit.Layers;

namespace NeuronKit.Diff;

/// <summary>
/// A layer the diff made of several layers of one file, to pair them with the one layer of the other file a converter
/// made them from (<see cref="JoinedRows"/>, <see cref="LatentUpProjection"/>). Never read from a file.
/// </summary>
internal interface IJoinedLayer
{
    /// <summary>The layers joined, in the order <see cref="NeuronOf"/> numbers them.</summary>
    IReadOnlyList<Layer> Joined { get; }

    /// <summary>
    /// The joined layer's neuron that is neuron <paramref name="k"/> of joined layer <paramref name="which"/>; throws
    /// <see cref="RequestException"/> when that neuron is no one neuron of the joined layer.
    /// </summary>
    long NeuronOf(int which, long k);
}
