using NeuronKit.Formats;
using NeuronKit.Layers;
using NeuronKit.Layers.Kinds;

namespace NeuronKit.Graph;

/// <summary>
/// The consumers a model's config gives (<see cref="ModelGraph.Sequence"/>, a Keras Sequential or Functional config): from
/// a layer, forward through what reads its output (in a Sequential model the next layer, in a Functional one the layers
/// whose inbound nodes name it) to the layers with weights that read it; a per-channel layer (a BatchNormalization) on the
/// way is passed through, as are layers without weights that keep channel j where it is (Dropout, Activation, pooling, a
/// global pooling, padding) or join it with another branch's channel j (Add: a residual; Multiply, a gate; Maximum,
/// Minimum): the consumer's weights for channel j then read both branches. A Concatenate on the last axis
/// moves the channels by those of the inputs before it. A Flatten or Reshape after a channels-last layer (any but a
/// channels_first convolution: a Dense over a sequence keeps its units last too) interleaves the channels: channel j becomes
/// inputs j, j + C, j + 2C, …, which no one slice of the consumer's weights holds; one of a single position (after a
/// global pooling) keeps channel j as input j. A recurrent
/// layer's own recurrent_kernel also reads its previous output, and a Bidirectional's two directions are read as its
/// merge mode joins them: concatenated, forward first, or added unit by unit. Any other layer ends the path, and says why.
/// </summary>
internal static class ModelSequence
{
    // Layers without weights whose output channel j is a function of input channel j alone.
    private static readonly HashSet<string> ChannelWise = new(StringComparer.Ordinal)
    {
        "Activation", "ReLU", "LeakyReLU", "ELU", "ThresholdedReLU", "Dropout", "SpatialDropout1D", "SpatialDropout2D",
        "SpatialDropout3D", "GaussianDropout", "GaussianNoise", "AlphaDropout", "ActivityRegularization", "Masking", "Identity",
        "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
        "MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D",
        "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
        "GlobalMaxPooling3D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D", "GlobalMaxPool1D", "GlobalMaxPool2D",
        "GlobalMaxPool3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D",
        "UpSampling1D", "UpSampling2D", "UpSampling3D",
    };

    // Layers without weights that add branches channel by channel (a residual shortcut): another branch's channel j is
    // added to this one's, and the consumer's weights for channel j read both.
    private static readonly HashSet<string> Merging = new(StringComparer.Ordinal) { "Add", "Subtract", "Average" };

    // Layers without weights that join branches channel by channel otherwise (a gate: Multiply; Maximum, Minimum): channel
    // j of the output is a function of each branch's channel j alone, so the consumer's weights for channel j read both.
    private static readonly HashSet<string> Combining = new(StringComparer.Ordinal) { "Multiply", "Maximum", "Minimum" };

    // Layers without weights that lay the channels out anew.
    private static readonly HashSet<string> Rearranging = new(StringComparer.Ordinal) { "Flatten", "Reshape" };

    // Layers whose weights scale each channel they are fed (a BatchNormalization's gamma, a PReLU's alpha), and make none.
    // Read as rows (the reader could not tell which of alpha's axes holds the channels, or the tensors fit no norm), they
    // pass no channel on, and their rows are no channels a consumer reads.
    private static readonly HashSet<string> Scaling = new(StringComparer.Ordinal)
    {
        "PReLU", "BatchNormalization", "LayerNormalization", "GroupNormalization",
    };

    // Steps that are models of their own, nested in this one: their layers are not one layer's neurons.
    private static readonly HashSet<string> Models = new(StringComparer.Ordinal) { "Sequential", "Functional", "Model" };

    private const int MaxSteps = 10_000;

    // A path from the producer: the steps on the way (the producer's first, the one reached last), the per-channel layers
    // among them, where its channels sit among what the next layer reads (from Offset, of Channels in all), whether a
    // Flatten or Reshape laid them out anew, and whether a merge added another branch to them.
    private sealed record Path(IReadOnlyList<int> Steps, IReadOnlyList<Layer> Through, long Offset, long Channels,
        bool Rearranged = false, bool Residual = false, string? CombinedBy = null)
    {
        public int Step => Steps[^1];

        // Where the producer's channels start in each layer on the way that reads them after a Concatenate (a DenseNet
        // block's BatchNormalization; LayerEdge.ThroughOffsets).
        public IReadOnlyDictionary<Layer, long> ThroughOffsets { get; init; } = new Dictionary<Layer, long>();

        // The layers whose channels the merges on the way add to the producer's (LayerEdge.Branches); null once a merge's
        // branch could not be traced to one.
        public IReadOnlyList<Layer>? Branches { get; init; } = [];
    }

