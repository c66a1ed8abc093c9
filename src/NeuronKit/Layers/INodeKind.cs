namespace NeuronKit.Layers;

/// <summary>A layer kind that a graph's node names outright: an ONNX <c>Conv</c> node says which tensor is a convolution weight.</summary>
internal interface INodeKind
{
    /// <summary>The ONNX operators this kind reads (<c>Gemm</c>, <c>MatMul</c>).</summary>
    IReadOnlyList<string> OpTypes { get; }

    /// <summary>
    /// The layers <paramref name="candidate"/>'s node makes, or null when its weights are not constants in the file or their
    /// shapes do not fit the operator (the tensors are then read by names and shapes).
    /// </summary>
    IReadOnlyList<Layer>? FromNode(NodeCandidate candidate);
}
