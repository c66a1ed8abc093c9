using System.Runtime.InteropServices;
using Google.Protobuf;
using AttributeProto = global::Onnx.AttributeProto;
using TensorProto = global::Onnx.TensorProto;

namespace NeuronKit.Formats.Onnx;

/// <summary>
/// A Constant's value given by an attribute other than <c>value</c> (https://onnx.ai/onnx/operators/onnx__Constant.html),
/// as the TensorProto a writer changes, and back: value_float(s) stay floats, value_int(s) ints; a sparse_value the prune
/// cut becomes the dense <c>value</c> tensor it stands for (cutting indices would mean renumbering them).
/// </summary>
internal static class OnnxConstantAttribute
{
    /// <summary>The attribute's value as a tensor (typed fields, no raw_data), or null for an attribute that gives none.</summary>
    public static TensorProto? AsTensor(AttributeProto attribute)
    {
        var tensor = new TensorProto();
        switch (attribute.Name)
        {
            case "value_float":
                tensor.DataType = (int)TensorProto.Types.DataType.Float;
                tensor.FloatData.Add(attribute.F);
                break;
            case "value_floats":
                tensor.DataType = (int)TensorProto.Types.DataType.Float;
                tensor.Dims.Add(attribute.Floats.Count);
                tensor.FloatData.Add(attribute.Floats);
                break;
            case "value_int":
                tensor.DataType = (int)TensorProto.Types.DataType.Int64;
                tensor.Int64Data.Add(attribute.I);
                break;
            case "value_ints":
                tensor.DataType = (int)TensorProto.Types.DataType.Int64;
                tensor.Dims.Add(attribute.Ints.Count);
                tensor.Int64Data.Add(attribute.Ints);
                break;
            case "sparse_value" when attribute.SparseTensor?.Values is { } values:
                // Only its dims and type: a prune that cuts it gives it every value (raw_data) from the reader's dense tensor.
                tensor.DataType = values.DataType;
                tensor.Dims.Add(attribute.SparseTensor.Dims);
                break;
            default:
                return null;
        }
        return tensor;
    }

    /// <summary>Puts <paramref name="tensor"/>'s raw_data (as the prune wrote it) back into <paramref name="attribute"/>.</summary>
    public static void Store(TensorProto tensor, AttributeProto attribute)
    {
        var bytes = tensor.RawData.Span;
        switch (attribute.Name)
        {
            case "value_float": attribute.F = MemoryMarshal.Read<float>(bytes); break;
            case "value_floats": attribute.Floats.Clear(); attribute.Floats.Add(MemoryMarshal.Cast<byte, float>(bytes).ToArray()); break;
            case "value_int": attribute.I = MemoryMarshal.Read<long>(bytes); break;
            case "value_ints": attribute.Ints.Clear(); attribute.Ints.Add(MemoryMarshal.Cast<byte, long>(bytes).ToArray()); break;
            default:
                attribute.Name = "value";
                attribute.Type = AttributeProto.Types.AttributeType.Tensor;
                attribute.SparseTensor = null;
                attribute.T = new TensorProto { DataType = tensor.DataType, RawData = ByteString.CopyFrom(bytes) };
                attribute.T.Dims.Add(tensor.Dims);
                break;
        }
    }
}