    public static void Add(IReadOnlyList<Layer> layers, ModelGraph graph, Dictionary<Layer, IReadOnlyList<LayerEdge>> consumers,
        Dictionary<Layer, string> whyNone, Dictionary<Layer, string> unfollowed)
    {
        var steps = graph.Sequence;
        if (steps.Count == 0) return;
        // A Bidirectional's directions forward first, as it concatenates them: Keras 3's file lists its groups by name,
        // backward_layer before forward_layer.
        var ofStep = steps.Select(s => layers.Where(l => l.Name == s.Name || l.Name.StartsWith(s.Name + ".", StringComparison.Ordinal))
            .OrderBy(l => s.Merge is not null && l.Name.StartsWith(s.Name + ".backward_", StringComparison.Ordinal)).ToList()).ToList();
        var model = new ConfigGraph(steps, ofStep);
        for (int i = 0; i < steps.Count; i++)
        {
            foreach (var producer in ofStep[i])
            {
                if (Models.Contains(steps[i].Class))
                {
                    whyNone[producer] = $"it is a layer of {steps[i].Name}, a {steps[i].Class} nested in the model, and NeuronKit does not follow a nested model's layers";
                    continue;
                }
                if (AsRows(steps[i], producer))
                {
                    whyNone[producer] = $"{steps[i].Name} is a {steps[i].Class}, which scales the channels of the layer before it and makes none, " +
                        $"and {producer.Name} is read as rows, not as its channels (its evidence says why)";
                    continue;
                }
                var (edges, why, lost) = steps[i].Merge is "mul" or "none" && ofStep[i].Count > 1
                    ? ([], $"{steps[i].Name} joins its two directions' outputs by merge_mode {steps[i].Merge}, and NeuronKit follows only a concatenation, a sum or an average of them", null)
                    : model.From(i, producer);
                // Asked of a recurrent layer too, whose own recurrent_kernel is then its one (feedback) consumer.
                if (edges.Count == 0) whyNone[producer] = why;
                if (producer.Implementation.FeedbackParts(producer, 0) is not null)
                    edges.Add(RecurrentEdges.Feedback(producer, $"{producer.Name}'s own recurrent_kernel reads its previous output h(t−1)"));
                if (edges.Count > 0) consumers[producer] = edges;
                if (edges.Count > 0 && lost is not null) unfollowed[producer] = lost;
            }
        }
    }

    // A per-channel layer of the config read as the rows of its tensor (LayerKinds.Fallback), not as the channels it scales.
    private static bool AsRows(SequenceStep step, Layer layer) => Scaling.Contains(step.Class) && layer.Implementation == LayerKinds.Fallback;

    private sealed class ConfigGraph
    {
        private readonly IReadOnlyList<SequenceStep> _steps;
        private readonly List<List<Layer>> _ofStep;
        private readonly bool _sequential;
        private readonly List<int>[] _readers;
        private readonly List<int>[] _inputs;
        private readonly long?[] _channels;

        public ConfigGraph(IReadOnlyList<SequenceStep> steps, List<List<Layer>> ofStep)
        {
            _steps = steps;
            _ofStep = ofStep;
            _sequential = steps.All(s => s.Inputs is null);
            _readers = [.. steps.Select(_ => new List<int>())];
            _inputs = [.. steps.Select(_ => new List<int>())];
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int k = 0; k < steps.Count; k++) index.TryAdd(steps[k].Name, k);
            for (int k = 0; k < steps.Count; k++)
            {
                var inputs = steps[k].Inputs is { } names ? names.Select(n => index.GetValueOrDefault(n, -1)).Where(i => i >= 0 && i != k) : k > 0 ? [k - 1] : [];
                foreach (int input in inputs)
                {
                    _inputs[k].Add(input);
                    _readers[input].Add(k);
                }
            }
            _channels = new long?[steps.Count];
        }

