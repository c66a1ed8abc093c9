namespace NeuronKit.Tensors;

/// <summary>
/// Decoded values whose file keeps each as a code into a table of levels under a scale, <c>codebook[q] · s</c>: ggml's
/// iq4_nl, iq4_xs, mxfp4 and nvfp4 blocks, bitsandbytes' NF4 and FP4, MXFP4 and NVFP4 weights (E2M1 codes). The codes
/// are the stored integers of these layouts; there is no zero point.
/// </summary>
internal interface IStoredCodes
{
    /// <summary>The scheme: <c>per_group_codebook</c>.</summary>
    string Scheme => "per_group_codebook";

    /// <summary>The dimension of the tensor the groups run along (the last).</summary>
    int Axis { get; }

    /// <summary>The level of each code, indexed by the code.</summary>
    IReadOnlyList<double> Codebook { get; }

    /// <summary>The code and the scale of element <paramref name="element"/> of the decoded tensor, row-major.</summary>
    (long Code, double Scale) CodeAt(long element);
}
