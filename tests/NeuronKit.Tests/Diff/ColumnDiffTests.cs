using NeuronKit.Diff;
using NeuronKit.Formats.Gguf;
using NeuronKit.Layers;
using NeuronKit.Neurons;
using NeuronKit.Stats;
using NeuronKit.Tensors;
using NeuronKit.Tests.Layers;

namespace NeuronKit.Tests.Diff;

/// <summary>
/// Layers whose neurons are columns (GPT-2's Conv1D and embeddings, stored [in, out]) are diffed tile by tile
/// (<see cref="ColumnDiff"/>); each neuron must come out as its values gathered one by one and compared in plain double
/// arithmetic say, across tiles, NaNs, all-zero columns and mixed precisions, on one thread or four.
/// </summary>
public class ColumnDiffTests
{
    private const double Tolerance = 1e-9;

    [Theory]
    [InlineData("h.0.mlp.c_fc", 3, 5, DType.Float32, DType.Float32)]         // one tile
    [InlineData("h.0.mlp.c_fc", 4099, 7, DType.Float32, DType.Float32)]      // 4,096 rows a tile: the last tile 3 rows
    [InlineData("h.0.mlp.c_fc", 1001, 333, DType.Float16, DType.Float64)]    // mixed precisions, compared as doubles
    [InlineData("h.0.mlp.c_fc", 517, 259, DType.BFloat16, DType.Float32)]    // half precision widened, compared as floats
    [InlineData("embed_tokens", 2003, 129, DType.Float32, DType.Float32)]    // an embedding's columns, no bias
    public void Each_column_neuron_differs_as_its_values_compared_one_by_one_do(string module, int rows, int columns, DType dtypeA, DType dtypeB)
    {
        // Given the same layer in two files, its neurons columns, with an all-zero column in each file and NaNs in B
        bool bias = module != "embed_tokens";
        using var a = Build(module, rows, columns, dtypeA, seed: 1, bias, zeroColumn: 0, nanColumn: -1);
        using var b = Build(module, rows, columns, dtypeB, seed: 2, bias, zeroColumn: 1, nanColumn: 2);
        var (layerA, layerB) = (a.Layer(module), b.Layer(module));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 1 };
        Assert.NotNull(ColumnDiff.TryCompare(LayerPlan.TryCreate(layerA), LayerPlan.TryCreate(layerB),
            columns, j => j, parallel));

        // When they are compared on one thread and on four
        var one = LayerDiff.Compute(layerA, layerB, new DiffOptions { Parallelism = 1 });
        var four = LayerDiff.Compute(layerA, layerB, new DiffOptions { Parallelism = 4 });

