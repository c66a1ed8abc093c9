using NeuronKit.Tensors;

namespace NeuronKit.Tests;

/// <summary>
/// A <see cref="Model"/> opened once is read by many threads at once (neuron serve answers requests in parallel): every
/// neuron read concurrently, its outgoing parts through the graph built on first use by whichever thread gets there,
/// must equal the same neuron read alone.
/// </summary>
public class ModelThreadSafetyTests
{
    [Theory]
    [InlineData("pytorch/seed_conv.pt")]
    [InlineData("pytorch/rnns.pt")]
    [InlineData("pytorch/quantized_static.pt")]
    [InlineData("graph/cnn.onnx")]
    [InlineData("gguf/tiny_q8_0.gguf")]
    [InlineData("graph/llama_ffn.gguf")]
    [InlineData("numpy/seed_conv_compressed.npz")]
    public void Neurons_read_from_many_threads_equal_the_same_neurons_read_alone(string fixture)
    {
        string path = Fixtures.Path(fixture);
        var expected = new Dictionary<(string, long), string>();
        using (var alone = Model.Open(path))
            foreach (var layer in alone.Layers)
                for (long j = 0; j < layer.NeuronCount; j++)
                    expected[(layer.Name, j)] = Read(alone, layer.Name, j);

        using var shared = Model.Open(path);
        var queries = expected.Keys.SelectMany(k => Enumerable.Repeat(k, 8)).OrderBy(k => (k.GetHashCode() * 31) ^ k.Item2).ToList();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.ForEach(queries, new ParallelOptions { MaxDegreeOfParallelism = 16 }, query =>
        {
            string got = Read(shared, query.Item1, query.Item2);
            if (got != expected[query]) failures.Add($"{query.Item1}[{query.Item2}]");
        });

        Assert.NotEmpty(expected);
        Assert.Empty(failures);
    }

    // Every part of the neuron, its outgoing ones where the graph knows consumers, as text: names, shapes and values.
    private static string Read(Model model, string layer, long index)
    {
        var neuron = model.Layer(layer).Neuron(index);
        if (model.Graph.ConsumersOf(neuron.Layer).Any(e => !e.Feedback)) neuron = model.Graph.WithOutgoing(neuron);
        return string.Join("\n", neuron.Parts.Select(p => $"{p.Tensor}{p.Index} [{string.Join(",", p.Shape)}] " +
            (p.DType.IsComplex() ? string.Join(",", p.ToComplex()) : string.Join(",", p.ToDoubles().Select(v => v.ToString("R"))))));
    }
}
