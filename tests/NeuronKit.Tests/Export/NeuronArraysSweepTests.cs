using NeuronKit.Export;
using NeuronKit.Formats.NumPy;
using NeuronKit.Neurons;
using NeuronKit.Tensors;
using NeuronKit.Tests.Edits;

namespace NeuronKit.Tests.Export;

/// <summary>
/// The first and last neuron of every layer of every committed model, saved as an .npz and read back: every array holds
/// exactly the values show reads, under a key of its own, in the part's dtype where NumPy has it.
/// </summary>
public class NeuronArraysSweepTests
{
    private static readonly string[] Extensions = [".pt", ".pth", ".bin", ".safetensors", ".onnx", ".gguf", ".dat", ".npy", ".npz"];

    [Fact]
    public void Every_fixture_neuron_saves_as_the_values_show_reads()
    {
        // Given every model file among the fixtures (hostile and damaged ones aside: they do not open)
        var files = Directory.EnumerateFiles(Fixtures.Path(""), "*", SearchOption.AllDirectories)
            .Where(f => Extensions.Contains(Path.GetExtension(f)) && !f.Contains("malicious") && !f.Contains("fuzz-regressions"))
            .Order(StringComparer.Ordinal).ToList();
        using var folder = new TempFolder();
        int neurons = 0;
        var converted = new HashSet<string>(StringComparer.Ordinal);
        foreach (string file in files)
        {
            Model model;
            try
            {
                model = Model.Open(file);
            }
            catch (NeuronKitException)
            {
                continue;
            }
            using (model)
            {
                foreach (var layer in model.Layers.Where(l => l.NeuronCount > 0))
                {
                    foreach (long j in new[] { 0, layer.NeuronCount - 1 }.Distinct())
                    {
                        Neuron neuron;
                        try
                        {
                            neuron = model.WithOutgoing(layer.Neuron(j), []);
                        }
                        catch (NeuronKitException)
                        {
                            neuron = layer.Neuron(j);
                        }
                        var parts = neuron.Parts.Where(p => !p.DType.IsComplex() || NpyDTypes.Holds(p.DType)).ToList();
                        if (parts.Count == 0) continue;

                        // When its parts are saved and the archive read back
                        string path = Path.Combine(folder.Path, $"n{neurons}.npz");
                        var arrays = NeuronArrays.Of(parts);
                        NeuronArrays.Save(arrays, path);
                        using var saved = Model.Open(path);

                        // Then each is there under its own key, with the part's shape, dtype and values
                        string where = $"{Path.GetRelativePath(Fixtures.Root, file)} {layer.Name} {j}";
                        Assert.Equal(parts.Count, arrays.Select(a => a.Name).Distinct().Count());
                        Assert.Equal(arrays.Select(a => a.Name), saved.Checkpoint.Tensors.Select(t => t.Name));
                        foreach (var (array, tensor) in arrays.Zip(saved.Checkpoint.Tensors))
                        {
                            var part = array.Part;
                            Assert.True(part.Shape.SequenceEqual(tensor.Shape), where);
                            // NumPy's own dtypes as they are (a decoded quantized part's float32 or float64), the rest as float32.
                            Assert.Equal(NpyDTypes.Holds(part.DType) ? part.DType : DType.Float32, tensor.DType);
                            if (part.StoredAs is not null || !NpyDTypes.Holds(part.DType)) converted.Add($"{part.StoredAs ?? part.DType.Name()} → {tensor.DType.Name()}");
                            if (part.DType.IsComplex()) Assert.Equal(part.ToComplex(), tensor.View().ToComplex());
                            else Assert.True(part.ToDoubles().SequenceEqual(tensor.View().ToDoubles()), $"{where} {array.Name}");
                        }
                        neurons++;
                    }
                }
            }
        }
        Assert.True(neurons > 1000, $"{neurons} neurons");
        Assert.Contains("bfloat16 → float32", converted);
        Assert.Contains("q4_k → float32", converted);
        Assert.Contains("gptq int4 → float32", converted);
    }
}
