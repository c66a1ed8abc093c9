using System.Buffers;
using System.Numerics;
using NeuronKit.Layers;

namespace NeuronKit.Stats;

/// <summary>
/// Weights of layers whose neuron j is column j of a row-major tensor (GPT-2's Conv1D, Keras kernels and ONNX MatMul
/// weights, all stored [in, out]), read in tiles of whole rows (<see cref="NeuronTiles"/>) and measured with the same
/// kernel, merging each neuron's tiles in row order, tiles measured on all cores.
/// </summary>
internal static class ColumnScan
{
    /// <summary>
    /// The weights' statistics of each of the <paramref name="count"/> neurons, or null when a weight part is not a
    /// column (<see cref="NeuronTiles.TryColumns"/>).
    /// </summary>
    public static Moments[]? TryMeasure(IReadOnlyList<PartPlan> plans, long count, ParallelOptions parallel)
    {
        var weights = plans.Where(p => p.Use == PartUse.Weight).ToList();
        if (weights.Count == 0 || count < 2) return null;
        var scans = new List<NeuronTiles>(weights.Count);
        foreach (var plan in weights)
        {
            if (NeuronTiles.TryColumns(plan, count) is not { } tiles) return null;
            scans.Add(tiles);
        }
        var moments = new Moments[count];
        Array.Fill(moments, Moments.Empty);
        // Parts in order, as a neuron's parts are measured one after the other.
        foreach (var scan in scans) AddTo(scan, moments, parallel);
        return moments;
    }

    // Merges one part's tiles into the neurons' moments, in row order: a few tiles measured at once, then merged.
    private static void AddTo(NeuronTiles tiles, Moments[] moments, ParallelOptions parallel) =>
        NeuronTiles.InRowOrder(tiles.Rows, tiles.RowsPerTile, moments, parallel, (row, rows, partial) =>
        {
            if (tiles.IsFloat) MeasureTile<float>(tiles, row, rows, partial);
            else MeasureTile<double>(tiles, row, rows, partial);
        });

    // Rows [row, + rows) of every column, each measured alone into moments[j].
    private static void MeasureTile<T>(NeuronTiles tiles, long row, int rows, Moments[] moments) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = (int)tiles.Count;
        var turned = ArrayPool<T>.Shared.Rent(rows * count);
        try
        {
            tiles.Read<T>(row, rows, turned.AsSpan(0, rows * count));
            for (int j = 0; j < count; j++)
            {
                moments[j] = Moments.Empty;
                MomentsKernel.Add<T>(turned.AsSpan(j * rows, rows), ref moments[j]);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(turned);
        }
    }
}
