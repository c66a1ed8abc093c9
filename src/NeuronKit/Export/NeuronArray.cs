using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Export;

/// <summary>
/// One part of a neuron as a NumPy array: its <see cref="Name"/> in an .npz, the dtype it is written as, its shape and
/// its elements' bytes (little-endian, C order).
/// </summary>
/// <param name="Name">The key <c>np.load</c> gives it: <see cref="NeuronArrays.NameOf"/>.</param>
/// <param name="Part">The part it holds.</param>
/// <param name="DType">The dtype it is written as: <see cref="NeuronArrays.SavedAs"/> of the part's.</param>
/// <param name="Shape">The part's shape (none, for a bias element: a 0-d array).</param>
/// <param name="Bytes">The elements, row-major, in <paramref name="DType"/>.</param>
public sealed record NeuronArray(string Name, NeuronPart Part, DType DType, IReadOnlyList<long> Shape, byte[] Bytes);
