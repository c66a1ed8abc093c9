using System.Text.Json;
using NeuronKit.TorchSharp.Tests.Modules;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp.Tests;

/// <summary>
/// tests/fixtures/live_activations: the inputs and what PyTorch's forward hooks saw (make_live_activations.py), and the
/// seed modules built as samples/TorchSharpSeed builds them, filled with samples/seed_*.pt.
/// </summary>
internal static class LiveActivationFixtures
{
    /// <summary>The fixture folder.</summary>
    public static string Folder => Path.Combine(Repository.Fixtures, "live_activations");

    /// <summary>expected.json, parsed.</summary>
    public static JsonElement Answers { get; } = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "expected.json"))).RootElement;

    /// <summary>Seed model <paramref name="name"/> (linear, conv, lstm) holding the weights of samples/seed_NAME.pt.</summary>
    public static nn.Module<Tensor, Tensor> Seed(string name)
    {
        nn.Module<Tensor, Tensor> module = name switch
        {
            "linear" => nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 2)),
            "conv" => new SeedConv(),
            "lstm" => new SeedLstm(),
            _ => throw new ArgumentException(name),
        };
        using var file = Model.Open(Path.Combine(Repository.Samples, $"seed_{name}.pt"));
        using var noGrad = no_grad();
        foreach (var (key, target) in module.state_dict())
        {
            var saved = file.Checkpoint.Find(key) ?? throw new InvalidOperationException($"seed_{name}.pt has no {key}");
            using var values = tensor(saved.View().ToFloats(), [.. saved.Shape]);
            target.copy_(values);
        }
        return module;
    }

    /// <summary>The .npy input <paramref name="file"/>, read with NeuronKit's NumPy reader, as a float32 tensor.</summary>
    public static Tensor Input(string file)
    {
        using var npy = Model.Open(Path.Combine(Folder, file));
        var array = npy.Checkpoint.Tensors.Single();
        return tensor(array.View().ToFloats(), [.. array.Shape]);
    }

    /// <summary>|actual − expected| ≤ 1e-5 + 1e-5·|expected|: float32 forward passes of libtorch 2.10 and PyTorch 1.13 on the CPU.</summary>
    public static void Near(double expected, double actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-5 + 1e-5 * Math.Abs(expected), $"{what}: expected {expected:R}, got {actual:R}");

    /// <summary>A JSON number or nesting of arrays of numbers, flattened row-major.</summary>
    public static IEnumerable<double> Flatten(JsonElement values) => values.ValueKind == JsonValueKind.Array
        ? values.EnumerateArray().SelectMany(Flatten) : [values.GetDouble()];
}
