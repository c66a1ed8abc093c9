using NeuronKit.Edits;
using NeuronKit.Formats;
using NeuronKit.Graph;
using NeuronKit.Layers;
using NeuronKit.Neurons;
using NeuronKit.Tensors;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp;

/// <summary>
/// A live TorchSharp module read for neuron queries: its layers, named by module path as <c>named_modules()</c> names them,
/// and neuron j of any of them, with the same kinds, addressing, parts and errors as a checkpoint file.
/// <code>
/// var model = new LiveModel(nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 2)));
/// using var neuron = model.Neuron("0", 1);
/// Tensor row = neuron.Part("weight")!.Tensor;   // a view of 0.weight[1], no copy
/// </code>
/// </summary>
/// <remarks>
/// The layers view the module's tensors as they are when the model is made: in-place updates (an optimizer step)
/// show through; after <c>module.to(...)</c>, which replaces the tensors it converts, make a new LiveModel.
/// Nothing here moves the module between devices or changes its dtype.
/// </remarks>
public sealed partial class LiveModel
{
    /// <summary>The format name layers of a live module report.</summary>
    public const string Format = "torchsharp-module";

    private readonly Model _model;
    private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, nn.Module> _modules = new(StringComparer.Ordinal);

    /// <summary>Reads <paramref name="module"/>'s parameters and persistent buffers (its <c>state_dict()</c>) and module types.</summary>
    public LiveModel(nn.Module module)
    {
        Module = module;
        string name = TypeName(module.GetType());
        List<TensorInfo> tensors = [];
        foreach (var (key, tensor) in module.state_dict())
        {
            var dtype = LiveDTypes.Find(tensor.dtype) ?? throw new CheckpointException(
                $"{name}'s tensor '{key}' is {tensor.dtype}, which NeuronKit does not read",
                [$"NeuronKit reads {string.Join(", ", LiveDTypes.Readable)}"]);
            var bytes = new LiveTensorBytes(key, tensor);
            tensors.Add(TensorInfo.Contiguous(key, dtype, tensor.shape, new TensorStorage(key, bytes, 0, bytes.Length)));
            _tensors[key] = tensor;
        }
        _modules[""] = module;
        foreach (var (path, child) in module.named_modules()) _modules[path] = child;
        var classes = _modules.ToDictionary(m => m.Key, m => ClassName(m.Value.GetType()), StringComparer.Ordinal);
        // A transposed convolution without a bias has no tensor that says its groups; the module does.
        var groups = _modules.Where(m => m.Value is global::TorchSharp.Modules.Convolution { groups: > 1 })
            .ToDictionary(m => m.Key, m => ((global::TorchSharp.Modules.Convolution)m.Value).groups, StringComparer.Ordinal);
        // A Sequential's children run in the order it holds them, named ones too (nn.Sequential(("fc1", …), ("fc2", …))).
        var order = _modules.Where(m => m.Value is global::TorchSharp.Modules.Sequential).ToDictionary(m => m.Key,
            m => (IReadOnlyList<string>)[.. m.Value.named_children().Select(c => c.name)], StringComparer.Ordinal);
        _model = Model.Create(new Checkpoint(name, Format, tensors, [],
            graph: new ModelGraph { ModuleClasses = classes, ModuleGroups = groups, ModuleOrder = order }));
    }

    /// <summary>The module read.</summary>
    public nn.Module Module { get; }

    /// <summary>Every layer, in the order of the module's <c>state_dict()</c>.</summary>
    public IReadOnlyList<Layer> Layers => _model.Layers;

    /// <summary>
    /// The layer named <paramref name="name"/> (a module path, a recurrent sub-layer such as <c>rnn.l0</c>, or a tensor name),
    /// read as <paramref name="kind"/> / <paramref name="layout"/> when given, exactly as <see cref="Model.Layer"/> does.
    /// Throws <see cref="RequestException"/> with suggestions, or saying why a module has no neurons.
    /// </summary>
    public Layer Layer(string name, string? kind = null, string? layout = null)
    {
        try
        {
            return _model.Layer(name, kind, layout);
        }
        catch (RequestException) when (_modules.TryGetValue(name, out var module) && !HoldsOwnTensors(name))
        {
            throw NoNeurons(name, module);
        }
    }

    /// <summary>
    /// Neuron <paramref name="index"/> (negative counts from the end) of layer <paramref name="layer"/>: its parts as TorchSharp
    /// views and as NeuronKit parts. Dispose it to release the views.
    /// </summary>
    public LiveNeuron Neuron(string layer, long index, string? kind = null, string? layout = null) =>
        Neuron(Layer(layer, kind, layout), index);

    /// <summary>Neuron <paramref name="index"/> of <paramref name="layer"/>, one of this model's <see cref="Layers"/>.</summary>
    public LiveNeuron Neuron(Layer layer, long index) => new(layer.Neuron(index), Current());

    /// <summary>Which layers consume which layer's output, from the module's order and classes (a Sequential's children run in order).</summary>
    public LayerGraph Graph => _model.Graph;

    /// <summary>
    /// <paramref name="neuron"/> with its outgoing parts added, as <see cref="LayerGraph.WithOutgoing"/> gives them: channel j of
    /// each per-channel layer on the way and the slices of each consumer's weights that read it, as live views too;
    /// <paramref name="consumers"/> names the consumers instead (<see cref="Model.Edges"/>). Throws <see cref="RequestException"/> when none is known.
    /// </summary>
    public LiveNeuron WithOutgoing(LiveNeuron neuron, params string[] consumers) =>
        new(_model.WithOutgoing(neuron.Neuron, consumers), Current());