        // The edges from producer (of step i) to the layers with weights that read its output, or why there are none.
        // The edges found, why there are none, and the paths that reach no consumer but some other layer (a Softmax, a
        // nested model): null when every path ends in a consumer or an output of the model.
        public (List<LayerEdge> Edges, string Why, string? Unfollowed) From(int i, Layer producer)
        {
            // A Bidirectional's directions are one output: concatenated, forward then backward, or added unit by unit (sum, ave).
            bool added = _steps[i].Merge is "sum" or "ave";
            var directions = _ofStep[i].Count > 1 && !added ? _ofStep[i] : [producer];
            long before = directions.TakeWhile(d => d != producer).Sum(d => d.NeuronCount);
            List<LayerEdge> edges = [];
            List<string> stops = [], outputs = [];
            var seen = new HashSet<(int, long)>();
            var start = new Path([i], [], before, directions.Sum(d => d.NeuronCount), Residual: added && _ofStep[i].Count > 1)
            {
                Branches = added && _ofStep[i].Count > 1 ? null : [],
            };
            var pending = new Stack<Path>([start]);
            int taken = 0;
            while (pending.TryPop(out var path) && ++taken < MaxSteps)
            {
                if (!seen.Add((path.Step, path.Offset))) continue;
                if (_readers[path.Step].Count == 0)
                {
                    outputs.Add(_sequential ? "it is the model's last layer with weights"
                        : path.Step == i ? "its output is an output of the model" : $"{_steps[path.Step].Name}'s output is an output of the model");
                    stops.Add(outputs[^1]);
                }
                // Both directions' channels as they left the layer: the consumer reads them concatenated.
                var concatenated = directions.Count > 1 && path.Offset == start.Offset && path.Channels == start.Channels ? directions : null;
                foreach (int k in _readers[path.Step])
                    Follow(producer, concatenated, path, k, pending, edges, stops);
            }
            var lost = stops.Except(outputs).ToList();
            return (edges, stops.Count == 0 ? "the model's config names no layer that reads its output" : string.Join("; ", stops.Distinct()),
                lost.Count == 0 ? null : string.Join("; ", lost));
        }

