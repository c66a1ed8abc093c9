using NeuronKit.Containers.Pickle;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.PyTorch;

/// <summary>
/// Names the tensors of an unpickled torch object by dotted path (dict keys and list indices joined by '.'), the
/// way <c>state_dict()</c> names them: pickled modules contribute their parameters, persistent buffers and
/// submodules, nothing else. Iterative and cycle-safe, with a bound on the work a shared subtree can cause.
/// </summary>
internal sealed class TorchObjectWalker(TorchTensorBuilder builder, string fileName, long maxVisits = 10_000_000)
{
    private sealed record Frame(object? Node, string Path, bool Exit = false);

    private List<TensorInfo> _tensors = [];
    private readonly HashSet<(string, object)> _named = [];
    private readonly Dictionary<string, string> _moduleClasses = new(StringComparer.Ordinal);
    private readonly List<string> _nonLayerPrefixes = [];
    private readonly Dictionary<string, int> _directions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _moduleNotes = new(StringComparer.Ordinal);
    private readonly HashSet<object> _onPath = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<object, int> _paths = new(ReferenceEqualityComparer.Instance);

    // Tied modules make a container reachable by a few paths; a memo bomb makes it reachable by 10^40.
    private const int MaxPathsToOneContainer = 1_000;
    private readonly Stack<Frame> _pending = new();

    /// <summary>The tensors found, in the order a state dict lists them.</summary>
    public IReadOnlyList<TensorInfo> Tensors => _tensors;

    /// <summary>The graph: pickled module classes by path, and optimizer state prefixes.</summary>
    public ModelGraph Graph => new() { ModuleClasses = _moduleClasses, ModuleGroups = _groups, NonLayerPrefixes = _nonLayerPrefixes, ModuleNotes = _moduleNotes };

    /// <summary>Walks <paramref name="root"/>; a bare tensor at the root is named <c>tensor</c>.</summary>
    public void Walk(object? root)
    {
        _pending.Push(new Frame(root, ""));
        long visits = 0;
        while (_pending.TryPop(out var frame))
        {
            if (frame.Exit)
            {
                _onPath.Remove(frame.Node!);
                continue;
            }
            if (++visits > maxVisits)
                throw new CheckpointException($"{fileName} is refused: its object tree names more than {maxVisits:N0} values " +
                    "(shared containers multiply paths)");
            Visit(frame.Node, frame.Path);
        }
        _tensors = [.. QuantizedCellNames.Apply(_tensors, _directions, _moduleNotes)];
    }

