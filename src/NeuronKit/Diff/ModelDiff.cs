using System.Diagnostics;
using NeuronKit.Layers;
using NeuronKit.Stats;

namespace NeuronKit.Diff;

/// <summary>
/// How the neurons of one model file changed in another (a fine-tuned or quantized copy), layer by layer, both files
/// streamed block by block:
/// <code>
/// using var a = Model.Open("base.pt");
/// using var b = Model.Open("tuned.safetensors");
/// var diff = ModelDiff.Compute(a, b);
/// foreach (var layer in diff.Layers) Console.WriteLine($"{layer.A.Name}: {layer.Relative:P1} changed, {layer.BecameDead} became dead");
/// </code>
/// Layers are paired by name (<c>model_state_dict.</c>-style wrapper prefixes set aside, llama.cpp's GGUF names and
/// ONNX node names read as the module paths they came from; whose tables live in the Diff folder); those only in one file and
/// those that cannot be compared (shapes, a missing tensor or kinds differ) are listed, not compared. Where a converter reordered a layer's neurons (llama.cpp's q/k
/// rows), A's neuron j is compared with the neuron of B it became; where it added a constant to a layer's weights
/// (llama.cpp's +1 on Gemma's norms), B's are compared less it.
/// </summary>
public sealed class ModelDiff
{
    private ModelDiff(Model a, Model b, IReadOnlyList<LayerDiff> layers, IReadOnlyList<Layer> onlyInA, IReadOnlyList<Layer> onlyInB,
        IReadOnlyList<ShapeMismatch> mismatched, TimeSpan elapsed)
    {
        A = a;
        B = b;
        Layers = layers;
        OnlyInA = onlyInA;
        OnlyInB = onlyInB;
        Mismatched = mismatched;
        Elapsed = elapsed;
    }

    /// <summary>Every layer of <paramref name="a"/> compared with the same layer of <paramref name="b"/>.</summary>
    public static ModelDiff Compute(Model a, Model b, DiffOptions? options = null)
    {
        var clock = Stopwatch.StartNew();
        var (pairs, onlyInA, onlyInB) = LayerPairing.Pair(a.Layers, a.Checkpoint, b.Layers, b.Checkpoint);
        var layers = new List<LayerDiff>(pairs.Count);
        var mismatched = new List<ShapeMismatch>();
        // A layer complex in either file cannot be measured, as in neuron stats; it is left out of a whole-model diff.
        foreach (var pair in pairs.Where(p => LayerStats.WhyNotMeasurable(p.A) is null && LayerStats.WhyNotMeasurable(p.B) is null))
        {
            if (LayerDiff.FindMismatch(pair) is { } mismatch) mismatched.Add(mismatch);
            else layers.Add(LayerDiff.Compute(pair, options));
        }
        return new ModelDiff(a, b, layers, onlyInA, onlyInB, mismatched, clock.Elapsed);
    }

    /// <summary>
    /// Only <paramref name="layer"/> (a name of <paramref name="a"/>, as <see cref="Model.Layer"/> takes it, or of
    /// <paramref name="b"/>; see <see cref="Pair"/>) compared with its partner in the other file; throws
    /// <see cref="RequestException"/> when the other file has no such layer or it cannot be compared (the message names both sides).
    /// </summary>
    public static ModelDiff Compute(Model a, Model b, string layer, DiffOptions? options = null)
    {
        var clock = Stopwatch.StartNew();
        return new ModelDiff(a, b, [LayerDiff.Compute(Pair(a, b, layer), options)], [], [], [], clock.Elapsed);
    }

