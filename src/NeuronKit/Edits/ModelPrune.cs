using NeuronKit.Graph;
using NeuronKit.Layers;
using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Edits;

/// <summary>
/// A prune of some neurons, planned as cuts of whole tensors: each unit's incoming rows (every gate row of a recurrent
/// unit, and its column of weight_hh), bias entries, the per-channel layers on the way to its consumers, and the
/// consumers' input columns (a block of them after a flatten). What cannot be cut consistently (a residual add, a grouped
/// consumer, an unknown consumer) is refused before anything is written.
/// <code>
/// using var model = Model.Open("model.safetensors");
/// var prune = ModelPrune.Plan(model, [(model.Layer("fc1"), [3, 7])]);
/// prune.WriteTo("model.pruned.safetensors");
/// </code>
/// </summary>
public sealed class ModelPrune
{
    // The cuts of the tensors as read, which Check compares the written file's with: the same as Cuts but where a tensor is
    // read from several stored ones, whose cuts Cuts has.
    private readonly IReadOnlyList<TensorCut> _readCuts;

    // The layers asked for, before those that had to lose the same units came along.
    private readonly IReadOnlySet<Layer> _asked;

    private ModelPrune(Model model, IReadOnlyList<(Layer Layer, IReadOnlyList<long> Removed)> targets, IReadOnlyList<TensorCut> cuts,
        IReadOnlyList<TensorCut> readCuts, IReadOnlyList<string> consumers, IReadOnlySet<Layer> asked)
    {
        _asked = asked;
        Model = model;
        Targets = targets;
        Cuts = cuts;
        _readCuts = readCuts;
        Consumers = consumers;
    }

    /// <summary>The model pruned.</summary>
    public Model Model { get; }

    /// <summary>The layers pruned and the neurons removed from each, ascending.</summary>
    public IReadOnlyList<(Layer Layer, IReadOnlyList<long> Removed)> Targets { get; }

    /// <summary>Every tensor that shrinks, in file order.</summary>
    public IReadOnlyList<TensorCut> Cuts { get; }

    /// <summary>The consumer layers whose inputs shrink, by name.</summary>
    public IReadOnlyList<string> Consumers { get; }

    /// <summary>
    /// What the pruned model does not do as the original with the units ablated (a norm on the way that takes its
    /// statistics over channels together), and what the format keeps beyond the tensors that the prune leaves as it was
    /// (a Keras file's model config, which still gives the old sizes), one sentence each; none for most prunes.
    /// </summary>
    public IReadOnlyList<string> Notes => [.. MergedBranches(), .. GroupsAlong(), .. HalvesAlong(), .. MixingNorms(),
        .. PruneWriters.For(Model.Checkpoint.Format)?.Notes(this) ?? []];

    // A layer whose blocks of units fold onto the same inputs (Phi-3's gate_up_proj, gate | up): each unit's rows in every
    // block went together, whichever was asked for.
    private IEnumerable<string> HalvesAlong()
    {
        foreach (var (layer, removed) in Targets)
            if (Model.Graph.ConsumersOf(layer).FirstOrDefault(e => e is { Map.Fold: not null, Blocks: not null }) is { Map.Fold: { } fold, Blocks: { } blocks } edge)
                yield return $"'{layer.Name}' loses each unit's {string.Join(" and ", blocks.Names)} rows together " +
                    $"({string.Join("; ", removed.GroupBy(j => j % fold).Select(g => string.Join(", ", g)))}): they are multiplied unit for unit before " +
                    $"'{edge.Consumer.Name}' reads them";
    }

    // The layers taken along because a merge on the way adds their channels to an asked layer's (a residual stream's every
    // branch): a prune of one of them is a prune of them all.
    private IEnumerable<string> MergedBranches()
    {
        var along = Targets.Select(t => t.Layer).Where(l => !_asked.Contains(l)
            && Targets.Any(t => Model.Graph.ConsumersOf(t.Layer).Any(e => e.Branches?.Contains(l) == true))).ToList();
        if (along.Count == 0) yield break;
        yield return $"{string.Join(", ", along.Select(l => $"'{l.Name}'"))} {(along.Count == 1 ? "loses" : "lose")} the same channels: a merge " +
            $"on the way (a residual add, a gate) adds {(along.Count == 1 ? "its" : "their")} channels to those of " +
            $"{string.Join(", ", _asked.Select(l => $"'{l.Name}'"))}, and every branch of it must keep the same ones";
    }

    // The layers taken along because a grouped convolution's filters of a group read that group's channels alone: a prune
    // of a whole group's channels is one of its filters, and the other way round.
    private IEnumerable<string> GroupsAlong()
    {
        var removed = Targets.ToDictionary(t => t.Layer, t => t.Removed);
        foreach (var (producer, _) in Targets)
            foreach (var edge in Model.Graph.ConsumersOf(producer).Where(e => ConvGroups.IsGrouped(e) && Targets.Any(t => t.Layer == e.Consumer)))
            {
                var grouped = edge.Consumer;
                long m = ConvGroups.FiltersPerGroup(edge), i = ConvGroups.InputsPerGroup(edge), groups = ConvGroups.Groups(edge);
                if (!ConvGroups.WholeGroups(edge, ConvGroups.RemovedInputs(Model, grouped, removed.GetValueOrDefault)).Any()) continue;
                // A transposed convolution's neurons are its output channels, each made from its group's input channels.
                bool transposed = ConvGroups.IsTransposed(grouped);
                string kind = transposed ? "transposed convolution" : "convolution";
                if (ConvGroups.IsDepthwise(edge) && !transposed && !_asked.Contains(grouped))
                    yield return $"'{grouped.Name}' loses the filters that read those channels: it is a depthwise convolution, whose " +
                        (m == 1 ? $"filter of a channel of '{producer.Name}' reads" : $"{m} filters of a channel of '{producer.Name}' read") + " that channel alone";
                else if (!_asked.Contains(grouped))
                    yield return $"'{grouped.Name}' loses the groups whose channels those are: it is a {kind} of {groups} groups, whose " +
                        (transposed ? $"{m} output channel{(m == 1 ? " of a group is" : "s of a group are")} made from that group's {Channels(i)} alone"
                            : $"{m} filter{(m == 1 ? "" : "s")} of a group read that group's {Channels(i)} alone") +
                        ", and go with them (it has a group fewer for each)";
                else if (!_asked.Contains(producer))
                    yield return $"'{producer.Name}' loses the channels that those {(transposed ? "output channels are made from" : "filters read")}: '{grouped.Name}' is a " +
                        (ConvGroups.IsDepthwise(edge) && !transposed ? "depthwise convolution, whose filters of a channel read that channel alone, and go with it"
                            : $"{kind} of {groups} groups, whose {(transposed ? "output channels of a group are made from" : "filters of a group read")} " +
                              $"that group's {Channels(i)} alone, and go with them");
            }
    }

    private static string Channels(long count) => count == 1 ? "1 channel" : $"{count} channels";

