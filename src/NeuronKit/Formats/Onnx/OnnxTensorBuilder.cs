using System.Runtime.InteropServices;
using NeuronKit.Tensors;
using TensorProto = global::Onnx.TensorProto;

namespace NeuronKit.Formats.Onnx;

/// <summary>
/// Turns a TensorProto into a lazy <see cref="TensorInfo"/>: data in the model file (raw_data, packed float_data or
/// double_data, complex ones as (re, im) pairs, found by <see cref="OnnxWireIndex"/>) or beside it stays mapped; data in varint fields (int32_data,
/// int64_data, uint64_data) or unpacked floats is decoded into memory, as it cannot be mapped. Every count is checked first.
/// </summary>
internal sealed class OnnxTensorBuilder(ByteSource file, string fileName, OnnxWireIndex index, OnnxExternalData external)
{
    private const TensorProto.Types.DataLocation External = TensorProto.Types.DataLocation.External;

    /// <summary>Tensors of types NeuronKit does not read, with their ONNX type names; they are left out of the checkpoint.</summary>
    public List<(string Name, string Type)> Skipped { get; } = [];

    /// <summary>The tensor <paramref name="proto"/> named <paramref name="name"/>, or null when its type is not read (see <see cref="Skipped"/>).</summary>
    public TensorInfo? Build(TensorProto proto, string name)
    {
        if (proto.Segment is not null)
            throw Bad(name, "is split into segments, which NeuronKit does not read");
        if (!OnnxDataTypes.TryFind(proto.DataType, out string typeName, out DType? found))
            throw Bad(name, $"has data_type {proto.DataType}, which is no ONNX type");
        if (found is not { } dtype)
        {
            Skipped.Add((name, typeName));
            return null;
        }
        long[] shape = [.. proto.Dims];
        long elements = 1, bytes;
        try
        {
            checked
            {
                foreach (long d in shape)
                {
                    if (d < 0) throw Bad(name, $"has a negative dimension in [{string.Join(", ", shape)}]");
                    elements *= d;
                }
                bytes = elements * dtype.Size();
            }
        }
        catch (OverflowException)
        {
            throw Bad(name, $"has dimensions [{string.Join(", ", shape)}] whose product overflows");
        }
        return TensorInfo.Contiguous(name, dtype, shape, Storage(proto, name, typeName, dtype, elements, bytes));
    }

