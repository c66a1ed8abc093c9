using NeuronKit.Stats;
using NeuronKit.Tests.Layers;

namespace NeuronKit.Tests.Stats;

/// <summary>Neurons that are columns (GPT-2's Conv1D, stored [in, out]) measured tile by tile give each column's numbers.</summary>
public class ColumnScanTests
{
    [Theory]
    [InlineData(3, 5)]          // one tile
    [InlineData(10_000, 40)]    // 4,096 rows a tile: three tiles, the last one short
    public void Each_column_is_measured_whole_across_its_tiles(int rows, int columns)
    {
        // Given a Conv1D weight [rows, columns] holding 0, 1, 2, … row by row, so column j is j, columns + j, …
        using var model = new CheckpointBuilder().Tensor("h.0.mlp.c_fc.weight", rows, columns).Tensor("h.0.mlp.c_fc.bias", columns).Model();
        var layer = model.Layer("h.0.mlp.c_fc");
        Assert.NotNull(ColumnScan.TryMeasure(LayerPlan.TryCreate(layer)!, layer.NeuronCount, new ParallelOptions { MaxDegreeOfParallelism = 1 }));

        // When its neurons are measured on one thread and on four
        var one = LayerStats.Compute(layer, new StatsOptions { Parallelism = 1 });
        var four = LayerStats.Compute(layer, new StatsOptions { Parallelism = 4 });

        // Then the numbers are the same either way, and those of each column in double arithmetic (to float32 sums'
        // rounding: these weights are large and all positive, the worst case for it)
        Assert.Equal(one.Neurons, four.Neurons);
        for (int j = 0; j < columns; j++)
        {
            double[] column = [.. Enumerable.Range(0, rows).Select(r => (double)(r * columns + j))];
            double mean = column.Average();
            var n = four.Neurons[j];
            Assert.Equal(rows, n.Weights);
            Assert.Equal(column[0], n.Min);
            Assert.Equal(column[^1], n.Max);
            Assert.Equal(j == 0 ? 1 : 0, n.Zeros);
            Assert.Equal(mean, n.Mean, mean * 1e-5);
            Assert.Equal(column.Sum(), n.L1, column.Sum() * 1e-5);
            double l2 = Math.Sqrt(column.Sum(v => v * v)), std = Math.Sqrt(column.Sum(v => (v - mean) * (v - mean)) / rows);
            Assert.Equal(l2, n.L2, l2 * 1e-5);
            Assert.Equal(std, n.Std, std * 1e-5);
            Assert.Equal(j, n.Bias);
        }
        Assert.Equal((long)rows * columns * 4 + columns * 4, four.BytesRead);
    }

    [Fact]
    public void Rows_are_measured_as_rows()
    {
        using var model = new CheckpointBuilder().Tensor("fc.weight", 6, 4).Tensor("fc.bias", 6).Model();
        var layer = model.Layer("fc");

        Assert.Null(ColumnScan.TryMeasure(LayerPlan.TryCreate(layer)!, layer.NeuronCount, new ParallelOptions { MaxDegreeOfParallelism = 1 }));
    }
}
