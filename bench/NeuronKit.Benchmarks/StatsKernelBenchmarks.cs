using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using NeuronKit.Formats;
using NeuronKit.Stats;
using NeuronKit.Tensors;

namespace NeuronKit.Benchmarks;

/// <summary>
/// The stats kernel on one Linear(4096, 4096) row: the fused kernel against one TensorPrimitives call per
/// statistic (the design it replaced), and a whole 64 MiB layer in memory on all cores.
/// </summary>
[MemoryDiagnoser]
public class StatsKernelBenchmarks
{
    private const int Dim = 4096;
    private readonly float[] _row = new float[Dim];
    private readonly float[] _scratch = new float[Dim];
    private Model _model = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var bytes = new byte[Dim * Dim * 4];
        for (int i = 0; i < Dim * Dim; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), (float)(random.NextDouble() - 0.5));
        bytes.AsSpan(0, Dim * 4).CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_row.AsSpan()));
        var storage = new TensorStorage("w", new MemoryBytes(bytes), 0, bytes.Length);
        var weight = TensorInfo.Contiguous("fc.weight", DType.Float32, [Dim, Dim], storage);
        _model = Model.Create(new Checkpoint("bench.pt", "memory", [weight], []));
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark(Baseline = true)]
    public double RowTensorPrimitivesPerStatistic()
    {
        ReadOnlySpan<float> x = _row;
        float sum = TensorPrimitives.Sum(x);
        TensorPrimitives.Subtract(x, sum / x.Length, _scratch);
        return sum + TensorPrimitives.SumOfMagnitudes(x) + TensorPrimitives.SumOfSquares(x) + TensorPrimitives.Min(x)
            + TensorPrimitives.Max(x) + TensorPrimitives.SumOfSquares<float>(_scratch) + x.Count(0f);
    }

    [Benchmark]
    public double RowFusedKernel()
    {
        var moments = Moments.Empty;
        MomentsKernel.Add<float>(_row, ref moments);
        return moments.Sum + moments.SumOfMagnitudes + moments.SumOfSquares + moments.Min + moments.Max + moments.SquaredDeviations + moments.Zeros;
    }

    [Benchmark]
    public long Layer64MiB() => LayerStats.Compute(_model.Layers[0]).Neurons.Count;
}
