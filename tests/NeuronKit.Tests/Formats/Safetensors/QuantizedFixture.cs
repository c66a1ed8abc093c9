using System.Text.Json;
using NeuronKit.Diff;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Diff;
using NeuronKit.Tests.Edits;

namespace NeuronKit.Tests.Formats.Safetensors;

/// <summary>What every quantized safetensors fixture (tests/fixtures/safetensors, make_safetensors_numpy.py) is held to.</summary>
internal static class QuantizedFixture
{
    /// <summary>The fixture file <paramref name="name"/> of the safetensors folder.</summary>
    public static string Path(string name) => Fixtures.Path(System.IO.Path.Combine("safetensors", name));

    /// <summary>
    /// The diff of <paramref name="original"/> and its <paramref name="quantized"/> copy, each layer's rows checked against
    /// numpy's per-row quantization error in expected.json under <paramref name="keys"/> (then the layer's name).
    /// </summary>
    public static ModelDiff DiffIsNumpys(string original, string quantized, params string[] keys)
    {
        using var a = Model.Open(Path(original));
        using var b = Model.Open(Path(quantized));
        var diff = ModelDiff.Compute(a, b);
        var expected = JsonDocument.Parse(File.ReadAllText(Path("expected.json"))).RootElement;
        foreach (string key in keys) expected = expected.GetProperty(key);
        Assert.Empty(diff.Mismatched);
        foreach (var layer in diff.Layers) ExpectedRows.Match(layer, expected.GetProperty(layer.A.Name));
        return diff;
    }

    /// <summary><c>neuron edit … --zero</c> of neuron 0 of <paramref name="layer"/> is a request error saying <paramref name="message"/>, and writes nothing.</summary>
    public static void EditIsRefused(string file, string layer, string message)
    {
        using var folder = new TempFolder();

        var run = CliRun.Of("edit", file, layer, "0", "--zero", "-o", System.IO.Path.Combine(folder.Path, "out.safetensors"));

        Assert.Equal(2, run.Exit);
        Assert.Contains(message, run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }
}
