using System.Buffers.Binary;
using NeuronKit.Formats;
using NeuronKit.Tensors;

namespace NeuronKit.Tests.Layers;

/// <summary>
/// Builds a checkpoint in memory: float32 tensors whose values are their element indices (row-major), each over its own
/// storage unless tied, plus the module classes and non-layer prefixes a format reader would report.
/// </summary>
internal sealed class CheckpointBuilder
{
    private readonly List<TensorInfo> _tensors = [];
    private readonly Dictionary<string, string> _classes = [];
    private readonly List<string> _nonLayerPrefixes = [];
    private readonly List<GraphNode> _nodes = [];
    private readonly List<SequenceStep> _steps = [];
    private readonly Dictionary<string, IReadOnlyList<long?>> _declared = [];

    /// <summary>Adds tensor <paramref name="name"/> of <paramref name="shape"/> holding 0, 1, 2, … in row-major order.</summary>
    public CheckpointBuilder Tensor(string name, params long[] shape)
    {
        long count = shape.Aggregate(1L, (n, d) => n * d);
        var bytes = new byte[count * 4];
        for (int i = 0; i < count; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), (float)i);
        var storage = new TensorStorage(name, new MemoryBytes(bytes), 0, bytes.Length);
        _tensors.Add(TensorInfo.Contiguous(name, DType.Float32, shape, storage));
        return this;
    }

    /// <summary>Adds a BatchNorm <paramref name="module"/> of <paramref name="channels"/>: weight, bias, running_mean, running_var.</summary>
    public CheckpointBuilder Norm(string module, long channels) =>
        Tensor($"{module}.weight", channels).Tensor($"{module}.bias", channels).Tensor($"{module}.running_mean", channels).Tensor($"{module}.running_var", channels);

    /// <summary>Adds tensor <paramref name="name"/> of <paramref name="dtype"/> and <paramref name="shape"/>, all zeros.</summary>
    public CheckpointBuilder Zeros(string name, DType dtype, params long[] shape)
    {
        var bytes = new byte[shape.Aggregate(1L, (n, d) => n * d) * dtype.Size()];
        _tensors.Add(TensorInfo.Contiguous(name, dtype, shape, new TensorStorage(name, new MemoryBytes(bytes), 0, bytes.Length)));
        return this;
    }

    /// <summary>Adds tensor <paramref name="name"/> of <paramref name="dtype"/> (a float type) holding <paramref name="values"/>, rounded to it.</summary>
    public CheckpointBuilder Values(string name, DType dtype, long[] shape, double[] values)
    {
        int size = dtype.Size();
        var bytes = new byte[values.Length * size];
        for (int i = 0; i < values.Length; i++)
        {
            var at = bytes.AsSpan(i * size);
            switch (dtype)
            {
                case DType.Float32: BinaryPrimitives.WriteSingleLittleEndian(at, (float)values[i]); break;
                case DType.Float64: BinaryPrimitives.WriteDoubleLittleEndian(at, values[i]); break;
                case DType.Float16: BinaryPrimitives.WriteHalfLittleEndian(at, (Half)values[i]); break;
                // bfloat16 is the top half of a float32: truncated, which is as good a value as rounded for a test.
                case DType.BFloat16: BinaryPrimitives.WriteUInt16LittleEndian(at, (ushort)(BitConverter.SingleToUInt32Bits((float)values[i]) >> 16)); break;
                default: throw new ArgumentException($"no writer for {dtype}", nameof(dtype));
            }
        }
        _tensors.Add(TensorInfo.Contiguous(name, dtype, shape, new TensorStorage(name, new MemoryBytes(bytes), 0, bytes.Length)));
        return this;
    }

    /// <summary>Adds tensor <paramref name="name"/> viewing the same storage, shape and strides as <paramref name="existing"/>.</summary>
    public CheckpointBuilder Tied(string name, string existing)
    {
        var other = _tensors.Single(t => t.Name == existing);
        _tensors.Add(TensorInfo.Create(name, other.DType, [.. other.Shape], [.. other.Strides], other.StorageOffset, other.Storage));
        return this;
    }

    /// <summary>Records that module <paramref name="module"/> is an instance of <paramref name="className"/>.</summary>
    public CheckpointBuilder Class(string module, string className)
    {
        _classes[module] = className;
        return this;
    }

    /// <summary>Records that tensors under <paramref name="prefix"/> are not layer weights (optimizer state).</summary>
    public CheckpointBuilder NonLayer(string prefix)
    {
        _nonLayerPrefixes.Add(prefix);
        return this;
    }

    /// <summary>Adds an ONNX-style graph node: <paramref name="opType"/> named <paramref name="name"/> reading <paramref name="inputs"/>.</summary>
    public CheckpointBuilder Node(string opType, string name, string[] inputs, string[] outputs,
        Dictionary<string, long>? ints = null, Dictionary<string, string>? strings = null, Dictionary<string, double>? floats = null)
    {
        _nodes.Add(new GraphNode
        {
            Name = name, OpType = opType, Inputs = inputs, Outputs = outputs,
            Ints = ints ?? [], Strings = strings ?? [], Floats = floats ?? [],
        });
        return this;
    }

    /// <summary>Declares value <paramref name="name"/>'s shape, as an ONNX file's graph.input or value_info does; null is an unknown dim.</summary>
    public CheckpointBuilder Declared(string name, params long?[] dims)
    {
        _declared[name] = dims;
        return this;
    }

    /// <summary>Adds a layer of a model's config (a Keras Sequential's, or a Functional's with its inputs), as a reader lists them.</summary>
    public CheckpointBuilder Step(SequenceStep step)
    {
        _steps.Add(step);
        return this;
    }

    /// <summary>The checkpoint, as if read from a file named test.pt.</summary>
    public Checkpoint Build() => new("test.pt", "test", _tensors, [],
        graph: new ModelGraph { ModuleClasses = _classes, NonLayerPrefixes = _nonLayerPrefixes, Nodes = _nodes, Sequence = _steps,
            DeclaredShapes = _declared });

    /// <summary>The checkpoint opened as a model: its layers inferred.</summary>
    public Model Model() => NeuronKit.Model.Create(Build());

    /// <summary><paramref name="count"/> values from <paramref name="start"/> in steps of <paramref name="step"/>: the expected slice of an index tensor.</summary>
    public static double[] Run(long start, long count, long step = 1) => [.. Enumerable.Range(0, (int)count).Select(i => (double)(start + i * step))];
}
