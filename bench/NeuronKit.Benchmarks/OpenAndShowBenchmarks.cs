using BenchmarkDotNet.Attributes;

namespace NeuronKit.Benchmarks;

/// <summary>
/// Opening a checkpoint and reading one neuron, warm (the file in the page cache): what <c>neuron show</c> costs
/// inside the process. The file is NEURONKIT_BENCH_FILE, else bench/data/full/big.pt written by bench/run.sh.
/// </summary>
[MemoryDiagnoser]
public class OpenAndShowBenchmarks
{
    private string _path = "";
    private string _layer = "";

    [GlobalSetup]
    public void Setup()
    {
        _path = Environment.GetEnvironmentVariable("NEURONKIT_BENCH_FILE") ?? Path.Combine(BenchData.Root, "full", "big.pt");
        if (!File.Exists(_path))
            throw new FileNotFoundException($"{_path} is missing: run bench/run.sh once (it writes the checkpoints) or set NEURONKIT_BENCH_FILE");
        using var model = Model.Open(_path);
        _layer = model.Layers[^1].Name;
    }

    [Benchmark]
    public double OpenAndLastNeuron()
    {
        using var model = Model.Open(_path);
        return model.Neuron(_layer, -1).Parts[0].ToDoubles()[^1];
    }
}
