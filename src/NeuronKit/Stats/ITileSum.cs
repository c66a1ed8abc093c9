namespace NeuronKit.Stats;

/// <summary>A neuron's running sums over some of its weights, into which the sums of the weights after them merge.</summary>
internal interface ITileSum<T> where T : struct, ITileSum<T>
{
    /// <summary>Adds <paramref name="other"/>'s sums, of the weights that follow this one's, to this one's.</summary>
    void Merge(in T other);
}
