using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NeuronKit.Formats.Onnx;
using GraphProto = global::Onnx.GraphProto;
using ModelProto = global::Onnx.ModelProto;
using ValueInfoProto = global::Onnx.ValueInfoProto;

namespace NeuronKit.Activations;

/// <summary>
/// Runs an ONNX model with ONNX Runtime and reads what its layers output: neuron j's activation map or values for
/// each input. ONNX Runtime returns graph outputs only, so the layer's value is added as one; the file is not changed.
/// <code>
/// using var run = ActivationRun.Open("model.onnx");
/// var maps = run.Activations("/conv1/Conv", 3, run.ReadInputs(["x.npy"]));
/// </code>
/// </summary>
public sealed class ActivationRun : IDisposable
{
    // ORT reads a model given as bytes with its external data from this folder (onnxruntime_session_options_config_keys.h).
    private const string ExternalDataFolderKey = "session.model_external_initializers_file_folder_path";

    private readonly Model _model;
    private readonly byte[] _bytes;
    private readonly HashSet<string> _graphOutputs;
    private readonly Dictionary<string, InferenceSession> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private bool _disposed;

    private ActivationRun(Model model, byte[] bytes, HashSet<string> graphOutputs, IReadOnlyList<ModelInput> inputs)
    {
        _model = model;
        _bytes = bytes;
        _graphOutputs = graphOutputs;
        Inputs = inputs;
    }

    /// <summary>Opens the ONNX model at <paramref name="path"/> (or a folder's, see <see cref="Formats.ModelFolder"/>); external data stays where it is, beside the file.</summary>
    public static ActivationRun Open(string path)
    {
        if (NeuronKit.Tensors.ByteSources.IsUrl(path))
            throw NeuronKit.Remote.HttpRangeSource.NotLocal(NeuronKit.Tensors.ByteSources.FileName(path), "run");
        var model = Model.Open(path);
        path = model.Checkpoint.Path; // a folder's model.onnx
        try
        {
            if (model.Checkpoint.Format != "onnx")
                throw new RequestException($"{Path.GetFileName(path)} is {model.Checkpoint.Format}; neuron act runs ONNX models",
                    ["export the model with torch.onnx.export, then run the .onnx file"]);
            // A model over 2 GB keeps its weights in external files, so the .onnx itself stays under protobuf's limit.
            byte[] bytes = File.ReadAllBytes(path);
            GraphProto graph;
            try
            {
                graph = ModelProto.Parser.ParseFrom(bytes).Graph ?? new GraphProto();
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new CheckpointException($"{Path.GetFileName(path)} is not an ONNX model protobuf can read: {e.Message}");
            }
            var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            var inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).Select(Describe).ToList();
            return new ActivationRun(model, bytes, graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal), inputs);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The inputs the model takes, in the graph's order (initializers that are also listed as inputs left out).</summary>
    public IReadOnlyList<ModelInput> Inputs { get; }

    /// <summary>The value that holds layer <paramref name="layer"/>'s output (after its activation function with <paramref name="post"/>).</summary>
    public LayerOutput Output(string layer, bool post = false) => LayerOutput.Resolve(_model, layer, post);

    /// <summary>Reads input files (<c>x.npy</c>, <c>photo.jpg</c>, <c>name=x.npy</c>) and checks them against <see cref="Inputs"/>.</summary>
    public IReadOnlyList<ActivationInput> ReadInputs(IEnumerable<string> specs, ImageOptions? options = null) =>
        InputFiles.Read(specs, Inputs, options ?? ImageOptions.Default);

    /// <summary>
    /// Neuron <paramref name="index"/> of <paramref name="layer"/> (negative counts from the end) on each input: one entry
    /// per input, or per batch item (<c>x.npy[3]</c>) of an input that holds several. Inputs of the same shape run
    /// together, up to <paramref name="batch"/> items per ONNX Runtime call, when the model's batch dimension is free.
    /// </summary>
    public IReadOnlyList<NeuronActivation> Activations(string layer, long index, IReadOnlyList<ActivationInput> inputs, bool post = false,
        int batch = DefaultBatch)
    {
        var output = Output(layer, post);
        var result = new List<NeuronActivation>();
        foreach (var (labels, tensor) in Run(output, inputs, batch))
            using (tensor)
            {
                long j = NeuronIndex(output, tensor, index);
                for (int item = 0; item < labels.Count; item++)
                {
                    var (shape, values) = tensor.Neuron(item, j, output.Direction);
                    result.Add(new NeuronActivation(labels[item], j, shape, values));
                }
            }
        return result;
    }

