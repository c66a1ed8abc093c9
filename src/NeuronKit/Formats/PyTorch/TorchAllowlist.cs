using NeuronKit.Containers.Pickle;

namespace NeuronKit.Formats.PyTorch;

/// <summary>
/// The globals a torch.save pickle may name, as torch.load(weights_only=True) allows them
/// (torch/_weights_only_unpickler.py _get_allowed_globals); everything else may at most be constructed inertly.
/// </summary>
internal static class TorchAllowlist
{
    private static readonly string[] TensorRebuilds =
    [
        "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
        "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
        "torch._utils._rebuild_qtensor", "torch._utils._rebuild_sparse_tensor", "torch._utils._rebuild_meta_tensor_no_storage",
        "torch._utils._rebuild_wrapper_subclass", "torch._utils._rebuild_nested_tensor",
        "torch._utils._rebuild_device_tensor_from_numpy", "torch._utils._rebuild_device_tensor_from_cpu_tensor",
        "torch._tensor._rebuild_from_type_v2", "torch._tensor._rebuild_from_type",
    ];

    private static readonly string[] TensorClasses = ["torch.nn.parameter.Parameter", "torch.Tensor", "torch._tensor.Tensor"];

    private static readonly string[] Values = ["torch.device", "torch.serialization._get_layout"];

    private static readonly string[] QSchemes =
    [
        "torch.per_tensor_affine", "torch.per_tensor_symmetric", "torch.per_channel_affine",
        "torch.per_channel_symmetric", "torch.per_channel_affine_float_qparams",
    ];

    /// <summary>The allowlist: Python's data constructors plus torch's rebuild functions, storages and dtypes.</summary>
    public static readonly PickleAllowlist Instance = PickleAllowlist.Python.With(
        TensorRebuilds.Select(n => Entry(n, PickleGlobalRole.TensorRebuild))
            .Concat(TensorClasses.Select(n => Entry(n, PickleGlobalRole.TensorClass)))
            .Concat(Values.Select(n => Entry(n, PickleGlobalRole.Value)))
            .Concat(QSchemes.Select(n => Entry(n, PickleGlobalRole.DType)))
            .Append(Entry("torch.Size", PickleGlobalRole.Size))
            .Concat(TorchTypes.All.Where(t => t.StorageClass is not null).Select(t => Entry($"torch.{t.StorageClass}", PickleGlobalRole.StorageType)))
            .Append(Entry($"torch.{TorchTypes.UntypedStorage}", PickleGlobalRole.StorageType))
            .Append(Entry("torch.TypedStorage", PickleGlobalRole.StorageType))
            .Concat(TorchTypes.All.Select(t => Entry($"torch.{t.DTypeName}", PickleGlobalRole.DType)))
            .Concat(Enumerable.Range(1, 7).SelectMany(b => new[] { Entry($"torch.uint{b}", PickleGlobalRole.DType), Entry($"torch.int{b}", PickleGlobalRole.DType) })));

    private static KeyValuePair<string, PickleGlobalRole> Entry(string name, PickleGlobalRole role) => new(name, role);
}