    // A LayerNorm, RMSNorm or GroupNorm on a removed unit's way normalises each channel by statistics of several channels
    // (a BatchNorm's or InstanceNorm's are its own): with fewer of them, the kept channels come out otherwise, but for a
    // GroupNorm's groups that go whole. An operation's constant that reads as a norm's weight (an ONNX layer scale) only
    // scales each channel.
    private IEnumerable<string> MixingNorms()
    {
        var norms = Targets.SelectMany(t => Model.Graph.ConsumersOf(t.Layer).Where(e => !e.Feedback).SelectMany(e => e.Through.Except(e.Constants)))
            .Distinct().Where(norm => norm.Kind is "LayerNorm" or "RMSNorm" or "GroupNorm");
        foreach (var norm in norms)
        {
            var loss = GroupNormLoss(Model, norm, Cuts.FirstOrDefault(c => c.Tensor.Name == norm.Role("weight")?.Tensor.Name)?.Removed.GetValueOrDefault(0));
            if (loss is { Whole: > 0 } whole)
                yield return $"'{norm.Name}' (GroupNorm) has {whole.Whole} group{(whole.Whole == 1 ? "" : "s")} fewer ({whole.Groups} → " +
                    $"{whole.Groups - whole.Whole}): each group left is normalised over its channels as before";
            if (loss is { Partial: 0 }) continue;
            // A state dict's norm weight and bias are a LayerNorm's or a GroupNorm's alike, and neither says a GroupNorm's groups.
            string groups = loss is not null ? ""
                : norm.Kind == "GroupNorm" ? "; the file does not say how many groups it has, which must stay of one size (as many channels of each, or whole groups)"
                : norm.Kind == "LayerNorm" && norm.Assumed ? "; the file does not say whether it is a LayerNorm or a GroupNorm, whose groups must stay of one size " +
                    "(as many channels of each, or whole groups)"
                : "";
            yield return $"'{norm.Name}' ({norm.Kind}) normalises each channel by statistics taken over " +
                $"{(norm.Kind == "GroupNorm" ? "its group's channels" : "all its channels")} together, which are fewer now: the pruned model " +
                "computes only approximately what the original computes with these units ablated (neuron edit --zero --outgoing computes that exactly)" + groups;
        }
    }

    // What a prune that removes `gone` of a GroupNorm's channels does to its groups, where the file says how many it has:
    // how many go whole, and how many channels each of the others loses (null when they lose unequal counts: they would no
    // longer be of one size).
    private static (long Groups, long PerGroup, long[] Lost, long Whole, long? Partial)? GroupNormLoss(Model model, Layer norm, IReadOnlyCollection<long>? gone)
    {
        if (norm.Kind != "GroupNorm" || gone is null || GroupsStated(model, norm) is not { } groups || groups <= 0 || norm.NeuronCount % groups != 0)
            return null;
        long perGroup = norm.NeuronCount / groups;
        long[] lost = new long[groups];
        foreach (long channel in gone) lost[channel / perGroup]++;
        var partial = lost.Where(n => n < perGroup).Distinct().ToList();
        return (groups, perGroup, lost, lost.LongCount(n => n == perGroup), partial.Count switch { 0 => 0, 1 => partial[0], _ => null });
    }

    // The groups a file states for a GroupNorm: an ONNX GroupNormalization's num_groups (as DecomposedGroupNorm reads
    // torch.onnx's nodes), a Keras config's groups, a pickled module's num_groups; null for a state dict's weight alone.
    private static long? GroupsStated(Model model, Layer norm)
    {
        var graph = model.Checkpoint.Graph;
        return graph.Nodes.FirstOrDefault(n => n.OpType == "GroupNormalization" && n.LayerName == norm.Name)?.Int("num_groups", 0)
            ?? graph.Sequence.FirstOrDefault(s => s.Name == norm.Name && s.Class == "GroupNormalization")?.Groups
            ?? (graph.ModuleGroups.GetValueOrDefault(norm.Module ?? norm.Name) is > 0 and var pickled ? pickled : null);
    }

    // A GroupNorm whose groups the prune would leave of unequal sizes cannot be built.
    private static void CheckGroupNorms(Model model, Dictionary<string, (TensorInfo Tensor, Dictionary<int, SortedSet<long>> Dims)> removed)
    {
        foreach (var norm in model.Layers.Where(l => l.Kind == "GroupNorm"))
        {
            var weight = norm.Role("weight")?.Tensor;
            if (weight is null || !removed.TryGetValue(weight.Name, out var cut) || GroupNormLoss(model, norm, cut.Dims.GetValueOrDefault(0)) is not
                { Partial: null } loss)
                continue;
            // The groups that would lose channels (its channels, which a Concat before it may number otherwise than the layer's units).
            var losing = Enumerable.Range(0, (int)loss.Groups).Where(g => loss.Lost[g] > 0).ToList();
            string taken = string.Join(", ", losing.Take(4).Select((g, i) => $"{(i == 0 ? Channels(loss.Lost[g]) : loss.Lost[g])} of group {g}"))
                + (losing.Count > 4 ? ", …" : "")
                + (loss.Groups - losing.Count is > 0 and var untouched ? $" and none of the other {untouched} group{(untouched == 1 ? "" : "s")}" : "");
            throw new RequestException($"'{norm.Name}' (GroupNorm) normalises {loss.Groups} groups of {loss.PerGroup} channels each, and the prune " +
                $"would take {taken}: its groups would no longer be of one size",
                [$"remove as many of its channels from each group (the same one of each: {FirstOfEachGroup(loss.Groups, loss.PerGroup)}), " +
                 $"or whole groups (group 0 is its channels {Range(0, loss.PerGroup)})"]);
        }
    }

    /// <summary>Where the pruned model was written, as the caller named it; null while only planned.</summary>
    public string? WrittenTo { get; private set; }

