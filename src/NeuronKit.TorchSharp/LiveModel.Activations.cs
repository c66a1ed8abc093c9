using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using NeuronKit.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp;

public sealed partial class LiveModel
{
    /// <summary>
    /// Neuron <paramref name="index"/> of layer <paramref name="layer"/>'s output when the module runs on <paramref name="input"/>,
    /// read with a forward hook on the layer's module: a Linear unit's value per batch item (per position for sequence input),
    /// a conv channel's activation map, an LSTM/GRU/RNN hidden unit per time step (the last of its stacked layers; either
    /// direction). <paramref name="post"/> reads it after the activation module that follows the layer in its Sequential.
    /// The module runs in eval mode, under no_grad unless it holds an LSTM (libtorch 2.10 computes some LSTMs wrongly there);
    /// its hooks, weights and train/eval flags are as before afterwards, even on failure. Throws <see cref="RequestException"/>
    /// for a wrong layer, index or input, saying what the layer takes.
    /// </summary>
    public NeuronActivations Activations(string layer, long index, Tensor input, bool post = false)
    {
        var reading = Reading(layer, index, post);
        IReadOnlyList<NeuronActivation>? items = null;
        using (ForwardHook.On(reading.Hooked, reading.HookedPath, output => items ??= reading.Axis.Read(output, reading.Index)))
            RunQuietly(input, reading);
        return new(reading.Layer, reading.Index, post, reading.HookedPath, items ?? throw NeverRan(reading));
    }

    /// <summary>
    /// The <paramref name="k"/> inputs (batch items) among <paramref name="inputs"/> on which neuron <paramref name="index"/> of
    /// <paramref name="layer"/> is largest, by its max or mean (<paramref name="by"/>), largest first; a tie keeps the earlier.
    /// One input runs at a time and only the best k are kept, so memory stays flat however many inputs there are: tensors
    /// that the enumeration itself creates are disposed once their input has run (the caller's own tensors are not).
    /// </summary>
    public IReadOnlyList<TopActivation> TopActivations(string layer, long index, IEnumerable<Tensor> inputs, int k,
        ActivationRank by = ActivationRank.Max, bool post = false)
    {
        if (k < 1) throw new RequestException($"top {k}: ask for at least one input");
        var reading = Reading(layer, index, post);
        // A min-heap of the best k: its root is the weakest kept, replaced by anything stronger (a later input never ties in).
        var best = new PriorityQueue<TopActivation, (double Value, int Input)>(
            Comparer<(double Value, int Input)>.Create((a, b) => a.Value != b.Value ? a.Value.CompareTo(b.Value) : b.Input.CompareTo(a.Input)));
        IReadOnlyList<NeuronActivation>? items = null;
        using (ForwardHook.On(reading.Hooked, reading.HookedPath, output => items ??= reading.Axis.Read(output, reading.Index)))
        using (var each = inputs.GetEnumerator())
        {
            for (int i = 0; ; i++)
            {
                using var scope = NewDisposeScope();
                if (!each.MoveNext()) break;
                items = null;
                RunQuietly(each.Current, reading);
                foreach (var item in items ?? throw NeverRan(reading))
                {
                    var top = new TopActivation(i, item, item.Score(by));
                    if (best.Count < k) best.Enqueue(top, (top.Value, i));
                    else if (best.Peek().Value < top.Value) best.EnqueueDequeue(top, (top.Value, i));
                }
            }
        }
        return [.. best.UnorderedItems.Select(e => e.Element).OrderByDescending(t => t.Value).ThenBy(t => t.Input).ThenBy(t => t.Activation.Item)];
    }

    // The layer, resolved neuron, hooked module and where its neurons sit in that module's output.
    private sealed record ActivationReading(Layer Layer, long Index, string LayerPath, nn.Module Hooked, string HookedPath, NeuronAxis Axis);

    private ActivationReading Reading(string name, long index, bool post)
    {
        var layer = Layer(name);
        long resolved = layer.Neuron(index).Index;
        string path = layer.Module ?? layer.Name;
        if (!_modules.ContainsKey(path) && path == NeuronKit.Layers.Layer.RootName) path = "";
        var module = _modules.GetValueOrDefault(path) ?? throw new RequestException(
            $"layer '{layer.Name}' is made of tensors, not of one module, so no hook can read its output");
        if (layer.Module is not null) RequireLastStacked(layer, module);
        var axis = NeuronAxis.For(layer, layer.Module is not null && BatchFirst(module));
        if (!post) return new(layer, resolved, path, module, path, axis);
        var (after, afterPath) = ActivationAfter(layer, path);
        return new(layer, resolved, path, after, afterPath, axis);
    }

