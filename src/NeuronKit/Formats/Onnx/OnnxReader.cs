using Google.Protobuf;
using NeuronKit.Containers.Protobuf;
using NeuronKit.Tensors;
using GraphProto = global::Onnx.GraphProto;
using ModelProto = global::Onnx.ModelProto;

namespace NeuronKit.Formats.Onnx;

// Layout of an ONNX model (onnx/onnx.proto, proto2; format-facts.md §4), the fields NeuronKit reads:
//  ModelProto      ir_version=1 (written first: that is how files are told), producer_name=2, graph=7, opset_import=8
//  GraphProto      node=1, name=2, initializer=5 (TensorProto), input=11, output=12, value_info=13 (ValueInfoProto)
//  ValueInfoProto  name=1, type=2 (TypeProto: tensor_type=1 → elem_type=1, shape=2 → dim=1: dim_value=1 or dim_param=2)
//  NodeProto       input=1, output=2, name=3, op_type=4, attribute=5, domain=7
//  AttributeProto  name=1, f=2, i=3, s=4, t=5 (a Constant's value), g=6 and graphs=11 (If/Loop/Scan bodies), floats=7,
//                  ints=8 (a Constant's value_floats, value_ints), type=20, sparse_tensor=22 (a Constant's sparse_value)
//  SparseTensorProto  values=1 (TensorProto [NNZ]), indices=2 (INT64 [NNZ] or [NNZ, rank]), dims=3
//  TensorProto     dims=1, data_type=2, float_data=4, int32_data=5, int64_data=7, name=8, raw_data=9, double_data=10,
//                  external_data=13 (location, offset, length: decimal strings), data_location=14 (1 = EXTERNAL)
// A protobuf is limited to 2 GiB; larger models keep their weights in external files beside the model.

/// <summary>Reads ONNX models lazily: weights stay in the mapped file (or its external data files), the graph is evidence.</summary>
public sealed class OnnxReader : ICheckpointReader
{
    private const ulong MaxIrVersion = 64;

    // ModelProto's fields as their first tag bytes (number << 3 | wire type): what may follow ir_version in a model.
    private static readonly HashSet<int> ModelTags =
    [
        0x08, 0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x72, // ir_version .. opset_import, metadata_props=14
        0xa2, 0xca,                                          // training_info=20, functions=25 (two-byte tags)
    ];

    /// <inheritdoc/>
    public string Name => "onnx";

    /// <inheritdoc/>
    public string Description => "ONNX models (.onnx), with external data inside the model's folder";

    /// <inheritdoc/>
    public bool Detect(ReadOnlySpan<byte> head)
    {
        // ir_version first (tag 0x08, a small varint), then only ModelProto fields as far as the head shows them.
        if (head.Length < 2 || head[0] != 0x08 || head[1] is 0 or > 0x7f || head[1] > MaxIrVersion) return false;
        int position = 2;
        int fields = 0;
        while (position < head.Length)
        {
            int tag = head[position];
            if (!ModelTags.Contains(tag)) return false;
            if (tag is 0xa2 or 0xca)
            {
                if (position + 1 < head.Length && head[position + 1] != 0x01) return false;
                position++;
            }
            position++;
            fields++;
            if ((tag & 7) == 0)
            {
                while (position < head.Length && head[position] >= 0x80) position++;
                position++;
                continue;
            }
            ulong length = 0;
            for (int shift = 0; position < head.Length; shift += 7)
            {
                byte b = head[position++];
                length |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80) break;
                if (shift > 56) return false;
            }
            if (length > int.MaxValue) return false;
            // A field that runs past the head (a graph, usually) ends what the head shows; added as a long, so that a
            // length near int.MaxValue cannot wrap the position around to an index before the head.
            if ((long)position + (long)length >= head.Length) break;
            position += (int)length;
        }
        return fields > 0 || head.Length == 2;
    }

    /// <inheritdoc/>
    public Checkpoint Open(string path)
    {
        string fileName = ByteSources.FileName(path);
        var file = ByteSources.Open(path);
        if (file.Length > int.MaxValue)
        {
            file.Dispose();
            throw new CheckpointException($"{fileName} is {file.Length:N0} bytes, over protobuf's 2 GiB limit; ONNX models that large keep weights in external data");
        }
        var external = new OnnxExternalData(path);
        try
        {
            var (index, rewritten) = OnnxWireIndex.Build(file.Span(0, (int)file.Length), fileName);
            ModelProto model;
            try
            {
                model = ModelProto.Parser.ParseFrom(rewritten);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new CheckpointException($"{fileName} is not a valid ONNX protobuf: {e.Message}", inner: e);
            }
            if (model.Graph is null)
                throw new CheckpointException($"{fileName} is a protobuf with ir_version {model.IrVersion} but no graph; not an ONNX model");
            var builder = new OnnxTensorBuilder(file, fileName, index, external);
            var walker = new OnnxGraphWalker(builder);
            walker.Walk(model.Graph);
            // The checkpoint owns each side file itself, not their holder, so that its Changed sees one rewritten as it sees the model.
            var declared = DeclaredShapes(model.Graph);
            return new Checkpoint(path, Name, walker.Tensors, [.. external.Files, file], Metadata(model, builder.Skipped),
                new ModelGraph
                {
                    Nodes = DecomposedNorms.Fuse(walker.Nodes, walker.Tensors, value => declared.GetValueOrDefault(value)?.Count,
                        model.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal)),
                    DeclaredShapes = declared,
                    UnreadTensors = builder.Skipped.DistinctBy(t => t.Name).ToDictionary(t => t.Name, t => t.Type, StringComparer.Ordinal),
                });
        }
        catch
        {
            external.Dispose();
            file.Dispose();
            throw;
        }
    }

    // The shapes the main graph declares: its inputs', then value_info's (shape inference's), then its outputs', the first
    // of a name winning. A dim is the file's word, so hostile: one symbolic (dim_param), left empty, negative or past
    // int.MaxValue is unknown (null), and so is any number the layer graph would have to trust beyond what a channel
    // count can be. A value whose type is no tensor, or a tensor without a shape, has no entry.
    private static Dictionary<string, IReadOnlyList<long?>> DeclaredShapes(GraphProto graph)
    {
        var shapes = new Dictionary<string, IReadOnlyList<long?>>(StringComparer.Ordinal);
        foreach (var value in graph.Input.Concat(graph.ValueInfo).Concat(graph.Output))
        {
            if (value.Name == "" || value.Type?.TensorType?.Shape is not { } shape || shapes.ContainsKey(value.Name)) continue;
            shapes[value.Name] = [.. shape.Dim.Select(d => d.HasDimValue && d.DimValue is >= 0 and <= int.MaxValue ? d.DimValue : (long?)null)];
        }
        return shapes;
    }

    private static Dictionary<string, string> Metadata(ModelProto model, List<(string Name, string Type)> skipped)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ir_version"] = model.IrVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["opset_import"] = string.Join(", ", model.OpsetImport.Select(o => $"{(o.Domain == "" ? "ai.onnx" : o.Domain)} {o.Version}")),
        };
        if (model.ProducerName != "") metadata["producer"] = $"{model.ProducerName} {model.ProducerVersion}".TrimEnd();
        if (model.Graph.Name != "") metadata["graph"] = model.Graph.Name;
        foreach (var entry in model.MetadataProps) metadata.TryAdd(entry.Key, entry.Value);
        if (skipped.Count > 0) metadata["tensors not read"] = string.Join(", ", skipped.Select(t => $"{t.Name} ({t.Type})"));
        return metadata;
    }
}
