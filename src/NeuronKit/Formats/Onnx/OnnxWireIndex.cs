using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Google.Protobuf;
using NeuronKit.Containers.Protobuf;

namespace NeuronKit.Formats.Onnx;

/// <summary>
/// Keeps weights out of Google.Protobuf's hands: before the model is parsed, the bytes are rewritten so that each tensor's
/// one data field (raw_data, or packed float_data or double_data) becomes a 16-byte ticket in raw_data, and the index
/// remembers where the real bytes lie in the mapped file. Google.Protobuf copies bytes fields, so without this a model
/// would be read twice into memory; with it, parsing copies only the graph. A Constant's value_float or value_floats is
/// given a ticket the same way, as a FLOAT tensor in the attribute's t.
/// </summary>
internal sealed class OnnxWireIndex
{
    /// <summary>How deep If/Loop/Scan subgraphs may nest; deeper files are refused, never recursed into without bound.</summary>
    public const int MaxSubgraphDepth = 16;

    private const int TicketLength = 16;

    private enum Message { Model, Graph, Node, Attribute, Tensor }

    // The paths from ModelProto to every TensorProto whose data NeuronKit reads (onnx.proto field numbers).
    private static readonly Dictionary<(Message Parent, int Field), Message> Children = new()
    {
        [(Message.Model, 7)] = Message.Graph,        // ModelProto.graph
        [(Message.Graph, 1)] = Message.Node,         // GraphProto.node
        [(Message.Graph, 5)] = Message.Tensor,       // GraphProto.initializer
        [(Message.Node, 5)] = Message.Attribute,     // NodeProto.attribute
        [(Message.Attribute, 5)] = Message.Tensor,   // AttributeProto.t (a Constant's value)
        [(Message.Attribute, 10)] = Message.Tensor,  // AttributeProto.tensors
        [(Message.Attribute, 6)] = Message.Graph,    // AttributeProto.g (If/Loop/Scan bodies)
        [(Message.Attribute, 11)] = Message.Graph,   // AttributeProto.graphs
    };

    // TensorProto fields that hold elements: at most one may be present.
    private static readonly int[] DataFields = [4, 5, 6, 7, 9, 10, 11]; // float, int32, string, int64, raw, double, uint64

    private readonly byte[] _nonce = RandomNumberGenerator.GetBytes(8);
    private readonly List<OnnxDataRange> _ranges = [];
    private readonly string _fileName;

    private OnnxWireIndex(string fileName) => _fileName = fileName;

    /// <summary>
    /// Rewrites <paramref name="model"/> (a whole ModelProto) with tickets for its tensors' data; throws
    /// <see cref="CheckpointException"/> for malformed bytes or subgraphs nested too deep.
    /// </summary>
    public static (OnnxWireIndex Index, byte[] Rewritten) Build(ReadOnlySpan<byte> model, string fileName)
    {
        var index = new OnnxWireIndex(fileName);
        var output = new ArrayBufferWriter<byte>(Math.Min(model.Length, 1 << 20));
        index.Rewrite(model, 0, Message.Model, 0, output);
        return (index, output.WrittenSpan.ToArray());
    }

    /// <summary>The file range a ticket in <paramref name="rawData"/> stands for, or null when it holds real bytes.</summary>
    public OnnxDataRange? Redeem(ByteString rawData)
    {
        var span = rawData.Span;
        if (span.Length != TicketLength || !span[..8].SequenceEqual(_nonce)) return null;
        long ticket = BinaryPrimitives.ReadInt64LittleEndian(span[8..]);
        return ticket >= 0 && ticket < _ranges.Count ? _ranges[(int)ticket] : null;
    }

    private void Rewrite(ReadOnlySpan<byte> message, long offset, Message kind, int depth, IBufferWriter<byte> output)
    {
        if (kind == Message.Tensor)
        {
            RewriteTensor(message, offset, output);
            return;
        }
        string? constant = kind == Message.Node ? ConstantOutput(message, offset) : null;
        var reader = new WireReader(message, offset, _fileName);
        while (reader.Next(out var field))
        {
            if (field.Type != WireType.LengthDelimited || !Children.TryGetValue((kind, field.Number), out var child))
            {
                output.Write(message[field.Start..field.End]);
                continue;
            }
            int childDepth = kind == Message.Attribute && child == Message.Graph ? depth + 1 : depth;
            if (childDepth > MaxSubgraphDepth)
                throw new CheckpointException($"{_fileName} nests subgraphs more than {MaxSubgraphDepth} levels deep; refused");
            var buffer = new ArrayBufferWriter<byte>(Math.Max(field.PayloadLength, 16));
            var payload = message.Slice(field.PayloadStart, field.PayloadLength);
            if (constant is not null && child == Message.Attribute && FloatsAttribute(payload, offset + field.PayloadStart) is { } name)
                RewriteFloats(payload, offset + field.PayloadStart, name, constant, buffer);
            else
                Rewrite(payload, offset + field.PayloadStart, child, childDepth, buffer);
            WireWriter.LengthDelimited(output, field.Number, buffer.WrittenSpan);
        }
    }