    /// <summary>
    /// Applies <paramref name="action"/> to <paramref name="neuron"/>'s parts in the module itself, under no_grad, on each
    /// tensor's own device and dtype: its weights and biases, or only <paramref name="part"/> (<c>ROLE</c> or
    /// <c>ROLE:GATE</c>), and with <paramref name="outgoing"/> its outgoing parts too (take the neuron from
    /// <see cref="WithOutgoing"/>): <c>new EditAction.Zero()</c> with outgoing ablates it, as <c>neuron edit --zero
    /// --outgoing</c> does for a file. Returns each part with its values before and after.
    /// </summary>
    public IReadOnlyList<LiveChange> Edit(LiveNeuron neuron, EditAction action, string? part = null, bool outgoing = false)
    {
        var changes = new List<LiveChange>();
        using var noGrad = no_grad();
        foreach (var chosen in ModelEdit.Select(neuron.Neuron, part, outgoing))
        {
            var live = neuron.Parts.First(p => p.Part == chosen);
            var before = chosen.ToDoubles();
            using var values = tensor(action.Apply(chosen, before), dtype: ScalarType.Float64).reshape([.. chosen.Shape]);
            using var converted = values.to(live.Tensor.dtype, live.Tensor.device);
            live.Tensor.copy_(converted);
            changes.Add(new LiveChange(live, before, chosen.ToDoubles()));
        }
        return changes;
    }

    /// <summary>
    /// A new module without <paramref name="targets"/>' neurons, the live one left as it is. The cuts are planned exactly as
    /// <c>neuron prune</c> plans them for a file (<see cref="ModelPrune"/>: each unit's rows, gate rows and weight_hh
    /// column, its channel of the norms on the way, the consumers' input columns; residual adds, grouped consumers and
    /// unknown consumers refused). The smaller module is <paramref name="smaller"/>'s, built by the caller at the new sizes
    /// (a class of your own, an LSTM), or, for a Sequential of Linear, BatchNorm and parameterless layers, built here; it is
    /// filled with the kept values, on each tensor's device and dtype. <paramref name="consumers"/> names the readers of a
    /// layer whose consumers the module does not tell.
    /// </summary>
    public nn.Module Prune(IReadOnlyList<(string Layer, IReadOnlyList<long> Indices)> targets, Func<nn.Module>? smaller = null,
        params string[] consumers)
    {
        var sources = Current();
        var prune = ModelPrune.Plan(_model, [.. targets.Select(t => (Layer(t.Layer), t.Indices))], consumers);
        var cuts = prune.Cuts.ToDictionary(c => c.Tensor.Name);
        var module = smaller?.Invoke() ?? SmallerSequential.Build(Module, cuts.ToDictionary(c => c.Key, c => c.Value.NewShape));
        var state = module.state_dict();
        if (state.Keys.FirstOrDefault(k => !_tensors.ContainsKey(k)) is { } extra)
            throw new RequestException($"the smaller module has a tensor '{extra}' that {TypeName(Module.GetType())} does not");
        using var noGrad = no_grad();
        foreach (var (key, source) in sources)
        {
            if (!state.TryGetValue(key, out var target))
                throw new RequestException($"the smaller module has no tensor '{key}'");
            long[] shape = cuts.TryGetValue(key, out var cut) ? cut.NewShape : source.shape;
            if (!target.shape.SequenceEqual(shape))
                throw new RequestException($"the smaller module holds '{key}' as [{string.Join(", ", target.shape)}]; the prune leaves " +
                    $"[{string.Join(", ", shape)}]", ["build it at the sizes the prune leaves"]);
            if (cut is null)
            {
                target.copy_(source);
                continue;
            }
            using var values = tensor(cut.KeptValues(), dtype: ScalarType.Float64).reshape(shape);
            using var converted = values.to(target.dtype, target.device);
            target.copy_(converted);
        }
        return module;
    }

    // The tensors read when the model was made, refused once module.to(...) has replaced (and freed) one: a view of one, or a
    // copy from it, would otherwise fail inside TorchSharp ("Tensor invalid -- empty handle").
    private IReadOnlyDictionary<string, Tensor> Current() =>
        _tensors.FirstOrDefault(t => t.Value.IsInvalid).Key is { } replaced
            ? throw new RequestException($"tensor '{replaced}' was disposed or replaced after the module was read " +
                "(module.to(...) replaces every parameter it converts)", ["read the converted module again: new LiveModel(module)"])
            : _tensors;

    // True when some tensor is the module's own (its name is the path plus one component), not a child's.
    private bool HoldsOwnTensors(string path) =>
        _tensors.Keys.Any(k => (k.LastIndexOf('.') is var dot and >= 0 ? k[..dot] : "") == path);

    private RequestException NoNeurons(string path, nn.Module module)
    {
        string type = TypeName(module.GetType());
        var inside = Layers.Where(l => path == "" || l.Name.StartsWith(path + ".", StringComparison.Ordinal)).Select(l => l.Name).ToList();
        return inside.Count > 0
            ? new RequestException($"module '{path}' ({type}) holds layers, not neurons: {string.Join(", ", inside)}",
                ["ask for one of its layers"])
            : new RequestException($"module '{path}' ({type}) has no parameters, so no neurons",
                [$"NeuronKit finds neurons in these TorchSharp modules: {SupportedModules.Names}; and in any module's own tensors"]);
    }

    // The class name a module type gives layer inference: TorchSharp.Modules.Conv2d reads as Conv2d, exactly.
    private static string ClassName(Type type) => type.Namespace is { } ns ? $"{ns}.{TypeName(type)}" : TypeName(type);

    // A type's name without generic arity: ModuleDict`1 → ModuleDict.
    private static string TypeName(Type type) => type.Name.Split('`')[0];
}