    /// <summary>
    /// Plans removing <paramref name="targets"/>' neurons (negative indices count from the end). <paramref name="consumers"/>
    /// names the layers that read a target's output where the file tells none (<c>--consumer</c>); targets whose
    /// consumers the file tells keep those. A layer that feeds the same inputs of a consumer (llama's ffn_gate beside
    /// ffn_up) loses the matching units too, and is listed among <see cref="Targets"/>. Throws
    /// <see cref="RequestException"/> (exit 2) for what cannot be pruned consistently, saying what would work.
    /// </summary>
    public static ModelPrune Plan(Model model, IReadOnlyList<(Layer Layer, IReadOnlyList<long> Indices)> targets, IReadOnlyList<string>? consumers = null)
    {
        // One expert's rows cannot leave a tensor that stacks every expert: each would have to lose them.
        if (targets.FirstOrDefault(t => t.Layer.Implementation is Layers.Kinds.Experts).Layer is { } expert)
        {
            // An expert's consumer is its own expert of the down projection; what reads a head's output no convention says.
            string noun = Layers.Kinds.Experts.Noun(expert.Layout);
            throw new RequestException($"'{expert.Name}' is one {noun} of {expert.Module}, a tensor that stacks every {noun}'s weight: " +
                $"removing its rows would change every {noun}'s shape",
                [$"ablate with neuron edit {expert.Name} J --zero{(noun == "expert" ? " --outgoing" : "")} instead"]);
        }
        // A norm's (a PReLU's) channel j is its producer's output j: cut from the norm alone, the producer would still make it.
        if (targets.FirstOrDefault(t => t.Layer.Implementation.PassesChannels).Layer is { } norm)
        {
            var producers = model.Layers.Where(l => model.Graph.ConsumersOf(l).Any(e => e.Through.Contains(norm))).Select(l => $"'{l.Name}'").ToList();
            string producer = producers.Count > 0 ? string.Join(" and ", producers) : "the layer that feeds it";
            throw new RequestException($"'{norm.Name}' ({norm.Kind}) scales the channels {producer} makes: removing its channels alone " +
                "would leave that layer making them, and the pruned model could not run",
                [producers.Count > 0
                    ? $"prune {producer} instead: its channels in '{norm.Name}' go with them"
                    : $"prune the layer that feeds it, naming its consumer with --consumer so that '{norm.Name}' is cut on the way"]);
        }
        var normalized = targets.GroupBy(t => t.Layer).Select(g => (Layer: g.Key, Removed: Normalize(g.Key, g.SelectMany(t => t.Indices)))).ToList();
        normalized = WithCoProducers(model, normalized, consumers);
        CheckBranches(model, normalized, consumers);
        CheckGroups(model, normalized);
        CheckGroupedInputs(model, normalized);
        CheckRecurrentSiblings(model, normalized);
        CheckSharedTensors(model, normalized);
        var removed = new Dictionary<string, (TensorInfo Tensor, Dictionary<int, SortedSet<long>> Dims)>(StringComparer.Ordinal);
        var consumerNames = new List<string>();
        var removedOf = normalized.ToDictionary(n => n.Layer, n => n.Removed);
        var cutLayers = normalized.Select(n => n.Layer).ToHashSet();
        foreach (var (layer, indices) in normalized)
        {
            var edges = Edges(model, layer, consumers);
            // A grouped consumer that loses whole groups loses their filters, its own removed neurons, cut as such; one that
            // loses the same channels of every group (CheckGroupedInputs) loses those columns of its weight.
            var wholeGroups = edges.Where(e => ConvGroups.IsGrouped(e)
                && ConvGroups.WholeGroups(e, ConvGroups.RemovedInputs(model, e.Consumer, l => removedOf.GetValueOrDefault(l))).Any())
                .Select(e => e.Consumer.Name).ToHashSet();
            consumerNames.AddRange(edges.Where(e => !e.Feedback).Select(e => e.Consumer.Name));
            cutLayers.UnionWith(edges.SelectMany(e => e.Through.Append(e.Consumer)));
            var removedHere = indices.ToHashSet();
            foreach (long j in indices)
            {
                var neuron = edges.Count == 0 ? layer.Neuron(j) : model.Graph.WithOutgoing(layer.Neuron(j), edges);
                var parts = neuron.Parts.ToList();
                if (!edges.Any(e => e.Feedback) && layer.Implementation.FeedbackParts(layer, j) is { } feedback)
                    parts.AddRange(feedback.Select(p => p.Toward(PartDirection.Out, layer.Name)));
                // A grouped ConvTranspose's output channel, weight[g·i:(g+1)·i, k], goes as its group's rows or as column k.
                foreach (var part in parts.Where(p => p.Direction != PartDirection.Out || !wholeGroups.Contains(p.Consumer!)))
                    Cut(model, part, removed, ConvGroups.TransposedDimension(layer, part, j, removedHere));
            }
            CutPerChannelFakeQuantization(layer, indices, removed);
        }
        CheckGroupNorms(model, removed);
        var keptBy = HeldElsewhere(model, removed.Keys, cutLayers);
        var cuts = model.Checkpoint.Tensors.Where(t => removed.ContainsKey(t.Name))
            .Select(t => new TensorCut(removed[t.Name].Tensor, removed[t.Name].Dims) { KeptBy = keptBy.GetValueOrDefault(t.Name) ?? [] }).ToList();
        if (PruneWriters.For(model.Checkpoint.Format) is { } writer)
            cuts = [.. cuts, .. writer.Companions(model.Checkpoint, cuts).Where(c => !removed.ContainsKey(c.Tensor.Name))];
        // After the format's own refusals (llama.cpp's one head size, which GGUF's writer names).
        CheckAttentionValues(model, normalized, consumers);
        // A tensor read from several stored ones (a pruning mask's original and mask) is cut as they are.
        var stored = cuts.SelectMany(c => c.Tensor.Storage.Source is IPartwiseCut partwise ? partwise.PartCuts(c) : [c]).ToList();
        CheckShared(model, stored);
        return new ModelPrune(model, normalized.Select(n => (n.Layer, (IReadOnlyList<long>)n.Removed)).ToList(), stored, cuts, [.. consumerNames.Distinct()],
            targets.Select(t => t.Layer).ToHashSet());
    }

    /// <summary>
    /// Throws <see cref="RequestException"/> when no prune of <paramref name="model"/>'s file could be written, whatever
    /// its layers (a format not written yet, packed quantized tensors, a sharded model): to say before any plan's trouble.
    /// </summary>
    public static void CheckWritable(Model model) => WriterFor(model).CheckWritable(model.Checkpoint);

    private static IPruneWriter WriterFor(Model model) =>
        PruneWriters.For(model.Checkpoint.Format) ?? throw new RequestException($"pruning {model.Checkpoint.Format} files is not supported yet",
            ["neuron edit --zero --outgoing ablates the neurons in place instead"]);

    /// <summary>
    /// Writes the pruned model to <paramref name="output"/> in the file's own format: new files in a temporary folder
    /// beside it (the model, and the data file some formats keep beside it), flushed to disk and, meanwhile, checked by
    /// reading them back (every tensor
    /// there, the cut ones with their new shapes and exactly the kept values), then renamed into place, the model last; on
    /// any failure the folder is removed and nothing else has changed.
    /// </summary>
    public void WriteTo(string output)
    {
        if (Tensors.ByteSources.IsUrl(Model.Checkpoint.Path))
            throw Remote.HttpRangeSource.NotLocal(Tensors.ByteSources.FileName(Model.Checkpoint.Path), "prune");
        var writer = WriterFor(Model);
        writer.CheckWritable(Model.Checkpoint);
        string full = OutputFile.Target(output);
        string folder = Path.GetDirectoryName(full)!;
        // A folder, not a file: a writer's side files (ONNX external data) are named after the output and found beside it.
        string temporary = OutputFile.TemporaryBeside(full);
        string written = Path.Combine(temporary, Path.GetFileName(full));
        var snapshot = FileSnapshot.Of(Model.Checkpoint.Path);
        try
        {
            try
            {
                Directory.CreateDirectory(temporary);
                writer.Write(Model.Checkpoint, Cuts, written);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CheckpointException($"{output} cannot be written: {e.Message}", inner: e);
            }
            snapshot.CheckUnchanged();
            // The flush to disk (seconds for gigabytes) and the read-back check (from the page cache) run side by side.
            try
            {
                Parallel.Invoke(() => FlushToDisk(temporary, output), () => Check(written));
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
            var sides = Directory.GetFiles(temporary).Where(f => f != written).ToList();
            // A side file named after the output (ONNX's OUT.data) must not replace a file the model reads, which would
            // stay and read it, unless the output replaces the model too.
            if (OutputFile.Resolved(full) != OutputFile.Resolved(Model.Checkpoint.Path))
            {
                var reading = Model.Checkpoint.Files.Concat(Model.Checkpoint.Tensors.Select(t => t.Storage.Source).OfType<MappedFile>().Select(f => f.Path))
                    .Where(f => !Tensors.ByteSources.IsUrl(f)).Select(OutputFile.Resolved).ToHashSet();
                if (sides.Select(side => Path.GetFileName(side)).FirstOrDefault(name => reading.Contains(OutputFile.Resolved(Path.Combine(folder, name)))) is { } clash)
                    throw new RequestException($"{Path.GetFileName(full)} keeps its tensors in {clash}, which {Model.Checkpoint.FileName} reads: " +
                        "writing it would replace the data of the model being pruned", ["name another output file"]);
            }
            foreach (string side in sides)
                File.Move(side, Path.Combine(folder, Path.GetFileName(side)), overwrite: true);
            File.Move(written, full, overwrite: true);
            WrittenTo = output;
        }
        finally
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        }
    }

