using System.Text.Json;
using NeuronKit.Tests.Formats.Safetensors;
using NeuronKit.Cli.Output;

namespace NeuronKit.Tests.Cli;

/// <summary>A layer whose tensors have an empty dimension (a Linear with weight [0, 5]) in <c>show</c>, <c>layers</c> and <c>stats</c>.</summary>
public class EmptyLayerTests
{
    // x is Linear(5, 0): weight [0, 5], bias [0], no bytes; y is a Linear(3, 2) of six floats.
    private const string SafetensorsHeader =
        """{"x.weight":{"dtype":"F32","shape":[0,5],"data_offsets":[0,0]},"x.bias":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"y.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"y.bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]}}""";

    private static TempFile File() => new("empty.safetensors", SafetensorsBytes.Build(SafetensorsHeader, SafetensorsBytes.Floats(8)));

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("x.bias")]
    public void Show_says_the_layer_has_no_neurons_instead_of_an_empty_range(string index)
    {
        using var file = File();

        var run = index == "x.bias" ? CliRun.Of("show", file.Path, "x.bias", "0", "--json") : CliRun.Of("show", file.Path, "x", index);

        Assert.Equal(2, run.Exit);
        Assert.Equal("error: layer 'x' (Linear) has no neurons: weight is [0, 5]\n", run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public void Layers_lists_it_with_zero_neurons_and_says_why()
    {
        using var file = File();

        var run = CliRun.Of("layers", file.Path);

        Assert.Equal(0, run.Exit);
        Assert.Matches(@"(?m)^  x +Linear +0   weight \[0, 5\] float32   \(out, in\)$", run.Stdout);
        Assert.Contains("\nx has no neurons: weight is [0, 5]\n", run.Stdout);
        Assert.DoesNotContain("y has no neurons", run.Stdout);
    }

    [Fact]
    public void Stats_says_the_layer_has_no_neurons_and_measures_the_others()
    {
        using var file = File();

        var run = CliRun.Of("stats", file.Path);

        Assert.Equal(0, run.Exit);
        Assert.StartsWith("empty.safetensors (safetensors): 2 layers, 2 neurons, 6 weights\n\nx (Linear) has no neurons: weight is [0, 5]\n\ny (Linear, 2 neurons, 3 weights each)\n", run.Stdout);
        Assert.DoesNotContain("nan", run.Stdout);
        Assert.EndsWith("model: 0 dead neurons, 0 duplicates, 0 outliers; 0% of weights are zero; 32 bytes read\n", run.Stdout);
    }

    [Fact]
    public void Stats_of_the_empty_layer_alone_has_no_weights_to_measure()
    {
        using var file = File();

        var text = CliRun.Of("stats", file.Path, "x");
        var json = CliRun.Of("stats", file.Path, "x", "--json");
        var csv = CliRun.Of("stats", file.Path, "x", "--csv");

        Assert.Equal(0, text.Exit);
        Assert.Equal("empty.safetensors (safetensors): 1 layer, 0 neurons, 0 weights\n\nx (Linear) has no neurons: weight is [0, 5]\n\n" +
            "model: 0 dead neurons, 0 duplicates, 0 outliers; no weights; 0 bytes read\n", text.Stdout);
        using var document = JsonDocument.Parse(json.Stdout);
        var layer = document.RootElement.GetProperty("layers")[0];
        Assert.Equal(0, layer.GetProperty("neurons").GetInt32());
        Assert.Equal(0, layer.GetProperty("stats").GetArrayLength());
        Assert.Equal(0, layer.GetProperty("summary").GetProperty("weights").GetInt32());
        Assert.Equal(0, csv.Exit);
        Assert.Equal(StatsCsvWriter.Header + "\n", csv.Stdout.Replace("\r\n", "\n"));   // the header only
    }
}