    private TensorStorage Storage(TensorProto proto, string name, string typeName, DType dtype, long elements, long bytes)
    {
        var ticket = proto.HasRawData ? index.Redeem(proto.RawData) : null;
        var sources = new List<string>();
        if (proto.DataLocation == External) sources.Add("external data");
        if (proto.HasRawData) sources.Add("raw_data");
        if (proto.FloatData.Count > 0) sources.Add("float_data");
        if (proto.Int32Data.Count > 0) sources.Add("int32_data");
        if (proto.Int64Data.Count > 0) sources.Add("int64_data");
        if (proto.DoubleData.Count > 0) sources.Add("double_data");
        if (proto.Uint64Data.Count > 0) sources.Add("uint64_data");
        if (proto.StringData.Count > 0) sources.Add("string_data");
        if (sources.Count > 1) throw Bad(name, $"holds its data twice ({string.Join(" and ", sources)})");
        if (sources.Count == 0)
        {
            if (elements == 0) return new TensorStorage(name, new MemoryBytes([]), 0, 0);
            throw Bad(name, $"has {elements:N0} elements but no data");
        }
        if (proto.DataLocation == External)
        {
            var entries = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in proto.ExternalData)
                if (!entries.TryAdd(entry.Key, entry.Value))
                    throw Bad(name, $"has external_data key '{entry.Key}' twice");
            return external.Storage(name, entries, bytes);
        }
        if (ticket is not null)
        {
            // A complex element is two consecutive floats (doubles), real part first: the bytes of raw_data, so they map too.
            bool fits = ticket.Field switch
            {
                OnnxDataField.FloatData => dtype is DType.Float32 or DType.Complex64,
                OnnxDataField.DoubleData => dtype is DType.Float64 or DType.Complex128,
                _ => true,
            };
            if (!fits)
                throw Bad(name, $"is {typeName} but holds {(ticket.Field == OnnxDataField.FloatData ? "float_data" : "double_data")}");
            if (ticket.Length != bytes)
                throw Bad(name, $"holds {ticket.Length:N0} bytes of data, but [{string.Join(", ", proto.Dims)}] {typeName} needs {bytes:N0}");
            return new TensorStorage(name, file, ticket.Offset, ticket.Length);
        }
        return new TensorStorage(name, new MemoryBytes(Decode(proto, name, typeName, dtype, elements, bytes), "decoded from typed fields (int64_data, int32_data …) or raw_data given twice"), 0, bytes);
    }

    // Data that could not be mapped: raw_data given twice, or typed fields, each checked to hold one value per element.
    private byte[] Decode(TensorProto proto, string name, string typeName, DType dtype, long elements, long bytes)
    {
        if (proto.HasRawData)
        {
            if (proto.RawData.Length != bytes)
                throw Bad(name, $"holds {proto.RawData.Length:N0} bytes of data, but [{string.Join(", ", proto.Dims)}] {typeName} needs {bytes:N0}");
            return proto.RawData.ToByteArray();
        }
        (string field, int count, bool fits) = dtype switch
        {
            _ when proto.FloatData.Count > 0 => ("float_data", proto.FloatData.Count, dtype is DType.Float32 or DType.Complex64),
            _ when proto.DoubleData.Count > 0 => ("double_data", proto.DoubleData.Count, dtype is DType.Float64 or DType.Complex128),
            _ when proto.Int64Data.Count > 0 => ("int64_data", proto.Int64Data.Count, dtype == DType.Int64),
            _ when proto.Int32Data.Count > 0 => ("int32_data", proto.Int32Data.Count, dtype is not (DType.Float32 or DType.Float64 or DType.Int64 or DType.UInt32 or DType.UInt64)),
            // onnx.proto keeps UINT32 and UINT64 in uint64_data, one value per element.
            _ when proto.Uint64Data.Count > 0 => ("uint64_data", proto.Uint64Data.Count, dtype is DType.UInt32 or DType.UInt64),
            _ => ("string_data", 0, false),
        };
        if (!fits) throw Bad(name, $"is {typeName} but holds {field}");
        // float_data and double_data hold a complex element as two values, (re, im).
        long perElement = dtype.IsComplex() ? 2 : 1;
        if (count != elements * perElement)
            throw Bad(name, $"holds {count:N0} values in {field}, but [{string.Join(", ", proto.Dims)}] has {elements:N0} elements" +
                (perElement == 2 ? $" of two values (re, im) each: {elements * 2:N0}" : ""));
        var data = new byte[bytes];
        switch (field)
        {
            case "float_data": MemoryMarshal.AsBytes<float>([.. proto.FloatData]).CopyTo(data); break;
            case "double_data": MemoryMarshal.AsBytes<double>([.. proto.DoubleData]).CopyTo(data); break;
            case "int64_data": MemoryMarshal.AsBytes<long>([.. proto.Int64Data]).CopyTo(data); break;
            case "uint64_data":
                int width = dtype.Size();
                for (int i = 0; i < count; i++)
                    for (int b = 0; b < width; b++)
                        data[i * width + b] = (byte)(proto.Uint64Data[i] >> (8 * b));
                break;
            default:
                // int32_data holds narrower types one per int32, float16 and bfloat16 as their bit patterns: keep the low bytes.
                int size = dtype.Size();
                for (int i = 0; i < count; i++)
                    for (int b = 0; b < size; b++)
                        data[i * size + b] = (byte)(proto.Int32Data[i] >> (8 * b));
                break;
        }
        return data;
    }

    private CheckpointException Bad(string tensor, string what) => new($"{fileName}: tensor '{tensor}' {what}");
}
