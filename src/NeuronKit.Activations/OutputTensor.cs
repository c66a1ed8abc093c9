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
    public long NeuronCount(int? direction) => shape.Length == 0 ? 1 : axis switch
    {
        NeuronAxis.Recurrent when direction is not null => shape[3],
        NeuronAxis.Channel => shape[1],
        NeuronAxis.Recurrent => shape[1] * shape[3],
        _ => shape[^1],
    };

    /// <summary>
    /// Neuron <paramref name="neuron"/>'s values for batch item <paramref name="item"/>, and their shape; of direction
    /// <paramref name="direction"/>'s neurons, when it names one.
    /// </summary>
    public (long[] Shape, double[] Values) Neuron(long item, long neuron, int? direction)
    {
        if (direction is { } which) neuron += which * shape[3];
        switch (axis)
        {
            case NeuronAxis.Channel:
            {
                // [N, C, spatial…]: one contiguous map per channel.
                long map = shape.Skip(2).Aggregate(1L, (n, d) => n * d);
                return ([.. shape.Skip(2)], Slice((item * shape[1] + neuron) * map, map, 1));
            }
            case NeuronAxis.Recurrent:
            {
                // Y [T, directions, N, H]: step t of neuron d·H + h is at ((t·D + d)·N + item)·H + h.
                long directions = shape[1], batch = shape[2], hidden = shape[3];
                long d = neuron / hidden, h = neuron % hidden;
                var result = new double[shape[0]];
                for (long t = 0; t < shape[0]; t++) result[t] = values[((t * directions + d) * batch + item) * hidden + h];
                return ([shape[0]], result);
            }
            default:
            {
                // [N, positions…, F]: every F-th value from the item's start.
                if (shape.Length <= 1) return ([], [values[neuron]]);
                long features = shape[^1];
                long[] inner = [.. shape.Skip(1).SkipLast(1)];
                long positions = inner.Aggregate(1L, (n, d) => n * d);
                return (inner, Slice(item * positions * features + neuron, positions, features));
            }
        }
    }

    private double[] Slice(long start, long count, long step)
    {
        var result = new double[count];
        for (long i = 0; i < count; i++) result[i] = values[start + i * step];
        return result;
    }
}