    // The first output of a Constant node of the default domain (what its value is named), or null for any other node.
    private string? ConstantOutput(ReadOnlySpan<byte> node, long offset)
    {
        string? opType = null, domain = "", output = null;
        var reader = new WireReader(node, offset, _fileName);
        while (reader.Next(out var field))
        {
            if (field.Type != WireType.LengthDelimited) continue;
            string Text(ReadOnlySpan<byte> n) => System.Text.Encoding.UTF8.GetString(n.Slice(field.PayloadStart, field.PayloadLength));
            switch (field.Number)
            {
                case 2: output ??= Text(node); break;   // NodeProto.output
                case 4: opType = Text(node); break;     // NodeProto.op_type
                case 7: domain = Text(node); break;     // NodeProto.domain
            }
        }
        return opType == "Constant" && domain is "" or "ai.onnx" ? output ?? "" : null;
    }

    // "value_float" or "value_floats" when the attribute is named so (AttributeProto.name = 1), else null.
    private string? FloatsAttribute(ReadOnlySpan<byte> attribute, long offset)
    {
        string? name = null;
        var reader = new WireReader(attribute, offset, _fileName);
        while (reader.Next(out var field))
            if (field is { Number: 1, Type: WireType.LengthDelimited })
                name = System.Text.Encoding.UTF8.GetString(attribute.Slice(field.PayloadStart, field.PayloadLength));
        return name is "value_float" or "value_floats" ? name : null;
    }

    // A Constant's value_float (f = 2, one fixed32; the last wins, as in protobuf) or value_floats (floats = 7: a fixed32
    // field per element as proto2 writes them, or packed runs as proto3 writers do) becomes the attribute's t: a FLOAT
    // tensor, [] or [n], whose raw_data is a ticket for the floats' bytes where they lie, so they stay in the file and an
    // edit can write them in place.
    private void RewriteFloats(ReadOnlySpan<byte> attribute, long offset, string name, string constant, IBufferWriter<byte> output)
    {
        bool scalar = name == "value_float";
        int number = scalar ? 2 : 7;
        var runs = new List<(long Offset, long Length)>();
        long total = 0;
        var reader = new WireReader(attribute, offset, _fileName);
        while (reader.Next(out var field))
        {
            bool floats = field.Number == number && (field.Type == WireType.Fixed32 || (!scalar && field.Type == WireType.LengthDelimited));
            if (field.Number == 5)
                throw new CheckpointException($"{_fileName}: Constant '{constant}' gives its {name} a tensor too (attribute field t); refused as ambiguous");
            if (!floats)
            {
                output.Write(attribute[field.Start..field.End]);
                continue;
            }
            if (field.PayloadLength % 4 != 0)
                throw new CheckpointException($"{_fileName}: Constant '{constant}' {name} holds {field.PayloadLength:N0} bytes of packed floats, " +
                    "which is no whole number of 4-byte floats");
            if (scalar) (runs, total) = ([], 0);
            long at = offset + field.PayloadStart;
            if (runs.Count > 0 && runs[^1].Offset + runs[^1].Length == at) runs[^1] = (runs[^1].Offset, runs[^1].Length + field.PayloadLength);
            else if (field.PayloadLength > 0) runs.Add((at, field.PayloadLength));
            total += field.PayloadLength;
        }
        if (scalar && runs.Count == 0) return; // no f: protobuf's 0, read from the parsed attribute
        var tensor = new ArrayBufferWriter<byte>(32);
        if (!scalar)
        {
            WireWriter.Varint(tensor, 1 << 3);   // dims [n]
            WireWriter.Varint(tensor, (ulong)(total / 4));
        }
        WireWriter.Varint(tensor, 2 << 3);       // data_type FLOAT
        WireWriter.Varint(tensor, 1);
        if (runs.Count > 0)
        {
            Span<byte> ticket = stackalloc byte[TicketLength];
            _nonce.CopyTo(ticket);
            BinaryPrimitives.WriteInt64LittleEndian(ticket[8..], _ranges.Count);
            _ranges.Add(new OnnxDataRange(runs[0].Offset, (int)total, OnnxDataField.FloatData, runs.Count > 1 ? runs : null));
            WireWriter.LengthDelimited(tensor, 9, ticket);
        }
        WireWriter.LengthDelimited(output, 5, tensor.WrittenSpan);
    }

    // A tensor whose only data field is raw_data, or packed float_data or double_data, gets a ticket; any other tensor
    // (typed varint data, or data in two fields, which the reader refuses) is copied as it is.
    private void RewriteTensor(ReadOnlySpan<byte> tensor, long offset, IBufferWriter<byte> output)
    {
        WireField? data = null;
        int dataFields = 0;
        var scan = new WireReader(tensor, offset, _fileName);
        while (scan.Next(out var field))
        {
            if (!DataFields.Contains(field.Number)) continue;
            dataFields++;
            data = field;
        }
        var mappable = data is { Type: WireType.LengthDelimited } d && dataFields == 1
            ? d.Number switch { 9 => OnnxDataField.RawData, 4 => OnnxDataField.FloatData, 10 => OnnxDataField.DoubleData, _ => (OnnxDataField?)null }
            : null;
        if (mappable is not { } kind)
        {
            output.Write(tensor);
            return;
        }
        var reader = new WireReader(tensor, offset, _fileName);
        while (reader.Next(out var field))
            if (field.Start != data!.Value.Start) output.Write(tensor[field.Start..field.End]);
        Span<byte> ticket = stackalloc byte[TicketLength];
        _nonce.CopyTo(ticket);
        BinaryPrimitives.WriteInt64LittleEndian(ticket[8..], _ranges.Count);
        _ranges.Add(new OnnxDataRange(offset + data!.Value.PayloadStart, data.Value.PayloadLength, kind));
        WireWriter.LengthDelimited(output, 9, ticket);
    }
}