    /// <summary>
    /// Every neuron of <paramref name="output"/> on <paramref name="inputs"/>: per input (batch item), one activation per
    /// neuron; run in batches as <see cref="Activations"/> runs them.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<NeuronActivation>> LayerActivations(LayerOutput output, IReadOnlyList<ActivationInput> inputs,
        int batch = DefaultBatch)
    {
        var result = new List<IReadOnlyList<NeuronActivation>>();
        foreach (var (labels, tensor) in Run(output, inputs, batch))
            using (tensor)
                for (int item = 0; item < labels.Count; item++)
                {
                    var row = new NeuronActivation[tensor.NeuronCount(output.Direction)];
                    for (long j = 0; j < row.Length; j++)
                    {
                        var (shape, values) = tensor.Neuron(item, j, output.Direction);
                        row[j] = new NeuronActivation(labels[item], j, shape, values);
                    }
                    result.Add(row);
                }
        return result;
    }

    /// <summary>The batch items one ONNX Runtime call takes unless told otherwise.</summary>
    public const int DefaultBatch = 16;

    /// <summary>Throws <see cref="RequestException"/> unless <paramref name="batch"/> items per call is at least one.</summary>
    public static void CheckBatch(int batch)
    {
        if (batch < 1) throw new RequestException($"--batch {batch}: give 1 or more");
    }

    /// <summary>
    /// Whether inputs can run together: every input of the model has a free first dimension (its exporter declared the
    /// batch dynamic), and the layer's output keeps the batch on its first axis (not a recurrent node's Y, whose batch
    /// is axis 2 and whose input's is axis 1). A model of batch 1 runs one item per call.
    /// </summary>
    public bool Batches(LayerOutput output) =>
        output.Axis != NeuronAxis.Recurrent && Inputs.All(i => i.Dimensions.Count > 0 && i.Dimensions[0] < 0);

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var session in _sessions.Values) session.Dispose();
            _sessions.Clear();
        }
        _model.Dispose();
    }

    private static long NeuronIndex(LayerOutput output, OutputTensor tensor, long index)
    {
        long count = tensor.NeuronCount(output.Direction);
        long j = index < 0 ? index + count : index;
        if (j < 0 || j >= count)
            throw new RequestException($"{output.Layer} has {count} neurons (its output is [{string.Join(", ", tensor.Shape)}]); there is no neuron {index}");
        return j;
    }

    // The runs that feed inputs: consecutive inputs of the same shapes stacked along the batch axis up to batch items
    // when the model allows (Batches); else one run per input, or per batch item when the model's batch is fixed at 1
    // and the file holds several. Each run's output comes with the labels of its batch items, in order.
    private IEnumerable<(IReadOnlyList<string> Labels, OutputTensor Tensor)> Run(LayerOutput output, IReadOnlyList<ActivationInput> inputs, int batch)
    {
        CheckBatch(batch);
        if (!Batches(output))
        {
            foreach (var input in inputs)
                foreach (var run in RunAlone(output, input))
                    yield return run;
            yield break;
        }
        var group = new List<ActivationInput>();
        long items = 0;
        foreach (var input in inputs)
        {
            long count = Items(input);
            if (group.Count > 0 && (items + count > batch || !SameShapes(group[0], input)))
            {
                yield return RunStacked(output, group);
                group.Clear();
                items = 0;
            }
            group.Add(input);
            items += count;
        }
        if (group.Count > 0) yield return RunStacked(output, group);
    }

    private IEnumerable<(IReadOnlyList<string> Labels, OutputTensor Tensor)> RunAlone(LayerOutput output, ActivationInput input)
    {
        long items = Items(input);
        bool split = items > 1 && Inputs.Any(i => i.Dimensions.Count > 0 && i.Dimensions[0] == 1);
        if (!split)
        {
            var tensor = RunOnce(output, input.Tensors);
            yield return (Labels(input, tensor.BatchCount), tensor);
            yield break;
        }
        for (long item = 0; item < items; item++)
            yield return ([$"{input.Label}[{item}]"], RunOnce(output, input.Tensors.ToDictionary(t => t.Key, t => t.Value.Item(item))));
    }

    // Inputs of the same shapes as one: each model input's tensors concatenated along the batch axis.
    private (IReadOnlyList<string> Labels, OutputTensor Tensor) RunStacked(LayerOutput output, List<ActivationInput> group)
    {
        if (group.Count == 1) return RunAlone(output, group[0]).Single();
        var stacked = group[0].Tensors.Keys.ToDictionary(name => name, name => InputTensor.Stack([.. group.Select(g => g.Tensors[name])]));
        var tensor = RunOnce(output, stacked);
        var labels = group.SelectMany(g => Labels(g, Items(g))).ToList();
        if (tensor.BatchCount != labels.Count)
        {
            tensor.Dispose();
            throw new RequestException($"{output.Layer}'s output [{string.Join(", ", tensor.Shape)}] does not keep the batch of {labels.Count} " +
                "inputs on its first axis, though the model's batch dimension is free", ["run them one at a time: --batch 1"]);
        }
        return (labels, tensor);
    }

    private static long Items(ActivationInput input) => input.Tensors.Values.First().Shape[0];

    private static IReadOnlyList<string> Labels(ActivationInput input, long items) =>
        items == 1 ? [input.Label] : [.. Enumerable.Range(0, (int)items).Select(item => $"{input.Label}[{item}]")];

    private static bool SameShapes(ActivationInput a, ActivationInput b) =>
        a.Tensors.All(t => b.Tensors.TryGetValue(t.Key, out var other) && t.Value.Shape.Skip(1).SequenceEqual(other.Shape.Skip(1)));

    private OutputTensor RunOnce(LayerOutput output, IReadOnlyDictionary<string, InputTensor> tensors)
    {
        var session = Session(output.Value);
        var values = tensors.Select(t => OrtValue.CreateTensorValueFromMemory(t.Value.Values, [.. t.Value.Shape])).ToList();
        try
        {
            using var options = new RunOptions();
            using var results = session.Run(options, [.. tensors.Keys], values, [output.Value]);
            var result = results[0];
            var info = result.GetTensorTypeAndShape();
            if (info.ElementDataType != TensorElementType.Float)
                throw new RequestException($"{output.Layer}'s output {output.Value} is {info.ElementDataType}; neuron act reads float32 outputs");
            return OutputTensor.Copy(result.GetTensorDataAsSpan<float>(), info.Shape, output.Axis);
        }
        catch (OnnxRuntimeException e)
        {
            throw new RequestException($"ONNX Runtime could not run the model on these inputs: {e.Message}");
        }
        finally
        {
            foreach (var value in values) value.Dispose();
        }
    }

    // One session per exposed value, made from the file's bytes with that value appended as a graph output: a second
    // GraphProto whose only field is the output, which protobuf merges into the first (repeated fields concatenate), so
    // the model is neither copied message by message nor re-serialised.
    private InferenceSession Session(string value)
    {
        lock (_lock)
        {
            // Else a run used after Dispose would open a session nothing disposes, and run the model it was told to let go.
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_sessions.TryGetValue(value, out var session)) return session;
            byte[] bytes = _bytes;
            if (!_graphOutputs.Contains(value))
            {
                var extra = new ModelProto { Graph = new GraphProto() };
                extra.Graph.Output.Add(new ValueInfoProto { Name = value });
                bytes = [.. _bytes, .. extra.ToByteArray()];
            }
            using var options = new SessionOptions();
            string folder = Path.GetDirectoryName(Path.GetFullPath(_model.Checkpoint.Path))!;
            options.AddSessionConfigEntry(ExternalDataFolderKey, folder);
            try
            {
                session = new InferenceSession(bytes, options);
            }
            catch (OnnxRuntimeException e)
            {
                throw new CheckpointException($"ONNX Runtime cannot load {_model.Checkpoint.FileName}: {e.Message}");
            }
            _sessions[value] = session;
            return session;
        }
    }

    private static ModelInput Describe(ValueInfoProto input)
    {
        var tensor = input.Type?.TensorType;
        string type = tensor is null ? "a non-tensor value"
            : tensor.ElemType == 1 ? "float32"
            : OnnxDataTypes.TryFind(tensor.ElemType, out string name, out _) ? name.ToLowerInvariant() : $"ONNX type {tensor.ElemType}";
        var dims = tensor?.Shape?.Dim ?? [];
        return new ModelInput(input.Name,
            [.. dims.Select(d => d.ValueCase == global::Onnx.TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1L)],
            [.. dims.Select(d => d.DimParam ?? "")], type);
    }
}
