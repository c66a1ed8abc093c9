using NeuronKit.Views.Pictures;

namespace NeuronKit.Tests.Views.Pictures;

/// <summary>The colour map is centred on 0, symmetric, and can be read back to the value within its resolution.</summary>
public class DivergingColorMapTests
{
    [Fact]
    public void Zero_is_the_centre_colour_and_the_limits_are_the_end_colours()
    {
        var map = new DivergingColorMap(0.5);

        Assert.Equal(DivergingColorMap.Centre, map.ColorOf(0));
        Assert.Equal(DivergingColorMap.Positive, map.ColorOf(0.5));
        Assert.Equal(DivergingColorMap.Negative, map.ColorOf(-0.5));
        Assert.Equal(DivergingColorMap.Positive, map.ColorOf(double.PositiveInfinity));
        Assert.Equal(DivergingColorMap.NotANumber, map.ColorOf(double.NaN));
    }

    [Fact]
    public void Every_value_in_range_reads_back_within_the_resolution()
    {
        var map = new DivergingColorMap(3.7);

        for (double v = -3.7; v <= 3.7; v += 0.01)
            Assert.InRange(map.ValueOf(map.ColorOf(v)), v - map.Resolution, v + map.Resolution);
    }

    [Fact]
    public void The_range_is_symmetric_about_zero_from_the_largest_magnitude()
    {
        var map = DivergingColorMap.For([0.1, -0.8, 0.3, double.NaN, double.NegativeInfinity]);

        Assert.Equal(0.8, map.Limit);
        Assert.Equal(1, new DivergingColorMap(0).Limit);
    }
}
