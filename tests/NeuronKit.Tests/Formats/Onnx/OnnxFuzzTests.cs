using NeuronKit.Neurons;

namespace NeuronKit.Tests.Formats.Onnx;

public class OnnxFuzzTests
{
    [Theory]
    [InlineData("kinds.onnx")]
    [InlineData("rnns.onnx")]
    [InlineData("typed.onnx")]
    [InlineData("subgraph.onnx")]
    public void Flipped_and_cut_bytes_open_or_fail_with_a_CheckpointException_only(string fixture)
    {
        // Given a valid model with a few bytes changed or its tail cut (seeded, so failures repeat)
        var original = File.ReadAllBytes(Fixtures.Path(Path.Combine("onnx", fixture)));
        var random = new Random(fixture.Length);
        using var file = new TempFile(fixture, original);
        for (int round = 0; round < 150; round++)
        {
            var bytes = (byte[])original.Clone();
            for (int flips = random.Next(1, 4); flips > 0; flips--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            if (round % 5 == 0) bytes = bytes[..random.Next(1, bytes.Length)];
            File.WriteAllBytes(file.Path, bytes);

            // When it is opened and every neuron 0 read, then nothing but NeuronKit's own errors escapes
            try
            {
                using var model = Model.Open(file.Path);
                foreach (var layer in model.Layers.Where(l => l.NeuronCount > 0))
                    foreach (var part in layer.Neuron(0).Parts) part.ToDoubles();
            }
            catch (NeuronKitException)
            {
            }
        }
    }
}