    private static void FlushToDisk(string folder, string output)
    {
        try
        {
            foreach (string file in Directory.GetFiles(folder))
            {
                using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Write);
                RandomAccess.FlushToDisk(handle);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{output} cannot be written: {e.Message}", inner: e);
        }
    }

    private void Check(string path)
    {
        using var written = Model.Open(path);
        var cuts = _readCuts.ToDictionary(c => c.Tensor.Name);
        foreach (var tensor in Model.Checkpoint.Tensors)
        {
            var now = written.Checkpoint.Find(tensor.Name)
                ?? throw new CheckpointException($"the pruned {Path.GetFileName(path)} has no tensor '{tensor.Name}'; nothing was kept");
            long[] shape = cuts.TryGetValue(tensor.Name, out var cut) ? cut.NewShape : [.. tensor.Shape];
            if (now.DType != tensor.DType || !now.Shape.SequenceEqual(shape))
                throw new CheckpointException($"the pruned {Path.GetFileName(path)} holds '{tensor.Name}' as {now.Shape.Text()} " +
                    $"{now.DType.Name()}, not {shape.Text()} {tensor.DType.Name()}; nothing was kept");
            // Values are compared where the cut tensor is the file's own, read element by element: plain, a PyTorch qtensor
            // (whose cut scales must then dequantize the kept integers to the same values), or read from stored tensors cut alike.
            bool comparable = cut is not null && (tensor.StoredAs is null && cut.Tensor.StoredAs is null || tensor.Quantization is not null && cut.Tensor.Quantization == tensor.Quantization
                || tensor.Storage.Source is IPartwiseCut);
            if (comparable && !HoldsKept(now, cut!))
                throw new CheckpointException($"the pruned {Path.GetFileName(path)} does not hold the kept values of '{tensor.Name}'; nothing was kept");
        }
    }

    // Compared as stored bytes, a block at a time, where the written tensor is stored plainly and contiguously (a 64 MiB
    // weight is not turned into doubles twice); else as values.
    private static bool HoldsKept(TensorInfo now, TensorCut cut)
    {
        if (now.StoredAs is not null || now.Quantization is not null || !now.Strides.SequenceEqual(TensorInfo.ContiguousStrides(now.Shape)))
            return now.View().ToDoubles().SequenceEqual(cut.KeptValues());
        var written = new ComparingStream(now.Storage.Source, now.Storage.ByteOffset + now.StorageOffset * now.DType.Size());
        cut.WriteKeptBytes(written);
        return written.Same;
    }

    private static List<long> Normalize(Layer layer, IEnumerable<long> indices)
    {
        var list = indices.Select(i => layer.Neuron(i).Index).Distinct().Order().ToList();
        if (list.Count >= layer.NeuronCount)
            throw new RequestException($"pruning all {layer.NeuronCount} neurons of '{layer.Name}' would leave an empty layer");
        return list;
    }

    // A grouped convolution's filters are its groups' (weight [out, in/groups, …]): the groups must keep as many each, or
    // lose whole groups, whose input channels WithCoProducers took from their producers; a group whose input channels no
    // layer makes (a model input) cannot go. A grouped ConvTranspose's output channels (weight [in, out/groups, …]) share
    // its columns among the groups, output channel k of each group being column k of that group's rows: the groups lose
    // the same output channels each, or whole groups (their rows).
    private static void CheckGroups(Model model, List<(Layer Layer, List<long> Removed)> targets)
    {
        var removedOf = targets.ToDictionary(t => t.Layer, t => t.Removed);
        foreach (var (layer, removed) in targets)
        {
            var into = model.Layers.SelectMany(p => model.Graph.ConsumersOf(p).Select(e => (Producer: p, Edge: e)))
                .Where(p => p.Edge.Consumer == layer && !p.Edge.Feedback && (p.Edge.Groups > 1 || ConvGroups.IsGrouped(p.Edge))).ToList();
            // A Keras depthwise kernel [k…, in, multiplier] groups its filters by input channel, even one.
            var kernel = layer.Role("weight")?.Tensor;
            bool channelsLast = ConvGroups.IsChannelsLast(layer), transposed = ConvGroups.IsTransposed(layer);
            long groups = channelsLast ? kernel!.Shape[^2] : transposed ? Layers.Kinds.ConvTranspose.Groups(layer)
                : into.Count > 0 ? ConvGroups.Groups(into[0].Edge) : GroupsInFile(model, layer);
            if (groups <= 1 && !channelsLast) continue;
            long perGroup = layer.NeuronCount / groups;
            var counts = Enumerable.Range(0, checked((int)groups)).Select(g => removed.Count(j => j / perGroup == g)).ToList();
            // A transposed convolution's filters are its output channels, made from (not reading) its group's channels.
            string filter = transposed ? "output channel" : "filter", filters = filter + "s";
            if (!channelsLast && counts.Distinct().Count() == 1 && counts[0] < perGroup)
            {
                if (!transposed) continue;
                var columns = Enumerable.Range(0, checked((int)groups)).Select(g => removed.Where(j => j / perGroup == g).Select(j => j % perGroup).ToList()).ToList();
                if (columns.All(c => c.SequenceEqual(columns[0]))) continue;
                string removes = groups <= 4
                    ? string.Join(" and ", columns.Select((c, g) => $"{(c.Count == 1 ? filter : filters)} {string.Join(", ", c.Select(k => g * perGroup + k))} of group {g}"))
                    : $"{removed.Count} {filters} from its {groups} groups, not the same ones of each";
                throw new RequestException($"'{layer.Name}' is a transposed convolution of {groups} groups of {perGroup} output channels, whose weight " +
                    $"{kernel!.Shape.Text()} (in, out/groups, …) keeps output channel k of every group in column k of dimension 1: a prune removes the " +
                    $"same output channels of every group, or whole groups, and this one removes {removes}",
                    [$"remove the same output channel of each group ({FirstOfEachGroup(groups, perGroup)}), or all the output channels of a group ({Range(0, perGroup)}, {Range(perGroup, perGroup)}, …), which take " +
                     "its input channels along, or ablate with neuron edit --zero --outgoing instead"]);
            }
            bool conv = channelsLast || transposed || layer.Implementation is Layers.Kinds.Conv or Layers.Kinds.ChannelsLastConv;
            long inputs = conv ? ConvGroups.InputsPerGroup(layer, groups) : 0;
            bool depthwise = inputs == 1 && !transposed;
            string kind = transposed ? "transposed convolution" : "convolution";
            if (conv && counts.All(c => c == 0 || c == perGroup))
            {
                var cut = ConvGroups.RemovedInputs(model, layer, l => removedOf.GetValueOrDefault(l));
                var orphan = counts.Select((c, g) => (Count: c, Group: (long)g))
                    .FirstOrDefault(g => g.Count > 0 && Enumerable.Range(0, checked((int)inputs)).Any(k => !cut.Contains(g.Group * inputs + k)));
                if (orphan.Count == 0) continue;
                string these = $"{(perGroup == 1 ? filter : filters)} {Range(orphan.Group * perGroup, perGroup)}";
                throw new RequestException((depthwise
                        ? $"'{layer.Name}' is a depthwise convolution: its input channel {orphan.Group} goes with the {these} that read{(perGroup == 1 ? "s" : "")} it alone"
                        : $"'{layer.Name}' is a {kind} of {groups} groups: its input channel{(inputs == 1 ? "" : "s")} {Range(orphan.Group * inputs, inputs)} " +
                          $"go{(inputs == 1 ? "es" : "")} with the {these} that {(transposed ? (perGroup == 1 ? "is made from" : "are made from") : "read")} " +
                          $"{(inputs == 1 ? "it" : "them")} alone") +
                    $", but no layer NeuronKit can cut makes {(inputs == 1 ? "that channel" : "them")} (a model input, or what the file's graph does not say)",
                    ["ablate with neuron edit --zero --outgoing instead"]);
            }
            // Keras keeps each channel's filters in a slice of the kernel's dimension in, and filter k of every channel in one
            // of dimension multiplier (depth_multiplier's, which NeuronKit does not cut): only whole channels go.
            if (channelsLast)
            {
                int partial = counts.FindIndex(c => c > 0 && c < perGroup);
                var some = removed.Where(j => j / perGroup == partial).ToList();
                throw new RequestException($"'{layer.Name}' is a depthwise convolution whose kernel {kernel!.Shape.Text()} keeps the {perGroup} filters of " +
                    $"each input channel in one slice of dimension {kernel.Shape.Count - 2}: a prune removes all of a channel's filters, with the channel, " +
                    $"or none of them, and this one removes {some.Count} of the {perGroup} filters of input channel {partial} " +
                    $"(filter{(some.Count == 1 ? "" : "s")} {string.Join(", ", some)})",
                    [$"remove all the filters of a channel (filters {Range(0, perGroup)}, {Range(perGroup, perGroup)}, …), which take the channel along " +
                     "from the layer that makes it, or ablate with neuron edit --zero --outgoing instead"]);
            }
            throw new RequestException($"'{layer.Name}' is a {kind} of {groups} groups of {perGroup} {filters}{(depthwise ? $" (depthwise: {perGroup} per input channel)" : "")}: " +
                (counts.Count <= 4 ? $"removing {string.Join(" and ", counts)} {filters} from its groups in turn"
                    : $"removing {removed.Count} {(removed.Count == 1 ? filter : filters)} from {counts.Count(c => c > 0)} of its {counts.Count} groups") + " would unbalance them",
                [(transposed ? $"remove the same output channels of each group ({FirstOfEachGroup(groups, perGroup)})"
                    : $"remove as many filters from each group (filters {Range(0, perGroup)}, {Range(perGroup, perGroup)}, …)") +
                 (conv ? $", or all the {filters} of a group{(transposed ? $" ({Range(0, perGroup)}, {Range(perGroup, perGroup)}, …)" : "")}, which take its input channel{(depthwise ? "" : "s")} along" : "") +
                 ", or ablate with neuron edit --zero --outgoing instead"]);
        }
    }

