using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using NeuronKit.Layers;
using NeuronKit.Stats;

namespace NeuronKit.Diff;

/// <summary>
/// The weights of a layer whose neurons are columns in A or B or both (an embedding, GPT-2's Conv1D, an ONNX MatMul
/// weight against a Linear's rows), compared tile by tile (<see cref="NeuronTiles"/>) rather than gathered a weight at
/// a time: the same rows of every neuron read from both files, each neuron's pair of runs through
/// <see cref="DiffKernel"/>, its tiles' sums merged in row order, tiles compared on all cores.
/// </summary>
internal static class ColumnDiff
{
    /// <summary>
    /// The weight sums of each of the <paramref name="count"/> neurons (A's neuron j against B's
    /// <paramref name="bIndex"/>(j)), or null unless every weight part is a column in one file and a column or a row in
    /// the other, with as many weights on both sides, or with <paramref name="keptRows"/> (the leading rows both keep, when a
    /// converter dropped the rest of one file's) on both. <paramref name="plansB"/>[k] is the partner of A's part k.
    /// </summary>
    public static PartDifference[]? TryCompare(IReadOnlyList<PartPlan>? plansA, IReadOnlyList<PartPlan>? plansB,
        long count, Func<long, long> bIndex, ParallelOptions parallel, long? keptRows = null)
    {
        if (plansA is null || plansB is null || count < 2 || count > int.MaxValue) return null;
        var pairs = new List<(NeuronTiles A, NeuronTiles B, long Rows)>();
        for (int k = 0; k < plansA.Count; k++)
        {
            if (plansA[k].Use != PartUse.Weight) continue;
            var (planA, planB) = (plansA[k], plansB[k]);
            var tilesA = NeuronTiles.TryColumns(planA, count);
            var tilesB = NeuronTiles.TryColumns(planB, count);
            // Rows against rows are read faster as they are, a row at a time.
            if (tilesA is null && tilesB is null) return null;
            tilesA ??= NeuronTiles.TryRows(planA, count);
            tilesB ??= NeuronTiles.TryRows(planB, count);
            if (tilesA is null || tilesB is null) return null;
            long rows = keptRows ?? tilesA.Rows;
            if (keptRows is null ? tilesA.Rows != tilesB.Rows : tilesA.Rows < rows || tilesB.Rows < rows) return null;
            pairs.Add((tilesA, tilesB, rows));
        }
        if (pairs.Count == 0) return null;
        // B's neuron for each of A's, when a converter reordered them.
        int[] partnerOf = new int[count];
        for (int j = 0; j < partnerOf.Length; j++) partnerOf[j] = checked((int)bIndex(j));
        var sums = new PartDifference[count];
        Array.Fill(sums, PartDifference.Empty);
        // Parts in order, as a neuron's parts are compared one after the other.
        foreach (var (a, b, rows) in pairs) AddTo(a, b, rows, partnerOf, sums, parallel);
        return sums;
    }

    // Merges one part's first totalRows rows into the neurons' sums, in row order: a few tiles compared at once, then merged.
    private static void AddTo(NeuronTiles a, NeuronTiles b, long totalRows, int[] partnerOf, PartDifference[] sums, ParallelOptions parallel) =>
        NeuronTiles.InRowOrder(totalRows, Math.Min(a.RowsPerTile, b.RowsPerTile), sums, parallel, (row, rows, partial) =>
        {
            // float32 (and half precision widened) side by side where both allow it; anything else as doubles.
            if (a.IsFloat && b.IsFloat) CompareTile<float>(a, b, row, rows, partnerOf, partial);
            else CompareTile<double>(a, b, row, rows, partnerOf, partial);
        });

    // Rows [row, + rows) of every neuron in both files, A's neuron j against B's partnerOf[j], into sums[j] afresh.
    private static void CompareTile<T>(NeuronTiles a, NeuronTiles b, long row, int rows, int[] partnerOf, PartDifference[] sums)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = sums.Length;
        var turnedA = ArrayPool<T>.Shared.Rent(rows * count);
        var turnedB = ArrayPool<T>.Shared.Rent(rows * count);
        try
        {
            a.Read<T>(row, rows, turnedA.AsSpan(0, rows * count));
            b.Read<T>(row, rows, turnedB.AsSpan(0, rows * count));
            for (int j = 0; j < count; j++)
            {
                sums[j] = PartDifference.Empty;
                Span<T> x = turnedA.AsSpan(j * rows, rows), y = turnedB.AsSpan(partnerOf[j] * rows, rows);
                if (typeof(T) == typeof(float))
                    DiffKernel.Add(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(y), ref sums[j]);
                else
                    DiffKernel.Add(MemoryMarshal.Cast<T, double>(x), MemoryMarshal.Cast<T, double>(y), ref sums[j]);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(turnedA);
            ArrayPool<T>.Shared.Return(turnedB);
        }
    }
}
