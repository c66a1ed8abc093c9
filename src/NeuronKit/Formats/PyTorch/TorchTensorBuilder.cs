using System.Numerics;
using NeuronKit.Containers.Pickle;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.PyTorch;

/// <summary>
/// Interprets recorded tensor rebuild calls (torch/_tensor.py _reduce_ex_internal, torch/_utils.py) as views of
/// storages. A call reached under several names is interpreted once; a storage used by several tensors is one
/// <see cref="TensorStorage"/>.
/// </summary>
internal sealed partial class TorchTensorBuilder(TorchStorageRecords records, string fileName)
{
    private enum Rebuild { Tensor, TensorV2, TensorV3, QTensor, Parameter, FromType }

    private sealed record View(DType DType, long[] Shape, long[] Strides, long Offset, TensorStorage Storage, Quantization? Quantization = null);

    private const int MaxWrappers = 8;

    private static readonly Dictionary<string, Rebuild> Rebuilds = new(StringComparer.Ordinal)
    {
        ["torch._utils._rebuild_tensor"] = Rebuild.Tensor,                      // (storage, offset, size, stride)
        ["torch._utils._rebuild_tensor_v2"] = Rebuild.TensorV2,                 // (storage, offset, size, stride, requires_grad, hooks[, metadata])
        ["torch._utils._rebuild_tensor_v3"] = Rebuild.TensorV3,                 // (..., hooks, dtype[, metadata]), untyped storage
        ["torch._utils._rebuild_qtensor"] = Rebuild.QTensor,                    // (storage, offset, size, stride, quantizer_params, requires_grad, hooks)
        ["torch._utils._rebuild_parameter"] = Rebuild.Parameter,                // (tensor, requires_grad, hooks)
        ["torch._utils._rebuild_parameter_with_state"] = Rebuild.Parameter,     // (tensor, requires_grad, hooks, state)
        ["torch.nn.parameter.Parameter"] = Rebuild.Parameter,                   // Parameter(tensor, requires_grad)
        ["torch._tensor._rebuild_from_type_v2"] = Rebuild.FromType,             // (func, subclass, args, state): func(*args)
        ["torch._tensor._rebuild_from_type"] = Rebuild.FromType,                // (func, subclass, args, dict)
    };

    // Rebuilds torch allows but whose tensors have no plain strided storage NeuronKit could view.
    private static readonly Dictionary<string, string> Unreadable = new(StringComparer.Ordinal)
    {
        ["torch._utils._rebuild_sparse_tensor"] = "a sparse tensor",
        ["torch._utils._rebuild_meta_tensor_no_storage"] = "a meta tensor (it has no values)",
        ["torch._utils._rebuild_wrapper_subclass"] = "a tensor subclass without storage",
        ["torch._utils._rebuild_nested_tensor"] = "a nested tensor",
        ["torch._utils._rebuild_device_tensor_from_numpy"] = "a tensor saved through numpy",
        ["torch._utils._rebuild_device_tensor_from_cpu_tensor"] = "a device tensor saved from a CPU copy",
    };

    private readonly Dictionary<object, View> _views = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, TensorStorage> _storages = new(StringComparer.Ordinal);

    /// <summary>True when <paramref name="node"/> is a recorded tensor rebuild (or Parameter) call.</summary>
    public static bool IsTensor(object? node) =>
        node is PickleCall { Callable.Role: PickleGlobalRole.TensorRebuild or PickleGlobalRole.TensorClass };

    /// <summary>The tensor <paramref name="node"/> builds, named <paramref name="name"/>.</summary>
    public TensorInfo Build(string name, PickleCall node)
    {
        if (!_views.TryGetValue(node, out var view))
        {
            view = Resolve(name, node);
            _views[node] = view;
        }
        try
        {
            var tensor = TensorInfo.Create(name, view.DType, view.Shape, view.Strides, view.Offset, view.Storage);
            return view.Quantization is not { } quantization ? tensor : tensor with
            {
                StoredAs = quantization.StoredAs,
                ByteSize = tensor.ElementCount * quantization.IntegerType.Size(),
                Quantization = quantization,
            };
        }
        catch (CheckpointException e)
        {
            throw new CheckpointException($"{fileName} is corrupt: {e.Message}", e.Hints, e);
        }
    }

