using NeuronKit.Edits;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp;

/// <summary>
/// Builds the smaller copy of a live Sequential that a prune leaves: each child rebuilt at the sizes the cut tensors
/// give (Linear, BatchNorm1d/2d/3d) on their tensors' device and dtype, parameterless children (activations, Flatten,
/// Dropout) shared as they are, nested Sequentials recursively, each module in the train/eval mode its original is in.
/// Any other module refuses by name: the caller builds it.
/// </summary>
internal static class SmallerSequential
{
    // A momentum of null (a cumulative average, as in PyTorch) is kept as it was; the constructor takes only a number.
    private static T Momentum<T>(T norm, double? momentum) where T : BatchNorm
    {
        norm.momentum = momentum;
        return norm;
    }

    // A norm is built on its tensors' device and dtype, as a Linear is: a float64 module stays float64 throughout.
    private static Device? Device(nn.Module module) => module.state_dict().Values.FirstOrDefault()?.device;

    private static ScalarType? DType(nn.Module module) => module.state_dict().Values.FirstOrDefault(t => t.is_floating_point())?.dtype;

    public static nn.Module Build(nn.Module module, IReadOnlyDictionary<string, long[]> shapes)
    {
        var smaller = Rebuild(module, shapes, "");
        // New modules start in train mode: an eval-mode original would otherwise give a copy whose BatchNorm uses batch
        // statistics. train() sets a module and all below it, so parents go before children (named_modules order), and a
        // shared child ends with its own flag.
        var originals = module.named_modules().Prepend(("", module)).ToDictionary(m => m.Item1, m => m.Item2.training);
        foreach (var (path, built) in smaller.named_modules().Prepend(("", smaller)))
            built.train(originals[path]);
        return smaller;
    }

    private static nn.Module Rebuild(nn.Module module, IReadOnlyDictionary<string, long[]> shapes, string path)
    {
        string Key(string tensor) => path == "" ? tensor : $"{path}.{tensor}";
        long[] Shape(string tensor, long[] fallback) => shapes.GetValueOrDefault(Key(tensor)) ?? fallback;
        // A norm's channels: whichever of its per-channel tensors the prune cut, else as many as it had.
        long Features(long had) => new[] { "weight", "running_mean" }.Select(t => shapes.GetValueOrDefault(Key(t))).OfType<long[]>().FirstOrDefault()?[0] ?? had;
        return module switch
        {
            Sequential sequential => nn.Sequential(sequential.named_children()
                .Select(c => (c.name, (nn.Module<Tensor, Tensor>)Rebuild(c.module, shapes, path == "" ? c.name : $"{path}.{c.name}"))).ToArray()),
            Linear linear => nn.Linear(Shape("weight", linear.weight!.shape)[1], Shape("weight", linear.weight.shape)[0], hasBias: linear.bias is not null,
                device: linear.weight.device, dtype: linear.weight.dtype),
            BatchNorm1d norm => Momentum(nn.BatchNorm1d(Features(norm.num_features), norm.eps, norm.momentum ?? 0.1, norm.affine, norm.track_running_stats,
                Device(norm), DType(norm)), norm.momentum),
            BatchNorm2d norm => Momentum(nn.BatchNorm2d(Features(norm.num_features), norm.eps, norm.momentum ?? 0.1, norm.affine, norm.track_running_stats,
                Device(norm), DType(norm)), norm.momentum),
            BatchNorm3d norm => Momentum(nn.BatchNorm3d(Features(norm.num_features), norm.eps, norm.momentum ?? 0.1, norm.affine, norm.track_running_stats,
                Device(norm), DType(norm)), norm.momentum),
            _ when !module.parameters().Any() && !module.buffers().Any() => module,
            _ => throw new RequestException($"module '{(path == "" ? "(root)" : path)}' ({module.GetType().Name}) cannot be rebuilt smaller by NeuronKit",
                ["pass the smaller module to Prune (smaller: () => new YourModel(…)) and NeuronKit fills it"]),
        };
    }
}
