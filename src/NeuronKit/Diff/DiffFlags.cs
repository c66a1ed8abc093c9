namespace NeuronKit.Diff;

/// <summary>What changed about a neuron between two files, beyond its numbers.</summary>
[Flags]
public enum DiffFlags
{
    /// <summary>Nothing notable.</summary>
    None = 0,

    /// <summary>Its incoming weights are all zero in B and were not in A (dead as <c>neuron stats</c> says).</summary>
    BecameDead = 1,

    /// <summary>Its incoming weights were all zero in A and are not in B.</summary>
    Revived = 2,

    /// <summary>Its bias has strictly opposite signs in A and B (a zero bias has no sign).</summary>
    BiasSignChanged = 4,
}