    // Parameters and subclasses wrap the real rebuild; unwrapping is a loop, bounded, never recursion.
    private View Resolve(string name, PickleCall node)
    {
        PickleCall call = node;
        for (int hop = 0; hop <= MaxWrappers; hop++)
        {
            string callable = call.Callable.FullName;
            if (!Rebuilds.TryGetValue(callable, out var rebuild))
                throw Unreadable.TryGetValue(callable, out var what)
                    ? new CheckpointException($"{fileName} holds tensor '{name}' as {what} ({callable}), which NeuronKit does not read")
                    : Malformed(name, $"is built by {callable}, which is not a tensor rebuild");
            var args = call.Args;
            switch (rebuild)
            {
                case Rebuild.Tensor when args.Count >= 4:
                case Rebuild.TensorV2 when args.Count >= 4:
                    return FromStorage(name, args[0], args[1], args[2], args[3], dtype: null);
                case Rebuild.TensorV3 when args.Count >= 7:
                    return FromStorage(name, args[0], args[1], args[2], args[3],
                        args[6] as PickleGlobal ?? throw Malformed(name, "has a _rebuild_tensor_v3 dtype that is not a torch dtype"));
                case Rebuild.QTensor when args.Count >= 5:
                    return FromQuantized(name, args);
                case Rebuild.Parameter when args.Count >= 1 && args[0] is PickleCall inner:
                    call = inner;
                    continue;
                case Rebuild.FromType when args.Count >= 3 && args[0] is PickleGlobal func && args[2] is PickleTuple funcArgs:
                    call = new PickleCall(func, funcArgs);
                    continue;
                default:
                    throw Malformed(name, $"has {args.Count} arguments to {callable} of unexpected types");
            }
        }
        throw Malformed(name, $"wraps its tensor more than {MaxWrappers} times");
    }

    private View FromStorage(string name, object? storageArg, object? offsetArg, object? sizeArg, object? strideArg, PickleGlobal? dtype)
    {
        if (storageArg is not PickleStorageRef storage)
            throw Malformed(name, "has no storage reference as its first argument");
        bool untyped = storage.StorageType.Name == TorchTypes.UntypedStorage;
        var type = dtype is not null
            ? TorchTypes.ByDTypeName(dtype.Name) ?? throw Malformed(name, $"has an unknown dtype {dtype.FullName}")
            : TorchTypes.ByStorageClass(storage.StorageType.Name)
              ?? throw Malformed(name, $"views a {storage.StorageType.FullName}, which has no element type");
        if (type.DType is not { } elementType)
            throw new CheckpointException($"{fileName} holds tensor '{name}' of dtype {type.DTypeName}, which NeuronKit does not read",
                [$"readable dtypes: {TorchTypes.Supported}"]);
        long byteLength;
        try
        {
            byteLength = untyped ? storage.Numel : checked(storage.Numel * type.ElementSize);
        }
        catch (OverflowException)
        {
            throw Malformed(name, $"has a storage of {storage.Numel} elements, too many to address");
        }
        long offset = offsetArg is long o ? o : throw Malformed(name, "has a storage offset that is not an int");
        return new View(elementType, Ints(name, sizeArg, "size"), Ints(name, strideArg, "stride"), offset, Open(name, storage, byteLength));
    }

    private TensorStorage Open(string name, PickleStorageRef storage, long byteLength)
    {
        if (!_storages.TryGetValue(storage.Key, out var bytes))
        {
            bytes = records.Open(storage, byteLength);
            _storages[storage.Key] = bytes;
        }
        else if (bytes.ByteLength != byteLength)
        {
            throw Malformed(name, $"reads storage '{storage.Key}' as {byteLength} bytes, but another tensor read it as {bytes.ByteLength}");
        }
        return bytes;
    }

    private long[] Ints(string name, object? value, string what)
    {
        if (value is not PickleTuple tuple)
            throw Malformed(name, $"has a {what} that is not a tuple");
        var ints = new long[tuple.Count];
        for (int i = 0; i < ints.Length; i++)
            ints[i] = tuple[i] switch
            {
                long v => v,
                BigInteger big => throw Malformed(name, $"has a {what} of {big}, too large"),
                var other => throw Malformed(name, $"has a {what} holding {other?.GetType().Name ?? "None"}, not ints"),
            };
        return ints;
    }

    private CheckpointException Malformed(string name, string what) =>
        new($"{fileName} is corrupt: tensor '{name}' {what}");
}
