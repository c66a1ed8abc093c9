using NeuronKit.Formats;
using NeuronKit.Layers;
using NeuronKit.Layers.Kinds;

namespace NeuronKit.Graph;

/// <summary>
/// The consumers a sequential model's order gives (<see cref="ModelGraph.Sequence"/>, a Keras Sequential config): a
/// layer's output goes to the next layer with weights, through any per-channel layer (a BatchNormalization) between them;
/// layers without weights between them (Dropout, Activation, pooling, a global pooling) keep its channels, except a Flatten
/// after a channels-last layer, which interleaves them: channel j becomes inputs j, j + C, j + 2C, …, which no one slice
/// of the consumer's weights holds. A recurrent layer's own recurrent_kernel also reads its previous output, and a
/// Bidirectional's two directions are read concatenated, forward first.
/// </summary>
internal static class ModelSequence
{
    // Layers without weights that keep the channels where they are; a Flatten or Reshape moves them.
    private static readonly string[] Rearranging = ["Flatten", "Reshape"];

    public static void Add(IReadOnlyList<Layer> layers, ModelGraph graph, Dictionary<Layer, IReadOnlyList<LayerEdge>> consumers,
        Dictionary<Layer, string> whyNone)
    {
        var steps = graph.Sequence;
        if (steps.Count == 0) return;
        var ofStep = steps.Select(s => layers.Where(l => l.Name == s.Name || l.Name.StartsWith(s.Name + ".", StringComparison.Ordinal)).ToList()).ToList();
        for (int i = 0; i < steps.Count; i++)
        {
            foreach (var producer in ofStep[i])
            {
                var (edges, why) = Next(steps, ofStep, i, producer);
                if (producer.Implementation.FeedbackParts(producer, 0) is not null)
                    edges.Add(RecurrentEdges.Feedback(producer, $"{producer.Name}'s own recurrent_kernel reads its previous output h(t−1)"));
                if (edges.Count > 0) consumers[producer] = edges;
                else whyNone[producer] = why;
            }
        }
    }

    // The edge from producer (of step i) into the next step with weights, or why there is none.
    private static (List<LayerEdge> Edges, string Why) Next(IReadOnlyList<SequenceStep> steps, List<List<Layer>> ofStep, int i, Layer producer)
    {
        List<Layer> through = [];
        List<string> between = [];
        bool rearranged = false;
        for (int k = i + 1; k < steps.Count; k++)
        {
            var next = ofStep[k];
            if (next.Count == 0)
            {
                between.Add(steps[k].Name);
                rearranged |= Rearranging.Contains(steps[k].Class);
                continue;
            }
            if (next is [{ Implementation.PassesChannels: true } norm] && norm.NeuronCount == producer.NeuronCount)
            {
                through.Add(norm);
                continue;
            }
            string evidence = $"the model's config: a Sequential model runs {steps[i].Name}, then " +
                string.Join(", then ", [.. between, .. through.Select(t => t.Name), steps[k].Name]);
            if (rearranged && LayerGraph.ChannelsLast(producer))
                return ([], $"a {string.Join(" and ", steps.Skip(i + 1).Take(k - i - 1).Where(s => Rearranging.Contains(s.Class)).Select(s => s.Class).Distinct())} " +
                    $"of {producer.Name}'s channels-last output interleaves its channels: channel j is inputs j, j + {producer.NeuronCount}, … of {steps[k].Name}, " +
                    "which no one slice of its weights holds");
            // A Bidirectional's directions are one output, forward then backward.
            var directions = ofStep[i].Count > 1 ? ofStep[i] : [producer];
            // The model says how a convolution groups its input: shapes that would fit other groups do not.
            var edges = next.Select(consumer => directions.Count > 1
                    ? GraphConventions.FitConcatenated(producer, consumer, directions, evidence, assumed: false)
                    : LayerGraph.Fit(producer, consumer, through, evidence, assumed: false))
                .OfType<LayerEdge>().Where(e => e.Groups == steps[k].Groups).ToList();
            return edges.Count > 0 ? (edges, "")
                : ([], $"the next layer with weights, {steps[k].Name} ({next[0].Kind}), does not read {directions.Sum(d => d.NeuronCount)} channels");
        }
        return ([], $"it is the model's last layer with weights");
    }
}