        private void Follow(Layer producer, IReadOnlyList<Layer>? directions, Path path, int k, Stack<Path> pending, List<LayerEdge> edges, List<string> stops)
        {
            var step = _steps[k];
            var next = _ofStep[k];
            var reached = path with { Steps = [.. path.Steps, k] };
            if (next is [var norm] && LayerGraph.PassesOn(norm, path.Channels))
            {
                pending.Push(reached with
                {
                    Through = [.. path.Through, norm],
                    ThroughOffsets = path.Offset == 0 ? path.ThroughOffsets : new Dictionary<Layer, long>(path.ThroughOffsets) { [norm] = path.Offset },
                });
                return;
            }
            if (next is [var rows] && AsRows(step, rows))
            {
                stops.Add($"{step.Name}, a {step.Class} on the way, scales each channel by entries of {rows.Name}, which is read as rows, not as " +
                    "its channels (its evidence says why): which entries are channel j's is not known");
                return;
            }
            if (next.Count > 0 && Models.Contains(step.Class))
            {
                stops.Add($"{step.Name}, a {step.Class} nested in the model, reads it, and NeuronKit does not follow a nested model's layers");
                return;
            }
            if (next.Count > 0)
            {
                string evidence = _sequential
                    ? $"the model's config: a Sequential model runs {string.Join(", then ", reached.Steps.Select(at => _steps[at].Name))}"
                    : $"the model's config: {string.Join(" → ", reached.Steps.Select(at => _ofStep[at].Count == 0 ? $"{_steps[at].Name} ({_steps[at].Class})" : _steps[at].Name))}";
                // A Keras PReLU on the way whose alpha [d…, C] keeps other axes before the channels shows the same of the producer.
                // A consumer fed no more inputs than there are channels was fed a flatten of one position (after a global
                // pooling, or of a [batch, units] output), which keeps channel j as input j.
                if (path.Rearranged && (KeepsChannelsLast(path.Steps[0]) || path.Through.Any(LayerGraph.ChannelsLast))
                    && next.Any(consumer => consumer.Implementation.InputWidth(consumer, 1) != path.Channels))
                {
                    string moves = string.Join(" and ", path.Steps.Select(at => _steps[at].Class).Where(Rearranging.Contains).Distinct());
                    stops.Add($"a {moves} of {producer.Name}'s channels-last output interleaves its channels: channel j is inputs j, j + {path.Channels}, … of {step.Name}, " +
                        "which no one slice of its weights holds");
                    return;
                }
                // The model says how a convolution groups its input: shapes that would fit other groups do not.
                var fitted = next.Select(consumer => directions is not null
                        ? GraphConventions.FitConcatenated(producer, consumer, directions, evidence, assumed: false) is { } edge
                            ? edge with { Through = path.Through, ThroughOffsets = path.ThroughOffsets } : null
                        : Placed(LayerGraph.Fit(producer, consumer, path.Through, evidence, assumed: false, path.Channels), producer, path))
                    .OfType<LayerEdge>().Where(e => e.Groups == step.Groups).ToList();
                if (fitted.Count > 0) edges.AddRange(fitted);
                else stops.Add($"the next layer with weights, {step.Name} ({next[0].Kind}), does not read {path.Channels} channels");
                return;
            }
            if (ChannelWise.Contains(step.Class))
                pending.Push(reached);
            else if (Rearranging.Contains(step.Class))
                pending.Push(reached with { Rearranged = true });
            else if (Merging.Contains(step.Class))
                pending.Push(reached with { Residual = true, Branches = WithBranches(path, k) });
            else if (Combining.Contains(step.Class))
                pending.Push(reached with { Residual = true, CombinedBy = reached.CombinedBy ?? step.Class, Branches = WithBranches(path, k) });
            else if (step.Class == "Concatenate" && Concatenated(path, k) is { } joined)
                pending.Push(reached with { Offset = path.Offset + joined.Before, Channels = joined.Total });
            else if (step.Class == "Concatenate")
                stops.Add(WhyNotConcatenated(k));
            else
                stops.Add($"{step.Name} ({step.Class}) reads it, and NeuronKit does not follow channels through {step.Class}");
        }

        // An edge fitted to all the channels the consumer is fed, moved to where the producer's sit among them, and marked
        // residual when a merge added another branch to them.
        private static LayerEdge? Placed(LayerEdge? edge, Layer producer, Path path)
        {
            if (edge is null) return null;
            edge = edge with
            {
                ThroughOffsets = path.ThroughOffsets,
                Branches = path.Residual ? path.Branches?.Where(b => b != producer).Distinct().ToList() : null,
            };
            if (path.Offset != 0)
                edge = edge with
                {
                    Map = edge.Map with { Offset = edge.Map.Offset + path.Offset * edge.Map.Spread },
                    Evidence = [.. edge.Evidence, $"{path.Offset} of them come before {producer.Name}'s: its unit j is input {path.Offset} + j"],
                };
            string joined = path.CombinedBy is { } combined
                ? $"on the way a {combined} joins {producer.Name}'s output with another branch's, channel by channel"
                : $"on the way another branch is added to {producer.Name}'s output";
            return path.Residual
                ? edge with
                {
                    Residual = true,
                    Evidence = [.. edge.Evidence, $"{joined}: {edge.Consumer.Name}'s weights for its unit j read that branch's channel j too"],
                }
                : edge;
        }

        // The branches merge k adds to the path's channels, each traced back to the layers that make it, channel j for
        // channel j; null when one cannot be (a model input, a concatenation), or the path's channels are not the merge's
        // one for one.
        private IReadOnlyList<Layer>? WithBranches(Path path, int k)
        {
            if (path.Branches is null || path.Offset != 0) return null;
            List<Layer> branches = [.. path.Branches];
            foreach (int input in _inputs[k].Where(i => i != path.Step).Distinct())
            {
                if (Sources(input, path.Channels) is not { } sources) return null;
                branches.AddRange(sources);
            }
            return branches;
        }

