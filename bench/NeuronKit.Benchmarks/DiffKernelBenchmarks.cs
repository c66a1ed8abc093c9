using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using NeuronKit.Diff;

namespace NeuronKit.Benchmarks;

/// <summary>
/// The diff kernel on one pair of Linear(4096, 4096) rows (a row and its fine-tuned copy): the fused pass against the
/// design it replaced, both rows widened to double and six TensorPrimitives passes (one writing the difference).
/// </summary>
public class DiffKernelBenchmarks
{
    private const int Dim = 4096;
    private readonly float[] _a = new float[Dim];
    private readonly float[] _b = new float[Dim];
    private readonly double[] _wideA = new double[Dim];
    private readonly double[] _wideB = new double[Dim];
    private readonly double[] _delta = new double[Dim];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (int i = 0; i < Dim; i++)
        {
            _a[i] = (float)(0.04 * random.NextDouble() - 0.02);
            _b[i] = _a[i] + (float)(0.002 * random.NextDouble() - 0.001);
        }
    }

    [Benchmark(Baseline = true)]
    public double RowWidenedTensorPrimitives()
    {
        TensorPrimitives.ConvertChecked<float, double>(_a, _wideA);
        TensorPrimitives.ConvertChecked<float, double>(_b, _wideB);
        double sum = TensorPrimitives.SumOfSquares<double>(_wideA) + TensorPrimitives.SumOfSquares<double>(_wideB) + TensorPrimitives.Dot<double>(_wideA, _wideB);
        sum += TensorPrimitives.MaxMagnitude<double>(_wideA) + TensorPrimitives.MaxMagnitude<double>(_wideB);
        TensorPrimitives.Subtract<double>(_wideB, _wideA, _delta);
        return sum + TensorPrimitives.SumOfSquares<double>(_delta) + TensorPrimitives.MaxMagnitude<double>(_delta);
    }

    [Benchmark]
    public double RowFusedKernel()
    {
        var sums = PartDifference.Empty;
        DiffKernel.Add(_a, _b, ref sums);
        return sums.SquaresA + sums.SquaresB + sums.Dot + sums.SquaresDelta + sums.MaxAbs;
    }
}
