using System.Runtime.InteropServices;
using NeuronKit.Tensors;
using SparseTensorProto = global::Onnx.SparseTensorProto;
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
            return ticket.Runs is { } runs
                ? new TensorStorage(name, new JoinedBytes(file, runs), 0, ticket.Length)
                : new TensorStorage(name, file, ticket.Offset, ticket.Length);
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

    /// <summary>
    /// A Constant's value given as numbers the parsed attribute holds (value_int, value_ints as varints, which cannot be
    /// mapped; a value_float without its f): <paramref name="bytes"/> of <paramref name="dtype"/>, in memory.
    /// </summary>
    public static TensorInfo FromAttribute(string name, DType dtype, long[] shape, byte[] bytes, string attribute) =>
        TensorInfo.Contiguous(name, dtype, shape,
            new TensorStorage(name, new MemoryBytes(bytes, $"decoded from a Constant's {attribute} (varints, not fixed-width bytes)"), 0, bytes.Length));

    /// <summary>
    /// A Constant's sparse_value as the dense tensor it stands for (onnx.proto SparseTensorProto: values [NNZ], indices
    /// [NNZ] linear or [NNZ, rank] coordinates, ascending, and dims), expanded into memory; or null, listed in
    /// <see cref="Skipped"/>, when its values are of a type NeuronKit does not read or its dense form is over
    /// <see cref="MaxExpandedBytes"/>: that many bytes are not justified by what the file holds.
    /// </summary>
    public TensorInfo? BuildSparse(SparseTensorProto sparse, string name)
    {
        if (sparse.Values is null || sparse.Indices is null) throw Bad(name, "is a sparse_value without values or indices");
        long[] shape = [.. sparse.Dims];
        long elements = 1;
        try
        {
            foreach (long d in shape)
            {
                if (d < 0) throw Bad(name, $"is a sparse_value with a negative dimension in [{string.Join(", ", shape)}]");
                elements = checked(elements * d);
            }
        }
        catch (OverflowException)
        {
            throw Bad(name, $"is a sparse_value with dimensions [{string.Join(", ", shape)}] whose product overflows");
        }
        if (Build(sparse.Values, name) is not { } values) return null;
        int size = values.DType.Size();
        if (elements > MaxExpandedBytes / size)
        {
            Skipped.Add((name, $"sparse_value of {elements:N0} elements, over the {MaxExpandedBytes >> 20} MiB NeuronKit expands"));
            return null;
        }
        var indices = Build(sparse.Indices, name + " (indices)");
        if (values.Shape.Count != 1) throw Bad(name, $"is a sparse_value whose values are [{string.Join(", ", values.Shape)}], not one list");
        long count = values.Shape[0];
        if (indices is not { DType: DType.Int64 } || !(indices.Shape.Count == 1 || (indices.Shape.Count == 2 && indices.Shape[1] == shape.Length)))
            throw Bad(name, $"is a sparse_value whose indices are not INT64 [NNZ] or [NNZ, {shape.Length}]");
        if (indices.Shape[0] != count)
            throw Bad(name, $"is a sparse_value that has {count:N0} values but {indices.Shape[0]:N0} ind{(indices.Shape[0] == 1 ? "ex" : "ices")}");
        var at = MemoryMarshal.Cast<byte, long>(indices.Storage.Source.Span(indices.Storage.ByteOffset, (int)indices.Storage.ByteLength));
        var source = values.Storage.Source.Span(values.Storage.ByteOffset, (int)values.Storage.ByteLength);
        var dense = new byte[elements * size];
        long previous = -1;
        for (int i = 0; i < count; i++)
        {
            long linear = 0;
            if (indices.Shape.Count == 1) linear = at[i];
            else
                for (int d = 0; d < shape.Length; d++)
                {
                    long coordinate = at[i * shape.Length + d];
                    if (coordinate < 0 || coordinate >= shape[d])
                        throw Bad(name, $"is a sparse_value whose index {coordinate} is outside dimension {d} of [{string.Join(", ", shape)}]");
                    linear = linear * shape[d] + coordinate;
                }
            if (linear < 0 || linear >= elements) throw Bad(name, $"is a sparse_value whose index {linear} is outside its {elements:N0} elements");
            if (linear <= previous) throw Bad(name, $"is a sparse_value whose indices must ascend, but {linear} follows {previous}");
            previous = linear;
            source.Slice(i * size, size).CopyTo(dense.AsSpan((int)(linear * size)));
        }
        return TensorInfo.Contiguous(name, values.DType, shape,
            new TensorStorage(name, new MemoryBytes(dense, "expanded from a Constant's sparse_value"), 0, dense.Length));
    }

    /// <summary>The most bytes a sparse_value is expanded to; a Constant larger than that is listed as not read.</summary>
    public const long MaxExpandedBytes = 64L << 20;

    private CheckpointException Bad(string tensor, string what) => new($"{fileName}: tensor '{tensor}' {what}");
}