        // True when step k's output keeps its channels last behind other axes: a channels-last layer's, or a per-channel
        // layer's or channel-wise step's that reads one (a BatchNormalization after a Conv2D scales each channel where it lies).
        private bool KeepsChannelsLast(int k)
        {
            for (int depth = 0; depth < 256; depth++)
            {
                if (_ofStep[k] is [var layer] && LayerGraph.ChannelsLast(layer)) return true;
                bool passes = _ofStep[k] is [var one] ? one.Implementation.PassesChannels : _ofStep[k].Count == 0 && ChannelWise.Contains(_steps[k].Class);
                if (!passes || _inputs[k] is not [var read]) return false;
                k = read;
            }
            return false;
        }

        // The layers step k's output comes from, channel j from their channel j: back through channel-wise layers, norms and
        // other merges; null when some of it comes from anything else (an input of the model, a concatenation, a nested model).
        private List<Layer>? Sources(int k, long channels)
        {
            List<Layer> sources = [];
            var pending = new Stack<int>([k]);
            var seen = new HashSet<int>();
            while (pending.TryPop(out int at))
            {
                if (!seen.Add(at)) continue;
                var step = _steps[at];
                if (_ofStep[at] is [var layer] && !Models.Contains(step.Class) && step.Merge is null)
                {
                    if (LayerGraph.PassesOn(layer, channels) && _inputs[at] is [var read]) pending.Push(read);
                    else if (!layer.Implementation.PassesChannels && layer.NeuronCount == channels && !AsRows(step, layer)) sources.Add(layer);
                    else return null;
                }
                else if (_ofStep[at].Count == 0 && (ChannelWise.Contains(step.Class) || Merging.Contains(step.Class) || Combining.Contains(step.Class))
                    && _inputs[at].Count > 0)
                    foreach (int input in _inputs[at]) pending.Push(input);
                else
                    return null;
            }
            return sources;
        }

        // Where the path's channels land in Concatenate k's output: after the channels of the inputs before the path's step.
        private (long Before, long Total)? Concatenated(Path path, int k)
        {
            if (_steps[k].Axis != -1 || _steps[k].Shared) return null;
            long before = 0, total = 0;
            bool found = false;
            foreach (int input in _inputs[k])
            {
                if (Channels(input, 0) is not { } channels) return null;
                if (input == path.Step) found = true;
                else if (!found) before += channels;
                total += channels;
            }
            return found ? (before, total) : null;
        }

        private string WhyNotConcatenated(int k)
        {
            var step = _steps[k];
            if (step.Axis != -1) return $"{step.Name} (Concatenate) joins its inputs on axis {step.Axis}, and NeuronKit follows channels through a concatenation of the last axis only";
            if (step.Shared) return $"{step.Name} (Concatenate) is called more than once, and its config does not say which call's inputs come first";
            return $"{step.Name} (Concatenate) reads {string.Join(", ", _inputs[k].Where(i => Channels(i, 0) is null).Select(i => _steps[i].Name))}, " +
                "whose channels NeuronKit cannot count from the model's config, so where the others' land is unknown";
        }

        // The channels step k's output holds on its last axis: its layers' neurons, an input's shape, what a channel-wise
        // layer or a merge reads, a concatenation's inputs' together; null when the config does not say.
        private long? Channels(int k, int depth)
        {
            if (_channels[k] is { } known) return known;
            if (depth > 256) return null;
            var step = _steps[k];
            long? channels = Models.Contains(step.Class) || _ofStep[k] is [var rows] && AsRows(step, rows) ? null
                : _ofStep[k].Count > 0 ? (step.Merge is "sum" or "ave" ? _ofStep[k].Max(l => l.NeuronCount) : _ofStep[k].Sum(l => l.NeuronCount))
                : step.Channels is { } input ? input
                : (ChannelWise.Contains(step.Class) || Merging.Contains(step.Class) || Combining.Contains(step.Class)) && _inputs[k].Count > 0 ? Channels(_inputs[k][0], depth + 1)
                : step.Class == "Concatenate" && step.Axis == -1 && _inputs[k].Count > 0 ? Sum(_inputs[k].Select(i => Channels(i, depth + 1)))
                : null;
            _channels[k] = channels;
            return channels;
        }

        private static long? Sum(IEnumerable<long?> values)
        {
            long total = 0;
            foreach (var value in values)
            {
                if (value is not { } v) return null;
                total += v;
            }
            return total;
        }
    }
}