    private void Visit(object? node, string path)
    {
        if (TorchTensorBuilder.IsTensor(node))
        {
            string name = path.Length == 0 ? "tensor" : path;
            if (_named.Add((name, node!))) _tensors.Add(builder.Build(name, (PickleCall)node!));
            return;
        }
        if (node is not PickleContainer container || !_onPath.Add(container)) return;
        int paths = _paths[container] = _paths.GetValueOrDefault(container) + 1;
        if (paths > MaxPathsToOneContainer)
            throw new CheckpointException($"{fileName} is refused: one of its containers is reached by more than " +
                $"{MaxPathsToOneContainer:N0} paths (a memo bomb: shared references multiply names without end)");
        _pending.Push(new Frame(container, path, Exit: true));
        var children = new List<(string Key, object? Value)>();
        // A dict or list subclass (only constructed) holds its items as a dict or list does; its attributes follow.
        if (container is PickleObject { Items: { } items }) AddEntries(children, items, skip: null);
        if (container is PickleObject { Elements: { } elements })
            for (int i = 0; i < elements.Items.Count; i++) children.Add((i.ToString(), elements.Items[i]));
        switch (container)
        {
            case PickleDict dict:
                if (dict.ContainsKey("state") && dict.ContainsKey("param_groups")) _nonLayerPrefixes.Add(path);
                AddEntries(children, dict, skip: null);
                break;
            case PickleList list:
                for (int i = 0; i < list.Items.Count; i++) children.Add((i.ToString(), list.Items[i]));
                break;
            case PickleTuple tuple:
                for (int i = 0; i < tuple.Count; i++) children.Add((i.ToString(), tuple[i]));
                break;
            case PickleObject script when TorchScriptObjects.Is(script):
                children.AddRange(TorchScriptObjects.Children(script, path, fileName).Where(c => c.Value is not null));
                break;
            case PickleObject { State: PickleDict state } module when IsModule(state):
                _moduleClasses[path] = module.Class.FullName;
                if (state.TryGet("bidirectional", out var bidirectional) && bidirectional is bool twoWays) _directions[path] = twoWays ? 2 : 1;
                // A convolution's groups, or a GroupNorm's (num_groups): what a prune must keep whole.
                if ((state.TryGet("groups", out var groups) || state.TryGet("num_groups", out groups)) && groups is long g && g > 0) _groups[path] = g;
                AddModuleEntries(children, state);
                break;
            case PickleObject { State: PickleTuple state } module when QuantizedConvState(state):
                _moduleClasses[path] = module.Class.FullName;
                if (state[QuantizedConvGroups] is long quantizedGroups && quantizedGroups > 0) _groups[path] = quantizedGroups;
                children.Add(("weight", state[QuantizedConvWeight]));
                if (state[QuantizedConvWeight + 1] is not null) children.Add(("bias", state[QuantizedConvWeight + 1]));
                break;
            case PickleObject { State: PickleDict state }:
                AddEntries(children, state, skip: null);
                break;
            case PickleObject { State: PickleTuple { Count: 2 } pair } when pair[0] is PickleDict attributes:
                AddEntries(children, attributes, skip: null);
                break;
        }
        for (int i = children.Count - 1; i >= 0; i--)
            _pending.Push(new Frame(children[i].Value, path.Length == 0 || children[i].Key.Length == 0 ? path + children[i].Key : $"{path}.{children[i].Key}"));
    }

    // A quantized ConvNd pickles itself as the tuple its __getstate__ returns: (in_channels, out_channels, kernel_size, stride,
    // padding, dilation, transposed, output_padding, groups, padding_mode, weight, bias, scale, zero_point, training)
    // (torch/ao/nn/quantized/modules/conv.py); weight and bias are the ones its state dict names.
    private const int QuantizedConvWeight = 10, QuantizedConvGroups = 8;

    private static bool QuantizedConvState(PickleTuple state) =>
        state.Count == 15 && state[9] is string && TorchTensorBuilder.IsTensor(state[QuantizedConvWeight])
        && (state[QuantizedConvWeight + 1] is null || TorchTensorBuilder.IsTensor(state[QuantizedConvWeight + 1]));

    private static bool IsModule(PickleDict state) =>
        state.ContainsKey("_parameters") || state.ContainsKey("_buffers") || state.ContainsKey("_modules");

    // nn.Module.state_dict order: own parameters, own persistent buffers, then each submodule; any other attribute
    // (LSTM's _flat_weights) only repeats these, but for a TorchBind object, which is where quantized modules keep their
    // packed weights (a LinearPackedParams' _packed_params, a dynamic LSTM cell's param), and which their state dicts save.
    private static void AddModuleEntries(List<(string, object?)> children, PickleDict state)
    {
        var nonPersistent = new HashSet<string>(StringComparer.Ordinal);
        if (state.TryGet("_non_persistent_buffers_set", out var set) && set is PickleSet names)
            foreach (var n in names.Items.OfType<string>()) nonPersistent.Add(n);
        if (state.TryGet("_parameters", out var parameters) && parameters is PickleDict p) AddEntries(children, p, skip: null);
        if (state.TryGet("_buffers", out var buffers) && buffers is PickleDict b) AddEntries(children, b, nonPersistent);
        foreach (var (key, value) in state.Entries)
            if (key is string name && TorchScriptObjects.Is(value)) children.Add((name, value));
        if (state.TryGet("_modules", out var modules) && modules is PickleDict m) AddEntries(children, m, skip: null);
    }

    private static void AddEntries(List<(string, object?)> children, PickleDict dict, HashSet<string>? skip)
    {
        foreach (var (key, value) in dict.Entries)
        {
            string? name = key switch
            {
                string s => s,
                long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => null,
            };
            if (name is null || value is null || (skip?.Contains(name) ?? false)) continue;
            children.Add((name, value));
        }
    }
}
