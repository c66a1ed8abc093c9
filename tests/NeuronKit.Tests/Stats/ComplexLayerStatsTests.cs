using NeuronKit.Stats;

namespace NeuronKit.Tests.Stats;

/// <summary>The library's side of the stats decision: a complex layer is refused alone and skipped in a whole model.</summary>
public class ComplexLayerStatsTests
{
    [Fact]
    public void LayerStats_refuses_a_complex_layer_and_ModelStats_skips_it_with_the_reason()
    {
        // Given a file with a float32 layer and a complex64 one
        using var model = Model.Open(Fixtures.Path("torchsharp/complex64.dat"));
        var z = model.Layer("z");

        // When each is measured
        var refusal = Assert.Throws<RequestException>(() => LayerStats.Compute(z));
        var stats = ModelStats.Compute(model);

        // Then the complex one alone is refused, and the whole model measures the other and lists it as skipped
        Assert.Equal("neuron stats cannot measure layer 'z': z.weight is complex64, and the statistics are of real numbers", refusal.Message);
        Assert.Equal(["fc"], stats.Layers.Select(l => l.Layer.Name));
        var skipped = Assert.Single(stats.Skipped);
        Assert.Equal("z", skipped.Layer.Name);
        Assert.Equal("z.weight is complex64, and the statistics are of real numbers", skipped.Reason);
        Assert.Null(LayerStats.WhyNotMeasurable(model.Layer("fc")));
        Assert.Equal(3 * 2 * 4, stats.BytesRead);
        Assert.Equal(3 * 2 * 4, ModelStats.BytesToRead(model.Layers));
    }
}