    // A stacked LSTM hands hooks its last layer's output sequence only; the lower layers' stay inside libtorch.
    private void RequireLastStacked(Layer layer, nn.Module module)
    {
        var last = Layers.Where(l => l.Module == layer.Module).MaxBy(StackLevel)!;
        if (StackLevel(layer) != StackLevel(last))
            throw new RequestException($"'{layer.Module}' ({module.GetType().Name}) gives hooks only its last layer's output ({last.Name}); " +
                $"{layer.Name}'s stays inside libtorch", [$"ask for {last.Name}, or build the lower layers as a module of their own"]);
    }

    // k of a recurrent sub-layer named …l{k} or …l{k}_reverse.
    private static int StackLevel(Layer layer) => int.Parse(StackSuffix().Match(layer.Name).Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"l(\d+)(?:_reverse)?$")]
    private static partial Regex StackSuffix();

    // TorchSharp keeps batch_first private, and the output [T, N, F] cannot tell it from [N, T, F] when T == N.
    private static bool BatchFirst(nn.Module module) =>
        module.GetType().GetField("_batch_first", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(module) is true;

    // The activation module right after the layer in its parent Sequential.
    private (nn.Module Module, string Path) ActivationAfter(Layer layer, string path)
    {
        int dot = path.LastIndexOf('.');
        string parentPath = dot < 0 ? "" : path[..dot], own = path[(dot + 1)..];
        var parent = _modules[parentPath];
        string type = parent.GetType().Name.Split('`')[0];
        if (path == "" || parent is not Sequential sequential)
            throw new RequestException($"layer '{layer.Name}' is not in a Sequential{(path == "" ? "" : $" ({parentPath switch { "" => "the module", _ => $"'{parentPath}'" }} is a {type})")}, " +
                "so no activation module follows it where NeuronKit can see: its parent's forward applies whatever it applies",
                ["read the layer's own output (post: false), or hook the activation module itself if it is one"]);
        var children = sequential.named_children().ToList();
        int at = children.FindIndex(c => c.name == own);
        if (at + 1 >= children.Count)
            throw new RequestException($"layer '{layer.Name}' is the last module of its Sequential: no activation follows it", ["read its own output (post: false)"]);
        var (nextName, next) = children[at + 1];
        string nextPath = parentPath == "" ? nextName : $"{parentPath}.{nextName}";
        if (!ActivationModules.Types.Contains(next.GetType()))
            throw new RequestException($"layer '{layer.Name}' is followed by '{nextPath}' ({next.GetType().Name}), not an activation function",
                [$"post reads after one of {ActivationModules.Names}"]);
        return (next, nextPath);
    }

    // Runs the whole module once on the input in eval mode under no_grad, then puts every submodule's train/eval flag back.
    private void RunQuietly(Tensor input, ActivationReading reading)
    {
        var modes = _modules.Values.Distinct().Select(m => (Module: m, m.training)).ToList();
        using var scope = NewDisposeScope();
        // libtorch 2.10's CPU LSTM gives wrong outputs under no_grad for some hidden sizes (1-16, 33-40 of LSTM(3, H); checked against
        // PyTorch 1.13 and against itself with grad on): a module holding an LSTM runs with grad on, its graph freed by the scope.
        using var noGrad = _modules.Values.Any(m => m is LSTM) ? null : no_grad();
        try
        {
            Module.eval();
            switch (Module)
            {
                case nn.Module<Tensor, Tensor> m: m.call(input); break;
                case nn.Module<Tensor, (Tensor, Tensor)?, (Tensor, Tensor, Tensor)> lstm: lstm.call(input, null); break;
                case nn.Module<Tensor, Tensor, (Tensor, Tensor)> gruOrRnn: gruOrRnn.call(input, null!); break;
                default:
                    throw new RequestException($"{Module.GetType().Name}'s forward does not take one tensor, so NeuronKit cannot run it",
                        ["give a module whose forward takes the input tensor (wrap yours in one)"]);
            }
        }
        catch (Exception e) when (e is not NeuronKitException)
        {
            var takes = _modules[reading.LayerPath];
            throw new RequestException($"the input [{string.Join(", ", input.shape)}] ({input.dtype}) does not fit the module: {e.Message.Split('\n')[0].Trim()}",
                [$"layer '{reading.Layer.Name}' ({reading.Layer.Kind}) takes {reading.Axis.Expects(takes)}"]);
        }
        finally
        {
            // train() sets a module and all below it: restoring parents before children (named_modules order) gives each its own.
            foreach (var (module, training) in modes) module.train(training);
        }
    }

    private RequestException NeverRan(ActivationReading reading) => new(
        $"module '{reading.HookedPath}' did not run when {Module.GetType().Name} ran, so its hook saw nothing",
        ["TorchSharp runs hooks only through call(): the parent's forward must call it as " +
            $"{reading.HookedPath.Split('.')[^1]}.call(x), not .forward(x)"]);
}