    // A grouped convolution's input channels go by whole groups, whose filters WithCoProducers took along, or as the same
    // channels of every group, whose filters then read as many fewer each (weight [out, in/groups, …] loses those columns):
    // anything else would unbalance its groups. A grouped ConvTranspose keeps each input channel in a row of its own
    // (weight [in, out/groups, …]): any channels go whose groups lose as many each.
    private static void CheckGroupedInputs(Model model, List<(Layer Layer, List<long> Removed)> targets)
    {
        var removedOf = targets.ToDictionary(t => t.Layer, t => t.Removed);
        foreach (var consumer in targets.SelectMany(t => model.Graph.ConsumersOf(t.Layer)).Where(ConvGroups.IsGrouped).Select(e => e.Consumer).Distinct())
        {
            var into = ConvGroups.Into(model, consumer).ToList();
            var edge = into[0].Edge;
            long perGroup = ConvGroups.InputsPerGroup(edge), groups = ConvGroups.Groups(edge);
            bool transposed = ConvGroups.IsTransposed(consumer);
            var inputs = ConvGroups.RemovedInputs(model, consumer, l => removedOf.GetValueOrDefault(l));
            var whole = ConvGroups.WholeGroups(edge, inputs).ToHashSet();
            var rest = inputs.Where(c => !whole.Contains(c / perGroup)).ToList();
            if (rest.Count == 0) continue;
            var offsets = Enumerable.Range(0, checked((int)groups)).Select(g => rest.Where(c => c / perGroup == g).Select(c => c % perGroup).ToList()).ToList();
            if (transposed ? offsets.All(o => o.Count == offsets[0].Count) : offsets.All(o => o.SequenceEqual(offsets[0]))) continue;
            // Channels named as the one producer's, where it makes all the inputs (a norm on the way passes them on); else as
            // the consumer's inputs.
            string whose = into.Where(p => !p.Producer.Implementation.PassesChannels).ToList() is [{ Edge.Map.Offset: 0 } only]
                && only.Producer.NeuronCount == groups * perGroup
                ? $"the channels of '{only.Producer.Name}'" : "its input channels";
            var losing = offsets.Select((o, g) => (Offsets: o, Group: g)).Where(g => g.Offsets.Count > 0 || whole.Contains(g.Group)).ToList();
            string removes = groups <= 4
                ? string.Join(" and ", offsets.Select((o, g) => whole.Contains(g) ? $"all of group {g}" : o.Count == 0 ? $"none of group {g}"
                    : $"{(o.Count == 1 ? "channel" : "channels")} {string.Join(", ", o.Select(c => g * perGroup + c))} of group {g}"))
                : $"{inputs.Count} channels from {losing.Count} of its {groups} groups, {(transposed ? "not as many of each" : "not the same ones of each")}";
            string firsts = FirstOfEachGroup(groups, perGroup);
            throw new RequestException(transposed
                    ? $"'{consumer.Name}' is a transposed convolution that reads {whose} in {groups} groups of {perGroup}: a prune removes whole groups of " +
                      $"them, with the output channels made from them, or as many channels of every group, and this one removes {removes}"
                    : $"'{consumer.Name}' is a convolution that reads {whose} in {groups} groups of {perGroup}: a prune removes whole " +
                      $"groups of them, with the filters that read them, or the same channels of every group, and this one removes {removes}",
                [$"remove whole groups (channels {Range(0, perGroup)}, {Range(perGroup, perGroup)}, …), which take the " +
                 (transposed ? $"output channels of '{consumer.Name}' made from them along, or as many channels of each group (one of each: {firsts})"
                     : $"filters of '{consumer.Name}' that read them along, or the same channel of each group ({firsts})") +
                 ", or ablate with neuron edit --zero --outgoing instead"]);
        }
    }

