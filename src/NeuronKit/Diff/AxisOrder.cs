namespace NeuronKit.Diff;

/// <summary>
/// How B's weight slices are read to run as A's, where one file keeps a convolution's channels last (Keras', Flax's
/// kernel [k…, in, out]: neuron j's slice [k…, in]) and the other first (PyTorch's, ONNX's weight [out, in, k…]: neuron
/// j's slice [in, k…]).
/// </summary>
/// <param name="Axes">The order B's slice dimensions are read in (as <see cref="Tensors.TensorView.Permute"/> takes it).</param>
/// <param name="Name">What it undoes, for output: <c>B's channels-last kernel read as [in, k…]</c>.</param>
public sealed record AxisOrder(int[] Axes, string Name);
