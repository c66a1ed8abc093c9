using Google.Protobuf;
using Onnx;

namespace NeuronKit.Tests.Formats.Onnx;

/// <summary>Builds small ONNX models in memory with the same generated classes the reader uses, for hostile and edge cases.</summary>
internal static class OnnxModelBuilder
{
    /// <summary>A float tensor [rows, cols] holding 0, 1, 2, … in raw_data.</summary>
    public static TensorProto Raw(string name, params long[] dims)
    {
        long count = dims.Aggregate(1L, (n, d) => n * d);
        var bytes = new byte[count * 4];
        for (int i = 0; i < count; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), (float)i);
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.Add(dims);
        return tensor;
    }

    /// <summary>A Gemm node named <paramref name="name"/> reading x and <paramref name="weight"/>, transB=1.</summary>
    public static NodeProto Gemm(string name, string weight, string output = "y")
    {
        var node = new NodeProto { Name = name, OpType = "Gemm" };
        node.Input.Add(["x", weight]);
        node.Output.Add(output);
        node.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        return node;
    }

    /// <summary>A model of one graph holding <paramref name="nodes"/> and <paramref name="initializers"/>.</summary>
    public static ModelProto Model(IEnumerable<NodeProto> nodes, params TensorProto[] initializers)
    {
        var graph = new GraphProto { Name = "test" };
        graph.Node.Add(nodes);
        graph.Initializer.Add(initializers);
        var model = new ModelProto { IrVersion = 8, ProducerName = "tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model;
    }

    /// <summary>The model's bytes.</summary>
    public static byte[] Bytes(this ModelProto model) => model.ToByteArray();
}
