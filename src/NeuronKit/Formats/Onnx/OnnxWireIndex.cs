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
/// would be read twice into memory; with it, parsing copies only the graph.
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
            Rewrite(message.Slice(field.PayloadStart, field.PayloadLength), offset + field.PayloadStart, child, childDepth, buffer);
            WireWriter.LengthDelimited(output, field.Number, buffer.WrittenSpan);
        }
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