    // The groups an ONNX Conv node or a Keras config's Conv2D states, where no edge into the layer tells them (its input is
    // the model's, or beyond what NeuronKit follows); 1 where the file says none.
    private static long GroupsInFile(Model model, Layer layer) => layer.Implementation switch
    {
        Layers.Kinds.Conv when layer.Aliases.Count > 0 =>
            model.Checkpoint.Graph.Nodes.FirstOrDefault(n => n.Outputs.Contains(layer.Aliases[0])) is { } node ? node.Int("group", 1) : 1,
        Layers.Kinds.ChannelsLastConv => model.Checkpoint.Graph.Sequence.FirstOrDefault(s => s.Name == layer.Name)?.Groups ?? 1,
        _ => 1,
    };

    // Index 0 of each of a layer's first groups, as a hint lists the same one of every group: "0, 6, 12, …".
    private static string FirstOfEachGroup(long groups, long perGroup) =>
        string.Join(", ", Enumerable.Range(0, (int)Math.Min(groups, 3)).Select(g => g * perGroup)) + (groups > 3 ? ", …" : "");

    private static string Range(long first, long count) => count == 1 ? $"{first}" : $"{first}..{first + count - 1}";

    // nn.LSTM/GRU/RNN keep one hidden size for every layer and direction: their sub-layers shrink together or not at all.
    private static void CheckRecurrentSiblings(Model model, List<(Layer Layer, List<long> Removed)> targets)
    {
        // A PyTorch module's layers and directions; a Keras Bidirectional's two, built from one layer's config.
        var byName = model.Layers.GroupBy(l => l.Name).ToDictionary(g => g.Key, g => g.First());
        var groups = model.Layers.Where(l => l.Gates is not null && l.Module is not null).GroupBy(l => l.Module!)
            .Select(g => (Name: g.Key, Layers: (IReadOnlyList<Layer>)[.. g]))
            .Concat(model.Layers.Where(l => l.Implementation is Layers.Kinds.KerasRecurrent)
                .Select(l => Graph.RecurrentEdges.Directions(byName, l)).Where(d => d.Count > 1).DistinctBy(d => d[0])
                .Select(d => (Name: d[0].Name[..d[0].Name.LastIndexOf('.')], Layers: d)));
        foreach (var (name, siblings) in groups)
        {
            var counts = siblings.Select(s => targets.FirstOrDefault(t => t.Layer == s).Removed?.Count ?? 0).ToList();
            if (counts.Distinct().Count() > 1)
                throw new RequestException($"'{name}' keeps one hidden size for all its layers and directions " +
                    $"({string.Join(", ", siblings.Select(s => s.Name))}): prune as many units of each",
                    [$"--neurons {string.Join(",", siblings.Select(s => $"{s.Name}:J"))} (one J per layer)"]);
        }
    }

    // The directions of one ONNX recurrent node share its W, R and B, and a cut removes the same indices from every
    // direction: so they lose the same units or none (CheckRecurrentSiblings has them lose as many). Another layer that
    // reads a target's tensor (torch.onnx gives equal parameters, such as two zero biases, one initializer) is given a copy
    // where the writer keeps shared tensors (HeldElsewhere).
    private static void CheckSharedTensors(Model model, List<(Layer Layer, List<long> Removed)> targets)
    {
        bool copies = PruneWriters.For(model.Checkpoint.Format)?.KeepsSharedTensors ?? false;
        foreach (var (layer, _) in targets)
            foreach (var other in model.Layers.Where(l => l != layer && targets.All(t => t.Layer != l) && !copies))
                if (layer.Tensors.Select(t => t.Tensor.Name).Intersect(other.Tensors.Select(t => t.Tensor.Name)).FirstOrDefault() is { } shared)
                    throw new RequestException($"'{layer.Name}' and '{other.Name}' share {shared}: a prune removes the same units from both",
                        [$"--neurons {layer.Name}:J,{other.Name}:J (the same J for both)"]);
        for (int i = 0; i < targets.Count; i++)
            for (int k = i + 1; k < targets.Count; k++)
            {
                var (a, b) = (targets[i], targets[k]);
                if (a.Layer.Tensors.Select(t => t.Tensor.Name).Intersect(b.Layer.Tensors.Select(t => t.Tensor.Name)).FirstOrDefault() is { } shared
                    && !a.Removed.SequenceEqual(b.Removed))
                    throw new RequestException($"'{a.Layer.Name}' and '{b.Layer.Name}' share {shared}: a prune removes the same units " +
                        $"from both, not {string.Join(",", a.Removed)} from one and {string.Join(",", b.Removed)} from the other",
                        [$"--neurons {a.Layer.Name}:J,{b.Layer.Name}:J (the same J for both)"]);
            }
    }

    // An attention's value unit is one place of a head, and every head has the one head size (transformers' head_dim, for
    // queries and keys too): a model with one head shorter cannot be built. Under grouped-query attention several query
    // heads read that place of a key/value head.
    private static void CheckAttentionValues(Model model, List<(Layer Layer, List<long> Removed)> targets, IReadOnlyList<string>? named)
    {
        foreach (var (layer, indices) in targets)
            if (Edges(model, layer, named).FirstOrDefault(e => e.AttentionValues || e.Map.Heads is not null) is { } edge)
                throw new RequestException((edge.Map.Heads is { } heads
                        ? $"'{layer.Name}' is the value projection of grouped-query attention ({heads.Times} query heads share each of its " +
                          $"heads of {heads.Size} units): removing unit {indices[0]} would leave its head shorter than every other, " +
                          $"and '{edge.Consumer.Name}' reads it once for each of the {heads.Times}"
                        : $"'{edge.Consumer.Name}' reads '{layer.Name}' as attention heads' values: removing unit {indices[0]} would " +
                          "leave its head shorter than every other") +
                    ", while the model computes every head at one head size (its queries' and keys' too), so the pruned model could not be built",
                    [$"ablate it with neuron edit {layer.Name} {indices[0]} --zero --outgoing instead"]);
    }

    // A merge on the way (a residual Add, a gate's Mul) adds other branches' channel j to the producer's: every layer that
    // makes one of them loses channel j too, or the merge would add channels that no longer match. The co-producers have
    // them all when each branch reaches the same consumers; this says so when one does not.
    private static void CheckBranches(Model model, List<(Layer Layer, List<long> Removed)> targets, IReadOnlyList<string>? named)
    {
        var removed = targets.ToDictionary(t => t.Layer, t => t.Removed);
        foreach (var (layer, indices) in targets)
            foreach (var edge in Edges(model, layer, named).Where(e => e.Residual && e.Branches is not null))
                if (edge.Branches!.FirstOrDefault(b => !removed.TryGetValue(b, out var units) || !units.SequenceEqual(indices)) is { } branch)
                {
                    var group = edge.Branches!.Prepend(layer).Distinct().Select(l => $"{l.Name}:{string.Join(",", indices)}");
                    throw new RequestException($"layer '{layer.Name}' feeds a merge on its way to '{edge.Consumer.Name}' that adds the channels of " +
                        $"'{branch.Name}' to its own: a prune removes the same channels from every branch of the merge, not " +
                        $"{string.Join(",", indices)} from '{layer.Name}' and {(removed.TryGetValue(branch, out var other) ? string.Join(",", other) : "none")} from '{branch.Name}'",
                        [$"--neurons {string.Join(",", group)}"]);
                }
    }

