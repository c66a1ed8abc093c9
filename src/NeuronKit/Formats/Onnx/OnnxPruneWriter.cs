using System.Security.Cryptography;
using Google.Protobuf;
using NeuronKit.Edits;
using NeuronKit.Tensors;
using AttributeProto = global::Onnx.AttributeProto;
using GraphProto = global::Onnx.GraphProto;
using ModelProto = global::Onnx.ModelProto;
using NodeProto = global::Onnx.NodeProto;
using TensorProto = global::Onnx.TensorProto;

namespace NeuronKit.Formats.Onnx;

/// <summary>
/// Writes an ONNX model with some tensors cut smaller, re-serialised with Google.Protobuf (unknown fields kept): the cut
/// tensors get their new dims and raw_data (typed fields become raw_data); a QDQ constant's per-axis scale and zero point
/// shrink with it; LSTM/GRU/RNN nodes get the new hidden_size and their constant initial states lose the same units; a
/// grouped or depthwise Conv (or ConvTranspose) loses the groups whose filters went (with their input channels), and so does a
/// GroupNorm torch.onnx wrote as nodes (its Reshape into groups and its InstanceNormalization's ones and zeros); a Reshape's constant target width after a flatten follows its
/// consumer; value_info and graph outputs whose shape the prune changed lose the entry or their sizes (shape inference gives
/// them again). Tensors kept outside the model stay outside, all of them in one new file beside the output named after it
/// (<c>OUT.data</c>, a relative location).
/// </summary>
internal sealed class OnnxPruneWriter : IPruneWriter
{
    private const long ProtobufLimit = int.MaxValue; // protobuf's 2 GiB cap on one message

    // The input dimension of each weight operand a consumer reads its input channels by: a cut there leaves the node's
    // output shape as it was. Gemm's depends on transB, so it is computed below.
    private static readonly Dictionary<(string Op, int Input), int> InputDims = new()
    {
        [("Conv", 1)] = 1,       // W [out, in/group, k…]
        [("ConvTranspose", 1)] = 0, // W [in, out/group, k…]
        [("MatMul", 1)] = 0,     // B [in, out]
        [("LSTM", 1)] = 2,       // W [directions, gates·hidden, in]
        [("GRU", 1)] = 2,
        [("RNN", 1)] = 2,
    };

    private static readonly HashSet<string> Recurrent = ["LSTM", "GRU", "RNN"];

    /// <inheritdoc/>
    public string Format => "onnx";

    /// <inheritdoc/>
    /// <remarks>An initializer of the main graph only: the copy is a new initializer the layers left whole read instead.</remarks>
    public bool KeepsSharedTensors => true;

    /// <inheritdoc/>
    public IReadOnlyList<string> Notes(ModelPrune prune) =>
    [
        .. prune.Cuts.Where(c => c.KeptBy.Count > 0).Select(c =>
            $"{string.Join(", ", c.KeptBy.Select(l => $"'{l.Name}'"))} read{(c.KeptBy.Count == 1 ? "s" : "")} {c.Tensor.Name} too and " +
            $"{(c.KeptBy.Count == 1 ? "is" : "are")} left whole: the pruned model gives {(c.KeptBy.Count == 1 ? "it" : "them")} a copy of it " +
            $"as it was, {CopyName(prune.Model.Checkpoint, c.Tensor.Name)}"),
    ];

