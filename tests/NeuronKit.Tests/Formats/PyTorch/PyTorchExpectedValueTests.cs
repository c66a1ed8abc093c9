using NeuronKit.Formats;

namespace NeuronKit.Tests.Formats.PyTorch;

public class PyTorchExpectedValueTests
{
    [Fact]
    public void Every_slice_in_expected_json_reads_the_values_PyTorch_gave()
    {
        // Given every part PyTorch indexed for the oracle, when the same index is applied to NeuronKit's view,
        // then shape, dtype and values agree bit for bit (NaN included)
        var open = new Dictionary<string, Checkpoint>();
        int checkedParts = 0;
        try
        {
            foreach (var part in ExpectedJson.Parts())
            {
                if (!open.TryGetValue(part.File, out var checkpoint))
                    open[part.File] = checkpoint = CheckpointFormats.Open(Fixtures.PyTorch(part.File));
                var tensor = checkpoint.Find(part.Tensor) ?? throw new Xunit.Sdk.XunitException($"{part.File} has no tensor {part.Tensor}");
                var view = ExpectedJson.Index(tensor.View(), part.Index);

                Assert.Equal(part.Shape, view.Shape);
                Assert.Equal(part.DType, tensor.StoredAs ?? NeuronKit.Tensors.DTypes.Name(view.DType));
                // A complex part's values are [re, im] pairs, flattened in turn.
                Assert.Equal(part.Values, NeuronKit.Tensors.DTypes.IsComplex(view.DType)
                    ? [.. view.ToComplex().SelectMany(z => new[] { z.Real, z.Imaginary })]
                    : view.ToDoubles());
                checkedParts++;
            }
        }
        finally
        {
            foreach (var checkpoint in open.Values) checkpoint.Dispose();
        }
        Assert.True(checkedParts > 400, $"only {checkedParts} parts checked");
    }
}