    // Two producers read into the same inputs of a consumer (llama's ffn_up and ffn_gate, multiplied before ffn_down), or two
    // blocks of one (Phi-3's gate_up_proj, gate | up): removing those inputs removes the other units that feed them too, or
    // the rows would outnumber them.
    // Layers on the way (a BatchNorm between a conv and its consumer) are part of the edge, not other producers. A
    // depthwise convolution's filters go with the channel they read, and the other way round. A layer is looked at again
    // whenever it gains units, until none does.
    private static List<(Layer Layer, List<long> Removed)> WithCoProducers(Model model, List<(Layer Layer, List<long> Removed)> targets,
        IReadOnlyList<string>? named)
    {
        var removed = targets.ToDictionary(t => t.Layer, t => new SortedSet<long>(t.Removed));
        var order = targets.Select(t => t.Layer).ToList();
        var pending = new Queue<Layer>(order);
        var queued = order.ToHashSet();
        void Add(Layer layer, IEnumerable<long> adding)
        {
            var units = adding.ToList();
            if (units.Count == 0) return;
            if (!removed.TryGetValue(layer, out var set))
            {
                removed[layer] = set = [];
                order.Add(layer);
            }
            int before = set.Count;
            set.UnionWith(units);
            if (set.Count > before && queued.Add(layer)) pending.Enqueue(layer);
        }
        while (pending.TryDequeue(out var layer))
        {
            queued.Remove(layer);
            var units = removed[layer].ToList();
            foreach (var edge in Edges(model, layer, named).Where(e => !e.Feedback))
            {
                var columns = units.SelectMany(j => Columns(edge, j)).ToHashSet();
                // Blocks of the layer's own units that fold onto the same inputs (Phi-3's gate | up halves) go together.
                if (edge.Map.Fold is not null)
                    Add(layer, Enumerable.Range(0, checked((int)layer.NeuronCount)).Select(k => (long)k)
                        .Where(k => edge.Carries(k) && Columns(edge, k).Any(columns.Contains)));
                foreach (var other in model.Layers.Where(l => l != layer && !edge.Through.Contains(l)))
                    foreach (var shared in model.Graph.ConsumersOf(other).Where(e => !e.Feedback && e.Consumer == edge.Consumer && !e.Through.Contains(layer)))
                        Add(other, Enumerable.Range(0, checked((int)other.NeuronCount)).Select(k => (long)k)
                            .Where(k => shared.Carries(k) && Columns(shared, k).Any(columns.Contains)));
                if (ConvGroups.IsGrouped(edge))
                    Add(edge.Consumer, ConvGroups.WholeGroups(edge, ConvGroups.RemovedInputs(model, edge.Consumer, removed.GetValueOrDefault))
                        .SelectMany(g => ConvGroups.Filters(edge, g)));
            }
            foreach (var (producer, channels) in ConvGroups.Producers(model, layer, units)) Add(producer, channels);
        }
        // A norm on a branch's way (a BatchNorm after a ReLU, a layer of its own) reads into the consumer's inputs too, and
        // is cut with the branch's producer.
        var through = order.SelectMany(l => Edges(model, l, named)).SelectMany(e => e.Through).ToHashSet();
        return [.. order.Where(l => targets.Any(t => t.Layer == l) || !through.Contains(l)).Select(l => (l, Normalize(l, removed[l])))];
    }

    // The consumer inputs unit j reaches through an edge: Spread of them from each of the edge's map's firsts.
    private static IEnumerable<long> Columns(LayerEdge edge, long j) =>
        edge.Map.Firsts(j).SelectMany(first => Enumerable.Range(0, checked((int)edge.Map.Spread)).Select(c => first + c));

    private static IReadOnlyList<LayerEdge> Edges(Model model, Layer layer, IReadOnlyList<string>? named)
    {
        // An LSTM with proj_size outputs weight_hr's proj_size rows, and reads them back with weight_hh's columns: a hidden
        // unit's outgoing weights are its own weight_hr column, cut with its gate rows, and no reader's inputs change.
        if (Graph.LayerGraph.IsProjected(layer)) return [];
        // Named consumers stand in where the file tells none; a layer whose consumers the file does tell keeps them.
        var known = model.Graph.ConsumersOf(layer);
        var edges = named is { Count: > 0 } && known.All(e => e.Feedback)
            ? [.. known, .. model.NamedEdges(layer, named)]
            : known.ToList();
        if (edges.All(e => e.Feedback))
            throw new RequestException($"layer '{layer.Name}' has no known consumer: {model.Graph.WhyNoConsumer(layer)}; " +
                "pruning it would leave whatever reads it with inputs that no longer exist",
                ["name it with --consumer LAYER"]);
        if (model.Graph.Unfollowed(layer) is { } lost)
            throw new RequestException($"layer '{layer.Name}' is also read where NeuronKit cannot follow its channels ({lost}); " +
                "pruning it would leave that reader with inputs that no longer exist");
        if (edges.FirstOrDefault(e => e.Uncut is not null) is { } uncut)
            throw new RequestException($"layer '{layer.Name}' reaches '{uncut.Consumer.Name}' through {uncut.Uncut}, which NeuronKit cannot cut " +
                "with the channels: the pruned model would keep an entry for each removed one, and fail to run",
                ["ablate with neuron edit --zero --outgoing instead"]);
        if (edges.FirstOrDefault(e => e.Residual && e.Branches is null) is { } residual)
            throw new RequestException($"layer '{layer.Name}' feeds a merge with another branch (a residual add, a gate) on its way to '{residual.Consumer.Name}': the other branch " +
                "would need the same channels removed, and it is not made by layers NeuronKit can cut with them (a model input, a concatenation, " +
                "or a file whose graph does not say)", ["ablate with neuron edit --zero --outgoing instead"]);
        // A grouped convolution's (a ConvTranspose's too, weight [in, out/groups, …], though its edge, a row per input
        // channel, needs no groups to find them) are checked once every layer's channels are known (CheckGroupedInputs);
        // any other layer read in groups is refused.
        if (edges.Where(e => !ConvGroups.IsGrouped(e)).Select(e => (Edge: e, Groups: ConvGroups.Groups(e)))
                .FirstOrDefault(g => g.Groups > 1) is { Edge: { } grouped, Groups: var groups })
            throw new RequestException($"'{grouped.Consumer.Name}' reads '{layer.Name}' in {groups} groups: removing a channel " +
                "would unbalance its groups", ["ablate with neuron edit --zero --outgoing instead"]);
        return edges;
    }

