using System.Buffers;

namespace NeuronKit.Activations;

/// <summary>
/// A layer's output for one run, row-major, and how to cut one neuron's values out of it. The values live in an array
/// rented from the shared pool until disposed: a folder of inputs reuses one buffer instead of leaving a large-object
/// heap of outputs (3 MiB each for ResNet18's first conv) to the garbage collector.
/// </summary>
internal sealed class OutputTensor(float[] values, long[] shape, NeuronAxis axis) : IDisposable
{
    /// <summary>A copy of <paramref name="source"/> in a rented array.</summary>
    public static OutputTensor Copy(ReadOnlySpan<float> source, long[] shape, NeuronAxis axis)
    {
        var values = ArrayPool<float>.Shared.Rent(source.Length);
        source.CopyTo(values);
        return new OutputTensor(values, shape, axis);
    }

    /// <inheritdoc/>
    public void Dispose() => ArrayPool<float>.Shared.Return(values);

    /// <summary>The output's shape.</summary>
    public IReadOnlyList<long> Shape => shape;

    /// <summary>The batch items the output holds: axis 0, or axis 2 of a recurrent node's Y.</summary>
    public long BatchCount => shape.Length == 0 ? 1 : axis == NeuronAxis.Recurrent ? shape[2] : shape.Length == 1 ? 1 : shape[0];

    /// <summary>The neurons the output holds; those of one direction when <paramref name="direction"/> names it.</summary>
    public long NeuronCount(int? direction) => shape.Length == 0 ? 1
        : axis != NeuronAxis.Recurrent ? shape[Along]
        : direction is null ? shape[1] * shape[3] : shape[3];

    /// <summary>
    /// Neuron <paramref name="neuron"/>'s values for batch item <paramref name="item"/>, and their shape; of direction
    /// <paramref name="direction"/>'s neurons, when it names one.
    /// </summary>
    public (long[] Shape, double[] Values) Neuron(long item, long neuron, int? direction)
    {
        if (direction is { } which) neuron += which * shape[3];
        if (axis == NeuronAxis.Recurrent)
        {
            // Y [T, directions, N, H]: step t of neuron d·H + h is at ((t·D + d)·N + item)·H + h.
            long directions = shape[1], batch = shape[2], hidden = shape[3];
            long d = neuron / hidden, h = neuron % hidden;
            var steps = new double[shape[0]];
            for (long t = 0; t < shape[0]; t++) steps[t] = values[((t * directions + d) * batch + item) * hidden + h];
            return ([shape[0]], steps);
        }
        if (shape.Length <= 1) return ([], [values[neuron]]);
        // [N, outer…, neurons, inner…]: for each outer position, the neuron's block of inner values (a Conv's whole map at
        // axis 1, every F-th value on the last axis).
        int along = Along;
        long[] outerShape = shape[1..along], innerShape = shape[(along + 1)..];
        long outer = outerShape.Aggregate(1L, (n, d) => n * d), count = shape[along], inner = innerShape.Aggregate(1L, (n, d) => n * d);
        var result = new double[outer * inner];
        long start = (item * outer * count + neuron) * inner;
        for (long o = 0; o < outer; o++)
            for (long i = 0; i < inner; i++) result[o * inner + i] = values[start + o * count * inner + i];
        return ([.. outerShape, .. innerShape], result);
    }

    // The axis that holds the neurons, from the front. A vector is one item's neurons; otherwise axis 0 is the batch, and a
    // layer normalized over it (LayerNormalization with axis 0) has no neurons of one item to read.
    private int Along
    {
        get
        {
            if (shape.Length == 1) return 0;
            int index = axis.Index!.Value, along = index < 0 ? shape.Length + index : index;
            return along >= 1 && along < shape.Length ? along
                : throw new RequestException($"the layer's neurons are on axis {index} of its output [{string.Join(", ", shape)}], " +
                    "which is not an axis after the batch's; neuron act reads one batch item's neurons");
        }
    }
}