    /// <inheritdoc/>
    public IReadOnlyList<TensorCut> Companions(Checkpoint checkpoint, IReadOnlyList<TensorCut> cuts)
    {
        var byName = cuts.ToDictionary(c => c.Tensor.Name);
        var companions = new List<TensorCut>();
        foreach (var node in checkpoint.Graph.Nodes)
        {
            // DequantizeLinear(x, scale, zero_point, axis): per-axis parameters hold one entry per index of x's axis.
            if (node is { OpType: "DequantizeLinear", Domain: "" or "ai.onnx" } && node.Input(0) is { } x
                && byName.TryGetValue(x, out var cut) && cut.Tensor.Quantization?.Axis is { } axis && cut.Removed.TryGetValue(axis, out var gone))
            {
                foreach (var parameter in new[] { node.Input(1), node.Input(2) })
                    if (parameter is not null && checkpoint.Find(parameter) is { Shape.Count: 1 } p && p.Shape[0] == cut.Tensor.Shape[axis])
                        companions.Add(TensorCut.Along(p, 0, gone));
            }
            // LSTM/GRU/RNN(X, W, R, B, sequence_lens, initial_h, initial_c): the states are [directions, batch, hidden],
            // constants or (torch.onnx) a constant of zeros Expanded to the batch.
            if (Recurrent.Contains(node.OpType) && node.Input(2) is { } r && byName.TryGetValue(Stored(checkpoint, r), out var rCut)
                && rCut.Removed.TryGetValue(2, out var units))
            {
                foreach (int state in new[] { 5, 6 })
                {
                    if (node.Input(state) is not { } s) continue;
                    if (checkpoint.Graph.Nodes.FirstOrDefault(n => n.OpType == "Expand" && n.Outputs.Contains(s))?.Input(0) is { } expanded) s = expanded;
                    if (checkpoint.Find(s) is { Shape.Count: 3 } t && t.Shape[2] == rCut.Tensor.Shape[2])
                        companions.Add(TensorCut.Along(t, 2, units));
                }
            }
        }
        foreach (var node in checkpoint.Graph.Nodes.Where(n => n.OpType == "GroupNormalization" && n.FusedFrom.Count > 0))
            companions.AddRange(GroupCuts(checkpoint, node, byName));
        // A constant with per-channel scales read by anything else (QLinearConv's w_scale, its int32 bias) would keep
        // scales for channels that are gone.
        foreach (var cut in cuts.Where(c => c.Tensor.Quantization?.Axis is { } a && c.Removed.ContainsKey(a)))
            if (!checkpoint.Graph.Nodes.Any(n => n.OpType == "DequantizeLinear" && n.Input(0) == cut.Tensor.Name))
                throw new RequestException($"{cut.Tensor.Name} has one scale per channel and is not read through DequantizeLinear " +
                    $"({cut.Tensor.StoredAs}, {checkpoint.Graph.Nodes.FirstOrDefault(n => n.Inputs.Contains(cut.Tensor.Name))?.OpType ?? "no reader"}): " +
                    "prune shrinks the per-channel scales of DequantizeLinear only",
                    ["ablate with neuron edit --zero --outgoing instead, or prune the float model and quantize it again"]);
        return [.. companions.DistinctBy(c => c.Tensor.Name)];
    }

    // A GroupNorm torch.onnx wrote as nodes (DecomposedGroupNorm) whose per-channel weight loses whole groups: the
    // InstanceNormalization's ones and zeros, one per group, lose those groups, and UpdateNodes makes the Reshape into
    // groups say how many are left. Those constants must be this GroupNorm's alone: another's would lose its groups too.
    private static IEnumerable<TensorCut> GroupCuts(Checkpoint checkpoint, GraphNode node, Dictionary<string, TensorCut> byName)
    {
        if (node.FusedFrom is not [var split, var norm, ..] || node.Input(1) is not { } weight || !byName.TryGetValue(weight, out var cut)
            || !cut.Removed.TryGetValue(0, out var channels))
            return [];
        long groups = node.Int("num_groups", 1), perGroup = cut.Tensor.Shape[0] / groups;
        var whole = channels.GroupBy(c => c / perGroup).Where(g => g.LongCount() == perGroup).Select(g => g.Key).ToList();
        if (whole.Count == 0) return [];
        var fileNodes = checkpoint.Graph.Nodes.SelectMany(n => n.FusedFrom.Count > 0 ? n.FusedFrom : [n]).ToList();
        List<TensorCut> cuts = [];
        foreach (var (reader, input, what) in new[] { (split, 1, "shape"), (norm, 1, "scale"), (norm, 2, "bias") })
        {
            string name = reader.Input(input)!;
            if (fileNodes.Count(n => n.Inputs.Contains(name)) > 1 || checkpoint.Find(name) is not { } tensor)
                throw new RequestException($"'{node.Name}' loses whole groups, so its '{reader.LayerName}' would read a new {what}, " +
                    $"but {name} is {(checkpoint.Find(name) is null ? "not a constant NeuronKit reads" : "read by other nodes too")}",
                    [$"remove as many channels of each group instead (the same one of each), or ablate with neuron edit --zero --outgoing"]);
            if (what != "shape") cuts.Add(TensorCut.Along(tensor, 0, whole));
        }
        return cuts;
    }