    // Quantization-aware training's per-channel state of a layer's weight (weight_fake_quant's scale, zero_point, min_val and
    // max_val, one per output channel, along dim 0 as PyTorch's per-channel observers keep it) loses the removed channels:
    // kept whole, its channels would no longer fit the weight's. A layer whose neurons are not along dim 0 of its weight (a
    // ConvTranspose) cannot say which axis its observer took, and is refused.
    private static void CutPerChannelFakeQuantization(Layer layer, List<long> indices, Dictionary<string, (TensorInfo Tensor, Dictionary<int, SortedSet<long>> Dims)> removed)
    {
        var perChannel = layer.Tensors.Where(t => LayerCandidate.IsFakeQuantization(t.Role) && t.Role.StartsWith("weight_fake_quant.", StringComparison.Ordinal)
            && t.Tensor.Shape is [var n] && n == layer.NeuronCount && n > 1).ToList();
        if (perChannel.Count == 0) return;
        var weight = layer.Tensors.FirstOrDefault(t => t.Role == "weight")?.Tensor;
        if (weight is null || !removed.TryGetValue(weight.Name, out var cut) || cut.Dims.Keys.SingleOrDefault(-1) != 0)
            throw new RequestException($"'{layer.Name}' keeps per-channel fake quantization state ({perChannel[0].Tensor.Name} " +
                $"{perChannel[0].Tensor.Shape.Text()}) for neurons that are not the rows of its weight: which channels it holds is not known",
                ["ablate with neuron edit --zero --outgoing instead"]);
        foreach (var buffer in perChannel)
            removed[buffer.Tensor.Name] = (buffer.Tensor, new Dictionary<int, SortedSet<long>> { [0] = [.. indices] });
    }

    // A part's slice removes its indexed (or ranged) dimension from the tensor. An outgoing part may also name the gate
    // block it lies in (weight_ih[0:20, 3]): its input dimension, the last one it names, is the one that shrinks.
    private static void Cut(Model model, NeuronPart part, Dictionary<string, (TensorInfo Tensor, Dictionary<int, SortedSet<long>> Dims)> removed,
        int? dimension = null)
    {
        // A slice every neuron has (a Gemm's one broadcast bias) stays whole: it still broadcasts to the units kept. A
        // tensor saved expanded has an entry per neuron all the same, so it is cut as any other (written contiguous).
        if (part.Shared && !part.Expanded) return;
        var items = part.Slice.Items.Select((item, dim) => (Item: item, Dim: dim)).Where(i => i.Item.Kind != SliceKind.All).ToList();
        // A range over a whole dimension takes all of it (a ConvTranspose's output channel, weight[0:in, j], with one group).
        if (items.Count > 1 && LayerTensorOf(model, part.Tensor) is { } whole)
            items = [.. items.Where(i => !(i.Item.Kind == SliceKind.Range && i.Item.Start == 0 && i.Item.Stop == whole.Shape[i.Dim]))];
        // A recurrent consumer's input column is the one index among its gate blocks' ranges (PyTorch's
        // weight_ih[g·H:(g+1)·H, j], Keras' kernel[j, g·u:(g+1)·u]): the blocks keep their other columns.
        if (part.Direction == PartDirection.Out && items.Count > 1) items = [.. items.Where(i => i.Item.Kind == SliceKind.Index)];
        // An ONNX recurrent tensor holds every direction's layer along dim 0 (W[d, g·H + j]); the directions lose the same
        // units (CheckSharedTensors), so the cut is the same for each.
        if (items.Count == 2 && items[0] is { Dim: 0, Item.Kind: SliceKind.Index }
            && model.Layers.Any(l => l.Gates is not null && l.Tensors.Any(t => t.Tensor.Name == part.Tensor)))
            items = items[1..];
        // A Keras depthwise kernel holds filter c·m + k at [c, k]: a prune takes all of channel c's or none (CheckGroups).
        if (items.Count == 2 && ConvGroups.IsChannelsLastFilter(model, part)) items = items[..1];
        // A grouped ConvTranspose's output channel k of group g, weight[g·i:(g+1)·i, k]: the prune takes the group's rows, or
        // column k of every group (CheckGroups).
        if (dimension is { } only) items = [.. items.Where(i => i.Dim == only)];
        // A unit indexed in two dimensions (a DenseGeneral's kernel[:, head, d], a Keras depthwise kernel[…, c, m]) shares
        // every slice of either with other units: the tensor cannot shrink around it alone.
        if (items.Count != 1)
            throw new RequestException($"{part.Tensor}{part.Index} holds this unit at one index in each of dimensions " +
                $"{string.Join(" and ", items.Select(i => i.Dim))} of {part.Tensor} {LayerTensorOf(model, part.Tensor)?.Shape.Text()}: " +
                "a prune removes whole slices of one dimension, and every such slice here holds other units too",
                ["ablate it with neuron edit --zero (with --outgoing, its consumers' weights too) instead"]);
        if (!removed.TryGetValue(part.Tensor, out var entry))
            removed[part.Tensor] = entry = (LayerTensorOf(model, part.Tensor) ?? throw new RequestException($"no tensor '{part.Tensor}'"), []);
        var dims = entry.Dims;
        var (item, dim) = items[0];
        if (!dims.TryGetValue(dim, out var set)) dims[dim] = set = [];
        for (long i = item.Start; i < (item.Kind == SliceKind.Index ? item.Start + 1 : item.Stop); i++) set.Add(i);
    }

    // The tensor as the layers read it: dequantized for an ONNX QDQ constant, else the checkpoint's own.
    private static TensorInfo? LayerTensorOf(Model model, string name) =>
        model.Layers.SelectMany(l => l.Tensors).Select(t => t.Tensor).FirstOrDefault(t => t.Name == name) ?? model.Checkpoint.Find(name);

    // A tensor the prune cuts that a layer it leaves whole reads too (torch.onnx gives parameters of equal values one
    // initializer: a fresh DenseNet's BatchNorms of equal width share their weight and bias) would leave that layer
    // reading a tensor of the wrong size: the layers that read each such tensor, for a writer that gives them a copy as it
    // was; refused where the model's writer does not.
    private static Dictionary<string, List<Layer>> HeldElsewhere(Model model, IEnumerable<string> cut, HashSet<Layer> cutLayers)
    {
        var names = cut.ToHashSet(StringComparer.Ordinal);
        bool keeps = PruneWriters.For(model.Checkpoint.Format)?.KeepsSharedTensors ?? false;
        var held = new Dictionary<string, List<Layer>>(StringComparer.Ordinal);
        foreach (var other in model.Layers.Where(l => !cutLayers.Contains(l)))
            foreach (string shared in other.Tensors.Select(t => t.Tensor.Name).Where(names.Contains).Distinct())
            {
                if (!keeps)
                {
                    var cutting = cutLayers.FirstOrDefault(l => l.Tensors.Any(t => t.Tensor.Name == shared));
                    throw new RequestException($"the prune cuts {shared}{(cutting is null ? "" : $" in '{cutting.Name}'")}, and '{other.Name}', " +
                        "which it leaves whole, reads that tensor too: it would read it at the wrong size",
                        ["ablate with neuron edit --zero --outgoing instead"]);
                }
                if (!held.TryGetValue(shared, out var layers)) held[shared] = layers = [];
                layers.Add(other);
            }
        return held;
    }

    // Tied weights share a storage: cutting one and not the other the same way would change what the other reads.
    private static void CheckShared(Model model, List<TensorCut> cuts)
    {
        foreach (var cut in cuts)
        {
            var sharing = model.Checkpoint.Tensors.Where(t => t.Name != cut.Tensor.Name && t.Storage == cut.Tensor.Storage).ToList();
            if (sharing.Count > 0)
                throw new RequestException($"{cut.Tensor.Name} shares its storage with {string.Join(", ", sharing.Select(t => t.Name))} " +
                    "(tied weights or a view): pruning one would change the other", ["ablate with neuron edit --zero --outgoing instead"]);
        }
    }
}