        // Then each neuron is what its values, gathered one by one, give in double arithmetic, either way
        Assert.Equal(columns, four.Neurons.Count);
        for (int j = 0; j < columns; j++)
        {
            var expected = Plain(layerA.Neuron(j), layerB.Neuron(j));
            AssertSame(expected, one.Neurons[j], j);
            AssertSame(expected, four.Neurons[j], j);
        }
        Assert.Equal(DiffFlags.Revived, four.Neurons[0].Flags & ~DiffFlags.BiasSignChanged);
        Assert.Equal(DiffFlags.BecameDead, four.Neurons[1].Flags & ~DiffFlags.BiasSignChanged);
        Assert.True(double.IsNaN(four.Neurons[2].L2Delta) && double.IsNaN(four.Neurons[2].MaxAbs));
        Assert.Equal(one.BytesRead, four.BytesRead);
    }

    [Fact]
    public void A_layer_of_rows_compares_with_the_same_layer_stored_as_columns()
    {
        // Given a Linear's weight [out, in] in A and the same values stored transposed [in, out] as a Conv1D in B
        const int inputs = 1500, outputs = 37;
        var values = Values(inputs * outputs, seed: 3);
        var transposed = new double[values.Length];
        for (int o = 0; o < outputs; o++)
            for (int i = 0; i < inputs; i++) transposed[i * outputs + o] = values[o * inputs + i] + (o == 5 ? 0.25 : 0);
        using var a = new CheckpointBuilder().Values("fc.weight", DType.Float32, [outputs, inputs], values).Model();
        using var b = new CheckpointBuilder().Values("h.0.mlp.c_fc.weight", DType.Float32, [inputs, outputs], transposed).Model();
        var (layerA, layerB) = (a.Layer("fc"), b.Layer("h.0.mlp.c_fc"));
        Assert.NotEqual(layerA.Layout, layerB.Layout);
        Assert.NotNull(ColumnDiff.TryCompare(LayerPlan.TryCreate(layerA), LayerPlan.TryCreate(layerB), outputs, j => j,
            new ParallelOptions { MaxDegreeOfParallelism = 1 }));

        // When they are compared
        var diff = LayerDiff.Compute(layerA, layerB, new DiffOptions { Parallelism = 2 });

        // Then only neuron 5 changed, each by what its values compared one by one say
        for (int j = 0; j < outputs; j++)
        {
            AssertSame(Plain(layerA.Neuron(j), layerB.Neuron(j)), diff.Neurons[j], j);
            // (0.25 to float32's rounding of the sums written)
            Assert.Equal(j == 5 ? 0.25 : 0, diff.Neurons[j].MaxAbs, 1e-6);
        }
    }

    [Fact]
    public void A_Q8_0_embeddings_columns_decode_each_block_of_the_GGUF_once()
    {
        // Given the Hugging Face LLaMA fixture and its Q8_0 GGUF, whose token_embd is decoded a 32-value block at a time
        using var hf = Model.Open(Fixtures.Path("diff/cross/llama/model.safetensors"));
        using var gguf = Model.Open(Fixtures.Path("diff/cross/llama_q8_0.gguf"));
        var embedding = gguf.Checkpoint.Find("token_embd.weight")!;
        var rows = Assert.IsAssignableFrom<DequantizedRows>(embedding.Storage.Source);

        // When the embedding, whose neurons are columns, is compared
        var diff = ModelDiff.Compute(hf, gguf, "model.embed_tokens", new DiffOptions { Parallelism = 2 });

        // Then every block was decoded once, as tiles of whole rows read them (a column gathered value by value would
        // decode a block per value)
        Assert.True(diff.Layers.Single().Neurons.Count > 1);
        Assert.Equal(embedding.Shape.Aggregate(1L, (n, d) => n * d) / 32, rows.BlocksDecoded);
    }

    [Fact]
    public void Rows_against_rows_are_compared_as_rows()
    {
        using var model = new CheckpointBuilder().Tensor("fc.weight", 6, 4).Tensor("fc.bias", 6).Model();
        var plans = LayerPlan.TryCreate(model.Layer("fc"));

        Assert.Null(ColumnDiff.TryCompare(plans, plans, 6, j => j, new ParallelOptions { MaxDegreeOfParallelism = 1 }));
    }

    // A [rows, columns] weight (and a bias of columns) of seeded values; one column all zero, one with NaNs in it.
    private static Model Build(string module, int rows, int columns, DType dtype, int seed, bool bias, int zeroColumn, int nanColumn)
    {
        var values = Values(rows * columns, seed);
        for (int r = 0; r < rows; r++)
        {
            values[r * columns + zeroColumn] = r % 2 == 0 ? 0.0 : -0.0;
            if (nanColumn >= 0 && r % 3 == 1) values[r * columns + nanColumn] = double.NaN;
        }
        var builder = new CheckpointBuilder().Values($"{module}.weight", dtype, [rows, columns], values);
        if (bias) builder.Values($"{module}.bias", dtype, [columns], Values(columns, seed + 10));
        return builder.Model();
    }

    private static double[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => random.NextDouble() * 4 - 2)];
    }

    // The neuron's weights gathered one by one through their views and compared in plain double arithmetic, as numpy would.
    private static NeuronDiff Plain(Neuron a, Neuron b)
    {
        var weightsA = a.Parts.Where(p => p.Role.Use == PartUse.Weight).SelectMany(p => p.View.ToDoubles()).ToArray();
        var weightsB = b.Parts.Where(p => p.Role.Use == PartUse.Weight).SelectMany(p => p.View.ToDoubles()).ToArray();
        double squaresA = 0, squaresB = 0, dot = 0, squaresDelta = 0, maxAbs = 0;
        bool nan = false;
        for (int i = 0; i < weightsA.Length; i++)
        {
            double x = weightsA[i], y = weightsB[i], delta = y - x;
            squaresA += x * x;
            squaresB += y * y;
            dot += x * y;
            squaresDelta += delta * delta;
            nan |= double.IsNaN(delta);
            maxAbs = Math.Max(maxAbs, Math.Abs(delta));
        }
        var biasA = a.Parts.Where(p => p.Role.Use == PartUse.Bias).SelectMany(p => p.View.ToDoubles()).ToArray();
        var biasB = b.Parts.Where(p => p.Role.Use == PartUse.Bias).SelectMany(p => p.View.ToDoubles()).ToArray();
        bool deadA = weightsA.All(x => x == 0), deadB = weightsB.All(y => y == 0);
        var flags = (deadB && !deadA ? DiffFlags.BecameDead : 0) | (deadA && !deadB ? DiffFlags.Revived : 0)
            | (biasA.Length > 0 && biasA.Sum() * biasB.Sum() < 0 ? DiffFlags.BiasSignChanged : 0);
        return new NeuronDiff
        {
            Index = a.Index,
            L2Delta = Math.Sqrt(squaresDelta),
            L2A = Math.Sqrt(squaresA),
            L2B = Math.Sqrt(squaresB),
            Cosine = dot / (Math.Sqrt(squaresA) * Math.Sqrt(squaresB)),
            MaxAbs = nan ? double.NaN : maxAbs,
            BiasDelta = biasA.Length > 0 ? biasB.Sum() - biasA.Sum() : null,
            Flags = flags,
        };
    }

    private static void AssertSame(NeuronDiff expected, NeuronDiff actual, int j)
    {
        Assert.Equal(expected.Index, actual.Index);
        Assert.Equal(expected.Flags, actual.Flags);
        Close(expected.L2Delta, actual.L2Delta, $"neuron {j} l2_delta");
        Close(expected.L2A, actual.L2A, $"neuron {j} l2_a");
        Close(expected.L2B, actual.L2B, $"neuron {j} l2_b");
        Close(expected.Cosine, actual.Cosine, $"neuron {j} cosine");
        Close(expected.MaxAbs, actual.MaxAbs, $"neuron {j} max_abs");
        Assert.Equal(expected.BiasDelta is null, actual.BiasDelta is null);
        if (expected.BiasDelta is { } bias) Close(bias, actual.BiasDelta!.Value, $"neuron {j} bias_delta");
    }

    private static void Close(double expected, double actual, string what)
    {
        if (double.IsNaN(expected))
        {
            Assert.True(double.IsNaN(actual), $"{what}: expected NaN, got {actual}");
            return;
        }
        Assert.True(Math.Abs(expected - actual) <= Tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected}, got {actual}");
    }
}