    /// <summary>
    /// The layer <paramref name="name"/> of <paramref name="a"/> and its partner in <paramref name="b"/> (paired as a
    /// whole-model diff pairs them, with B's neuron order when a converter changed it). A name A does not have may be
    /// B's (<c>blk.0.attn_q</c> against a Hugging Face A): the pair is then the one B's layer is in. Throws
    /// <see cref="RequestException"/> when the layer is in one file only, or in neither (A's suggestions).
    /// </summary>
    public static LayerPair Pair(Model a, Model b, string name)
    {
        Layer layer;
        try
        {
            layer = a.Layer(name);
        }
        catch (RequestException) when (b.Layers.FirstOrDefault(l => l.Name == name) is { } inB)
        {
            return LayerPairing.Pair(a.Layers, a.Checkpoint, [inB], b.Checkpoint).Pairs is [var back]
                ? back
                : Joined(a, b, inB, inA: false)
                    ?? throw new RequestException($"layer '{inB.Name}' is only in B ({b.Checkpoint.FileName}), not in A ({a.Checkpoint.FileName})");
        }
        return LayerPairing.Pair([layer], a.Checkpoint, b.Layers, b.Checkpoint).Pairs is [var pair]
            ? pair
            : Joined(a, b, layer, inA: true)
                ?? throw new RequestException($"layer '{layer.Name}' is only in A ({a.Checkpoint.FileName}), not in B ({b.Checkpoint.FileName})");
    }

    // Half of a layer llama.cpp's converter split (gpt-oss's ffn_gate_exps) pairs only beside its other half: the pair
    // of the whole model's pairing that holds it.
    private static LayerPair? Joined(Model a, Model b, Layer layer, bool inA) =>
        LayerPairing.Pair(a.Layers, a.Checkpoint, b.Layers, b.Checkpoint).Pairs
            .FirstOrDefault(p => LayerPairing.Components(inA ? p.A : p.B) is { Count: > 1 } parts && parts.Contains(layer));

    /// <summary>The bytes of weights and biases a whole-model diff reads from both files: a progress bar's total.</summary>
    public static long BytesToRead(Model a, Model b) =>
        LayerPairing.Pair(a.Layers, a.Checkpoint, b.Layers, b.Checkpoint).Pairs.Where(p => LayerDiff.FindMismatch(p) is null).Sum(BytesToRead);

    /// <summary>The bytes of weights and biases comparing one pair of layers reads: a progress bar's total.</summary>
    public static long BytesToRead(LayerPair pair) => ModelStats.BytesToRead([pair.A, pair.B]);

    /// <summary>This diff of one layer cut down to its neuron <paramref name="index"/> (its summary then that neuron's).</summary>
    public ModelDiff Only(long index) => Layers is [var layer]
        ? new ModelDiff(A, B, [layer.Only(index)], OnlyInA, OnlyInB, Mismatched, Elapsed)
        : throw new InvalidOperationException($"a diff of {Layers.Count} layers cannot be cut down to one neuron");

    /// <summary>File A, the one changes are measured from.</summary>
    public Model A { get; }

    /// <summary>File B.</summary>
    public Model B { get; }

    /// <summary>Every compared layer, in A's order.</summary>
    public IReadOnlyList<LayerDiff> Layers { get; }

    /// <summary>A's layers that B has not.</summary>
    public IReadOnlyList<Layer> OnlyInA { get; }

    /// <summary>B's layers that A has not.</summary>
    public IReadOnlyList<Layer> OnlyInB { get; }

    /// <summary>The layers in both files that cannot be compared neuron by neuron: a tensor's shape, a tensor one file lacks, the kinds or the neuron counts differ.</summary>
    public IReadOnlyList<ShapeMismatch> Mismatched { get; }

    /// <summary>How long computing it took.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Neurons compared.</summary>
    public long NeuronCount => Layers.Sum(l => (long)l.Neurons.Count);

    /// <summary>Neurons whose weights or bias changed.</summary>
    public long Changed => Layers.Sum(l => (long)l.Changed);

    /// <summary>Neurons that became dead.</summary>
    public long BecameDead => Layers.Sum(l => (long)l.BecameDead);

    /// <summary>Neurons that were dead in A and are not in B.</summary>
    public long Revived => Layers.Sum(l => (long)l.Revived);

    /// <summary>Neurons whose bias changed sign.</summary>
    public long BiasSignChanged => Layers.Sum(l => (long)l.BiasSignChanged);

    /// <summary>‖W_b − W_a‖ / ‖W_a‖ over every compared weight of the model.</summary>
    public double Relative =>
        Math.Sqrt(Layers.Sum(l => l.L2Delta * l.L2Delta)) / Math.Sqrt(Layers.Sum(l => l.Neurons.Sum(n => n.L2A * n.L2A)));

    /// <summary>Bytes of weights and biases read from both files.</summary>
    public long BytesRead => Layers.Sum(l => l.BytesRead);
}
