using System.Globalization;
using System.Text.RegularExpressions;
using NeuronKit.Layers;
using NeuronKit.Layers.Kinds;

namespace NeuronKit.Graph;

/// <summary>
/// The consumers a PyTorch LSTM, GRU or RNN sub-layer has beyond the next sub-layer (<see cref="GraphConventions"/>): its own
/// <c>weight_hh</c>, which reads its previous output (https://pytorch.org/docs/stable/generated/torch.nn.LSTM.html), and for
/// the top sub-layers the layer saved right after the module, when it reads H × directions inputs (lstm.pt's <c>fc</c>).
/// </summary>
internal static partial class RecurrentEdges
{
    /// <summary>Adds each recurrent sub-layer's own weight_hh, and the following Linear for the top ones, to its consumers.</summary>
    public static void Add(IReadOnlyList<Layer> layers, Dictionary<string, Layer> byName, Dictionary<Layer, IReadOnlyList<LayerEdge>> consumers,
        Dictionary<Layer, string> whyNone)
    {
        foreach (var producer in layers.Where(l => l.Implementation is Recurrent && l.Module is not null))
        {
            if (producer.Implementation.FeedbackParts(producer, 0) is null)
            {
                consumers.Remove(producer);
                whyNone[producer] = "its output is weight_hr's projection of its hidden units, not the units themselves";
                continue;
            }
            var edges = consumers.GetValueOrDefault(producer)?.ToList() ?? FollowingLayer(layers, byName, producer, whyNone);
            if (edges.Count == 0) continue;
            edges.Add(Feedback(producer, $"{producer.Name}'s own weight_hh reads its previous output h(t−1)"));
            consumers[producer] = edges;
            whyNone.Remove(producer);
        }
    }

    // The edge into the layer saved right after the recurrent module, which reads its top sub-layers' concatenated output.
    private static List<LayerEdge> FollowingLayer(IReadOnlyList<Layer> layers, Dictionary<string, Layer> byName, Layer producer,
        Dictionary<Layer, string> whyNone)
    {
        int last = layers.ToList().FindLastIndex(l => l.Module == producer.Module);
        var next = last + 1 < layers.Count ? layers[last + 1] : null;
        var name = SubLayer().Match(producer.Name);
        if (name.Success && byName.ContainsKey($"{name.Groups["m"].Value}.l{long.Parse(name.Groups["k"].Value, CultureInfo.InvariantCulture) + 1}"))
            return []; // not the top sub-layer: the next one's misfit is already the reason
        if (next is null || next.Implementation is not Linear || !name.Success)
        {
            whyNone[producer] = $"no Linear is saved right after {producer.Module} to read its output";
            return [];
        }
        var directions = Directions(byName, producer);
        string evidence = $"convention: the Linear saved right after {producer.Module}, {next.Name}, reads its output (as in an LSTM tagger's fc); " +
            "a state dict does not say so";
        var edge = directions.Count > 1
            ? GraphConventions.FitConcatenated(producer, next, directions, evidence, assumed: true)
            : LayerGraph.Fit(producer, next, [], evidence, assumed: true) is { Map.Spread: 1 } alone ? alone : null;
        if (edge is null)
        {
            whyNone[producer] = $"{next.Name} ({next.Kind}), saved after {producer.Module}, does not read its " +
                $"{directions.Sum(d => d.NeuronCount)} outputs";
            return [];
        }
        return [edge];
    }

    /// <summary>
    /// The edge from a recurrent layer into itself: its weight_hh (ONNX: R) reads its previous output, for the reason
    /// <paramref name="evidence"/> gives; <paramref name="source"/> names whose layout says so (PyTorch's by default).
    /// </summary>
    public static LayerEdge Feedback(Layer producer, string evidence, string? source = null) => new(producer, ChannelMap.Identity, 1, [],
        [$"{evidence}: " + (producer.Implementation is KerasRecurrent
            ? $"unit j is row j of each gate's block of recurrent_kernel (keras.layers.{(producer.Gates?.Name == "RNN" ? "SimpleRNN" : producer.Kind)})"
            : $"unit j is column j of each gate's block ({source ?? $"torch.nn.{producer.Kind}"})") +
            (producer.Gates?.Name == "GRU" ? "; a GRU also keeps h(t−1) through its update gate, h = (1 − z)·n + z·h(t−1), which no weight carries" : "")],
        Assumed: false) { Feedback = true };

    /// <summary>
    /// The directions whose outputs are concatenated with <paramref name="producer"/>'s, in order (<c>rnn.l1</c>,
    /// <c>rnn.l1_reverse</c>; an ONNX node's <c>.forward</c>, <c>.reverse</c>; a Keras Bidirectional's
    /// <c>bidirectional.forward_lstm</c>, <c>bidirectional.backward_lstm</c>), the producer among them; just the producer when it
    /// is no sub-layer of a bidirectional module.
    /// </summary>
    public static IReadOnlyList<Layer> Directions(IReadOnlyDictionary<string, Layer> byName, Layer producer)
    {
        // A Keras Bidirectional's two layers, forward first (merge_mode concat): Keras 2 names them forward_lstm and
        // backward_lstm after the layer it wraps, Keras 3's paths forward_layer and backward_layer.
        if (producer.Implementation is KerasRecurrent && KerasDirection().Match(producer.Name) is { Success: true } keras)
        {
            var (wrapper, inner) = (keras.Groups["top"].Value, keras.Groups["inner"].Value);
            List<Layer> both = [.. ((string[])[$"{wrapper}.forward_{inner}", $"{wrapper}.backward_{inner}"]).Select(byName.GetValueOrDefault).OfType<Layer>()];
            return both.Count == 2 ? both : [producer];
        }
        if (producer.Implementation is OnnxRecurrent && producer.Module is not null)
            return [.. byName.Values.Where(l => l.Module == producer.Module && l.Implementation is OnnxRecurrent).OrderBy(l => l.StackIndex)];
        if (producer.Implementation is not Recurrent || producer.Module is null || SubLayer().Match(producer.Name) is not { Success: true } name)
            return [producer];
        string top = name.Groups["top"].Value;
        return [.. ((string[])[top, top + "_reverse"]).Select(byName.GetValueOrDefault).OfType<Layer>()];
    }

    [GeneratedRegex(@"^(?<top>(?<m>.+)\.l(?<k>\d+))(?:_reverse)?$", RegexOptions.CultureInvariant)]
    private static partial Regex SubLayer();

    [GeneratedRegex(@"^(?<top>.+)\.(?:forward|backward)_(?<inner>[^.]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex KerasDirection();
}