    /// <inheritdoc/>
    public void Write(Checkpoint checkpoint, IReadOnlyList<TensorCut> cuts, string output)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(checkpoint.Path));
        var byName = cuts.ToDictionary(c => c.Tensor.Name);
        if (cuts.Any(c => c.KeptBy.Count > 0))
        {
            var identities = model.Graph.Node.Where(n => n.OpType == "Identity" && n.Input.Count == 1 && n.Output.Count == 1)
                .GroupBy(n => n.Output[0]).ToDictionary(g => g.Key, g => g.First().Input[0], StringComparer.Ordinal);
            foreach (var cut in cuts.Where(c => c.KeptBy.Count > 0)) KeepCopy(checkpoint, model.Graph, identities, cut);
        }
        var tensors = Tensors(model.Graph).ToList();
        string dataName = Path.GetFileName(output) + ".data";
        string dataPath = Path.Combine(Path.GetDirectoryName(output)!, dataName);
        bool checksums = false;
        FileStream? data = null;
        try
        {
            foreach (var (name, proto, _) in tensors)
            {
                var cut = byName.GetValueOrDefault(name);
                if (cut is null && proto.DataLocation != TensorProto.Types.DataLocation.External) continue;
                var stored = checkpoint.Find(name)
                    ?? throw new RequestException($"{checkpoint.FileName}: tensor '{name}' is of a type NeuronKit does not read, " +
                        "so it cannot be written again");
                if (cut is not null) proto.Dims.Clear();
                if (cut is not null) proto.Dims.Add(cut.NewShape);
                // A QDQ constant's cut is planned on its dequantized view; the file keeps its integers.
                byte[]? bytes = cut is null ? null : cut.Tensor.Quantization is null ? cut.KeptBytes() : TensorCut.Of(stored, cut.Removed).KeptBytes();
                proto.FloatData.Clear();
                proto.Int32Data.Clear();
                proto.Int64Data.Clear();
                proto.DoubleData.Clear();
                proto.Uint64Data.Clear();
                if (proto.DataLocation != TensorProto.Types.DataLocation.External)
                {
                    proto.RawData = ByteString.CopyFrom(bytes);
                    continue;
                }
                data ??= new FileStream(dataPath, FileMode.CreateNew, FileAccess.Write);
                long offset = data.Position;
                if (bytes is not null) data.Write(bytes);
                else stored.Storage.Source.CopyTo(stored.Storage.ByteOffset, stored.Storage.ByteLength, data);
                checksums |= proto.ExternalData.Any(e => e.Key == "checksum");
                var entries = proto.ExternalData.Where(e => e.Key is not ("location" or "offset" or "length" or "checksum")).ToList();
                proto.ExternalData.Clear();
                proto.ExternalData.Add(new global::Onnx.StringStringEntryProto { Key = "location", Value = dataName });
                proto.ExternalData.Add(new global::Onnx.StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                proto.ExternalData.Add(new global::Onnx.StringStringEntryProto { Key = "length", Value = (data.Position - offset).ToString(System.Globalization.CultureInfo.InvariantCulture) });
                proto.ExternalData.Add(entries);
            }
        }
        finally
        {
            data?.Dispose();
        }
        if (checksums)
        {
            // onnx docs/ExternalData.md: checksum is the SHA-1 of the whole file at location.
            string sha1 = Convert.ToHexStringLower(SHA1.HashData(File.ReadAllBytes(dataPath)));
            foreach (var (_, proto, _) in tensors.Where(t => t.Proto.DataLocation == TensorProto.Types.DataLocation.External))
                proto.ExternalData.Add(new global::Onnx.StringStringEntryProto { Key = "checksum", Value = sha1 });
        }
        var constants = tensors.GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.First().Proto);
        UpdateNodes(model.Graph, byName, constants);
        ResizeUnitReshapes(model.Graph, byName, constants);
        // What the prune changed (raw_data: a cut, a Reshape's new width) goes back into the attribute it came from.
        foreach (var (_, proto, attribute) in tensors)
            if (attribute is not null && proto.HasRawData) OnnxConstantAttribute.Store(proto, attribute);
        DropChangedShapes(model.Graph, byName, checkpoint.Tensors.Select(t => t.Name).ToHashSet(StringComparer.Ordinal));
        long size = tensors.Sum(t => (long)t.Proto.RawData.Length);
        if (size >= ProtobufLimit || model.CalculateSize() is < 0 or >= (int)ProtobufLimit)
            throw new RequestException($"the pruned {checkpoint.FileName} would be over protobuf's 2 GiB limit for one model",
                ["save the model with external data first (onnx.save_model(model, path, save_as_external_data=True)); prune keeps it external"]);
        using var stream = new FileStream(output, FileMode.CreateNew, FileAccess.Write);
        model.WriteTo(stream);
    }

    // An initializer the prune cuts that layers it leaves whole read too: a copy as it was, which their nodes read
    // instead, directly or where they read it through Identity nodes (`identities`: output → input; torch.onnx names
    // each shared parameter so).
    private static void KeepCopy(Checkpoint checkpoint, GraphProto graph, Dictionary<string, string> identities, TensorCut cut)
    {
        string name = cut.Tensor.Name;
        var original = graph.Initializer.FirstOrDefault(i => i.Name == name);
        if (original is null || original.DataLocation == TensorProto.Types.DataLocation.External)
            throw Shared(cut, original is null ? "it is not an initializer of the main graph" : "its data is stored outside the model");
        var copy = original.Clone();
        copy.Name = CopyName(checkpoint, name);
        graph.Initializer.Add(copy);
        string Source(string value)
        {
            for (int hop = 0; hop < 64 && identities.TryGetValue(value, out var input); hop++) value = input;
            return value;
        }
        foreach (var layer in cut.KeptBy)
        {
            var node = graph.Node.FirstOrDefault(n => layer.Aliases.Count > 0 && n.Output.Count > 0 && n.Output[0] == layer.Aliases[0])
                ?? throw Shared(cut, $"'{layer.Name}' is not a node of the main graph");
            for (int i = 0; i < node.Input.Count; i++)
                if (node.Input[i] != "" && Source(node.Input[i]) == name) node.Input[i] = copy.Name;
        }
    }

    private static RequestException Shared(TensorCut cut, string why) =>
        new($"the prune cuts {cut.Tensor.Name}, and {string.Join(", ", cut.KeptBy.Select(l => $"'{l.Name}'"))}, which it leaves whole, " +
            $"read{(cut.KeptBy.Count == 1 ? "s" : "")} that tensor too; NeuronKit gives such a layer a copy of the tensor as it was, " +
            $"but not here: {why}", ["ablate with neuron edit --zero --outgoing instead"]);

    // The name of a kept copy: the tensor's with ".kept", numbered where the model has that name already.
    private static string CopyName(Checkpoint checkpoint, string name)
    {
        string copy = $"{name}.kept";
        for (int k = 2; checkpoint.Find(copy) is not null || checkpoint.Graph.Nodes.Any(n => n.Outputs.Contains(copy)); k++) copy = $"{name}.kept{k}";
        return copy;
    }

    // The tensor that node input `name` reads as stored: through a DequantizeLinear of a constant, its integers.
    private static string Stored(Checkpoint checkpoint, string name) =>
        checkpoint.Graph.Nodes.FirstOrDefault(n => n.OpType == "DequantizeLinear" && n.Outputs.Contains(name))?.Input(0) ?? name;

    // Every tensor the reader reads, as the walker names them: initializers, then Constant values, graph by graph. A
    // Constant given by value_floats, value_ints, … is its value as a TensorProto, which OnnxConstantAttribute.Store puts
    // back once the prune changed it.
    private static IEnumerable<(string Name, TensorProto Proto, AttributeProto? Attribute)> Tensors(GraphProto main)
    {
        foreach (var graph in Graphs(main))
        {
            foreach (var initializer in graph.Initializer) yield return (initializer.Name, initializer, null);
            foreach (var node in graph.Node)
            {
                if (node.OpType != "Constant" || node.Domain is not ("" or "ai.onnx") || node.Output.Count == 0) continue;
                if (node.Attribute.FirstOrDefault(a => a.Name == "value" && a.T is not null) is { } value)
                    yield return (node.Output[0], value.T, null);
                else if (node.Attribute.Select(a => (Attribute: a, Proto: OnnxConstantAttribute.AsTensor(a))).FirstOrDefault(c => c.Proto is not null) is ({ } attribute, { } proto))
                    yield return (node.Output[0], proto, attribute);
            }
        }
    }

    private static IEnumerable<GraphProto> Graphs(GraphProto main)
    {
        var pending = new Queue<GraphProto>([main]);
        while (pending.TryDequeue(out var graph))
        {
            yield return graph;
            foreach (var attribute in graph.Node.SelectMany(n => n.Attribute))
            {
                if (attribute.G is not null) pending.Enqueue(attribute.G);
                foreach (var g in attribute.Graphs) pending.Enqueue(g);
            }
        }
    }

    // hidden_size follows R; a grouped Conv's (or ConvTranspose's) group the whole groups of filters that went, a GroupNorm's
    // Reshape into groups the groups that went; a Reshape's constant width before a consumer follows the consumer's cut input dimension.
    private static void UpdateNodes(GraphProto main, Dictionary<string, TensorCut> cuts, Dictionary<string, TensorProto> constants)
    {
        foreach (var graph in Graphs(main))
        {
            var dequantized = graph.Node.Where(n => n.OpType == "DequantizeLinear" && n.Output.Count > 0 && n.Input.Count > 0)
                .GroupBy(n => n.Output[0]).ToDictionary(g => g.Key, g => g.First().Input[0]); // the first, where a damaged file names an output twice
            string Stored(string name) => dequantized.GetValueOrDefault(name, name);
            var readers = graph.Node.SelectMany(n => n.Input.Select(i => (Input: i, Node: n))).ToLookup(r => r.Input, r => r.Node);
            foreach (var node in graph.Node)
            {
                if (Recurrent.Contains(node.OpType) && node.Input.Count > 2 && cuts.TryGetValue(Stored(node.Input[2]), out var r)
                    && node.Attribute.FirstOrDefault(a => a.Name == "hidden_size") is { } hidden)
                {
                    hidden.I = r.NewShape[2];
                    // The shape a state is Expanded to: [directions, batch, hidden] as a constant or a Concat of constants.
                    foreach (string state in node.Input.Skip(5).Take(2))
                    {
                        if (graph.Node.FirstOrDefault(n => n.OpType == "Expand" && n.Output.Contains(state)) is not { Input.Count: 2 } expand) continue;
                        string last = graph.Node.FirstOrDefault(n => n.OpType == "Concat" && n.Output.Contains(expand.Input[1])) is { } concat
                            ? concat.Input[^1] : expand.Input[1];
                        if (constants.TryGetValue(last, out var size)) SetEntry(size, -1, r.Tensor.Shape[2], r.NewShape[2]);
                    }
                }
                // A grouped (or depthwise) convolution has a group fewer for each whole group of filters that went, which took
                // its input channels along; a cut of as many filters from every group keeps them all. A grouped ConvTranspose's
                // W [in, out/group, k…] keeps a group's input channels in its rows, which go with the whole group.
                if (node.OpType is "Conv" or "ConvTranspose" && node.Attribute.FirstOrDefault(a => a.Name == "group") is { I: > 1 } group
                    && node.Input.Count > 1 && cuts.TryGetValue(Stored(node.Input[1]), out var filters) && filters.Removed.TryGetValue(0, out var gone))
                {
                    long perGroup = filters.Tensor.Shape[0] / group.I;
                    group.I -= gone.GroupBy(f => f / perGroup).Count(g => g.LongCount() == perGroup);
                }
                // An InstanceNormalization over a GroupNorm's groups that lost some (GroupCuts): the Reshape into groups, [0, G, -1], follows.
                if (node.OpType == "InstanceNormalization" && node.Input.Count > 1 && cuts.TryGetValue(node.Input[1], out var ones)
                    && graph.Node.FirstOrDefault(n => n.OpType == "Reshape" && n.Output.Contains(node.Input[0])) is { Input.Count: 2 } split
                    && constants.TryGetValue(split.Input[1], out var groups))
                    SetEntry(groups, 1, ones.Tensor.Shape[0], ones.NewShape[0]);
                // A node without outputs (a damaged file) feeds nothing.
                if (node.OpType != "Reshape" || node.Input.Count < 2 || node.Output.Count == 0 || !constants.TryGetValue(node.Input[1], out var shape)) continue;
                var consumer = node;
                while (readers[consumer.Output[0]].ToList() is [{ OpType: "Relu" or "Sigmoid" or "Tanh" or "Dropout" or "Identity" or "LeakyRelu" or "Elu" or "Gelu", Output.Count: > 0 } next])
                    consumer = next;
                if (readers[consumer.Output[0]].ToList() is not [{ OpType: "Gemm" or "MatMul" } reader] || reader.Input.Count < 2
                    || !cuts.TryGetValue(Stored(reader.Input[1]), out var weight))
                    continue;
                int dim = reader.OpType == "MatMul" ? 0 : (reader.Attribute.FirstOrDefault(a => a.Name == "transB")?.I ?? 0) == 1 ? 1 : 0;
                if (weight.Removed.ContainsKey(dim)) SetEntry(shape, -1, weight.Tensor.Shape[dim], weight.NewShape[dim]);
            }
        }
    }

    // A Reshape that only adds axes of size 1 to a value whose channels the prune cut (an SE gate's w.view(1, C, 1, 1)) says
    // the old count in its constant shape: it gets the new one (a copy of the shape where other nodes read it too). The
    // counts are followed from a Gemm, MatMul or Conv whose weight, or an Add whose 1-D constant, is cut along its output
    // channels, through operations that keep them (an activation, an Unsqueeze, a bias or scale by a constant).
    private static void ResizeUnitReshapes(GraphProto graph, Dictionary<string, TensorCut> cuts, Dictionary<string, TensorProto> constants)
    {
        var sizes = new Dictionary<string, (long Before, long After)>(StringComparer.Ordinal);
        var readers = graph.Node.SelectMany(n => n.Input).GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var dequantized = graph.Node.Where(n => n.OpType == "DequantizeLinear" && n.Output.Count > 0 && n.Input.Count > 0)
            .GroupBy(n => n.Output[0]).ToDictionary(g => g.Key, g => g.First().Input[0]);
        TensorCut? CutOf(string value) => cuts.GetValueOrDefault(dequantized.GetValueOrDefault(value, value));
        foreach (var node in graph.Node.Where(n => n.Output.Count > 0 && n.Input.Count > 0))
        {
            int? dim = node.OpType switch
            {
                "Gemm" => (node.Attribute.FirstOrDefault(a => a.Name == "transB")?.I ?? 0) == 1 ? 0 : 1,
                "MatMul" => 1,
                "Conv" => 0,
                _ => null,
            };
            if (dim is { } d && node.Input.Count > 1 && CutOf(node.Input[1]) is { } weight && weight.Removed.ContainsKey(d))
                sizes[node.Output[0]] = (weight.Tensor.Shape[d], weight.NewShape[d]);
            else if (node.OpType == "Add" && node.Input.Select(CutOf).FirstOrDefault(c => c is { Tensor.Shape.Count: 1 }) is { } bias)
                sizes[node.Output[0]] = (bias.Tensor.Shape[0], bias.NewShape[0]);
            else if (sizes.TryGetValue(node.Input[0], out var carried) && node.OpType == "Reshape" && node.Input.Count > 1
                && constants.TryGetValue(node.Input[1], out var shape) && shape.DataType == (int)TensorProto.Types.DataType.Int64 && shape.Dims.Count == 1
                && Graph.OnnxChannelAxis.UnitAxesChannel(Int64s(shape), carried.Before) is { } index)
            {
                if (readers[node.Input[1]] > 1)
                {
                    shape = shape.Clone();
                    shape.Name = $"{node.Input[1]}.pruned";
                    for (int k = 2; constants.ContainsKey(shape.Name) || readers.ContainsKey(shape.Name); k++) shape.Name = $"{node.Input[1]}.pruned{k}";
                    graph.Initializer.Add(shape);
                    node.Input[1] = shape.Name;
                }
                SetEntry(shape, index, carried.Before, carried.After);
                sizes[node.Output[0]] = carried;
            }
            else if (node.Input.FirstOrDefault(sizes.ContainsKey) is { } data && (node.Input[0] == data
                    && (Graph.OnnxEdges.KeepsChannels(node.OpType) || node.OpType == "Unsqueeze")
                    || node.OpType is "Add" or "Sub" or "Mul" or "Div" && node.Input.All(i => i == data || constants.ContainsKey(i))))
                sizes[node.Output[0]] = sizes[data];
        }
    }

    private static long[] Int64s(TensorProto proto) => proto.Int64Data.Count > 0 ? [.. proto.Int64Data]
        : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(proto.RawData.Span).ToArray();

    // A 1-D int64 constant whose entry `index` (from the end when negative) states a size that was cut: the new size, as raw_data.
    private static void SetEntry(TensorProto proto, int index, long before, long after)
    {
        if (proto.DataType != (int)TensorProto.Types.DataType.Int64 || proto.Dims.Count != 1) return;
        long[] values = Int64s(proto);
        if (index < 0) index += values.Length;
        if (index < 0 || index >= values.Length || values[index] != before) return;
        values[index] = after;
        proto.Int64Data.Clear();
        proto.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes<long>(values));
    }

    // A node whose output the prune narrows, reading a Constant NeuronKit does not read as a tensor (a sparse_value too
    // large to expand, a type it does not read): a per-channel list there (a Gemm's C, the bias an Add puts after a
    // MatMul) would keep its old length and the model would no longer run.
    private static void CheckUnreadConstants(Dictionary<string, NodeProto> constants, HashSet<string> read, NodeProto node)
    {
        foreach (string input in node.Input)
            if (!read.Contains(input) && constants.GetValueOrDefault(input)?.Attribute.FirstOrDefault() is { } unread)
                throw new RequestException($"'{(node.Name != "" ? node.Name : node.OpType)}' reads {input}, a Constant's {unread.Name}, " +
                    "which NeuronKit does not read as a tensor: the prune would leave it with the old number of channels",
                    [$"store {input} as an initializer first (onnx.numpy_helper.from_array), or ablate with neuron edit --zero --outgoing instead"]);
    }

    // A value whose shape the prune changed: an output of a node that reads a cut tensor on other than its input dimension,
    // and everything computed from it up to a consumer that reads it only through its cut input columns.
    private static void DropChangedShapes(GraphProto main, Dictionary<string, TensorCut> cuts, HashSet<string> read)
    {
        var changed = new HashSet<string>(cuts.Keys, StringComparer.Ordinal);
        foreach (var graph in Graphs(main))
        {
            // Files before IR 4 list initializers as graph inputs too: those take the new shape.
            foreach (var input in graph.Input.Where(i => cuts.ContainsKey(i.Name) && i.Type?.TensorType?.Shape is not null))
            {
                input.Type.TensorType.Shape.Dim.Clear();
                input.Type.TensorType.Shape.Dim.Add(cuts[input.Name].NewShape.Select(d => new global::Onnx.TensorShapeProto.Types.Dimension { DimValue = d }));
            }
            var dequantized = graph.Node.Where(n => n.OpType == "DequantizeLinear" && n.Output.Count > 0 && n.Input.Count > 0)
                .GroupBy(n => n.Output[0]).ToDictionary(g => g.Key, g => g.First().Input[0]); // the first, where a damaged file names an output twice
            var constants = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
            foreach (var node in graph.Node.Where(n => n.OpType == "Constant"))
                foreach (string output in node.Output) constants.TryAdd(output, node);
            foreach (var node in graph.Node)   // nodes are in topological order (onnx IR)
            {
                bool reads = false, consumerOnly = true;
                for (int i = 0; i < node.Input.Count; i++)
                {
                    if (!cuts.TryGetValue(dequantized.GetValueOrDefault(node.Input[i], node.Input[i]), out var cut)) continue;
                    reads = true;
                    int? inputDim = node.OpType == "Gemm" && i == 1
                        ? (node.Attribute.FirstOrDefault(a => a.Name == "transB")?.I ?? 0) == 1 ? 1 : 0
                        : InputDims.TryGetValue((node.OpType, i), out int d) ? d : null;
                    if (cut.Removed.Keys.Any(k => k != inputDim)) consumerOnly = false;
                }
                bool fromChanged = node.Input.Any(changed.Contains);
                if ((reads && !consumerOnly) || (fromChanged && !reads))
                {
                    CheckUnreadConstants(constants, read, node);
                    foreach (string o in node.Output) changed.Add(o);
                }
            }
            foreach (var info in graph.ValueInfo.Where(v => changed.Contains(v.Name)).ToList()) graph.ValueInfo.Remove(info);
            // A graph output keeps its rank (onnx.checker wants a shape there), its sizes become names.
            foreach (var output in graph.Output.Where(o => changed.Contains(o.Name) && o.Type?.TensorType?.Shape is not null))
                for (int d = 0; d < output.Type.TensorType.Shape.Dim.Count; d++)
                    output.Type.TensorType.Shape.Dim[d] = new global::Onnx.TensorShapeProto.Types.Dimension { DimParam = $"{output.Name}_{d}" };
        }
    }
}
