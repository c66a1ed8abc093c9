using NeuronKit.Layers;
using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Stats;

/// <summary>
/// Part k of every neuron of a layer whose slices step through their tensor evenly: neuron j's slice is the same
/// shape and strides at element offset <see cref="Offset"/> + j·<see cref="Step"/>. Walking a layer by plan skips
/// building each neuron's parts, which costs more than reading a 4096-weight row.
/// </summary>
internal sealed class PartPlan
{
    private readonly long[] _shape;
    private readonly long[] _strides;

    private PartPlan(NeuronPart part, long step)
    {
        Use = part.Role.Use;
        Gate = part.Gate;
        Storage = part.View.Storage;
        DType = part.DType;
        _shape = [.. part.View.Shape];
        _strides = [.. part.View.Strides];
        Offset = part.View.StorageOffset;
        Step = step;
        ElementCount = part.View.ElementCount;
        Contiguous = PartReader.IsContiguous(_shape, _strides);
    }

    private PartPlan(PartPlan plan, int[] axes)
    {
        Use = plan.Use;
        Gate = plan.Gate;
        Storage = plan.Storage;
        DType = plan.DType;
        _shape = [.. axes.Select(a => plan._shape[a])];
        _strides = [.. axes.Select(a => plan._strides[a])];
        Offset = plan.Offset;
        Step = plan.Step;
        ElementCount = plan.ElementCount;
        Contiguous = PartReader.IsContiguous(_shape, _strides);
    }

    /// <summary>What the part is to the statistics.</summary>
    public PartUse Use { get; }

    /// <summary>The part's gate, or null.</summary>
    public Gate? Gate { get; }

    /// <summary>The storage the part's tensor views.</summary>
    public TensorStorage Storage { get; }

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The slice's shape.</summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>The slice's strides, in elements.</summary>
    public IReadOnlyList<long> Strides => _strides;

    /// <summary>Neuron 0's slice offset, in elements of the storage.</summary>
    public long Offset { get; }

    /// <summary>How many elements further on neuron j + 1's slice starts.</summary>
    public long Step { get; }

    /// <summary>The number of elements in a neuron's slice.</summary>
    public long ElementCount { get; }

    /// <summary>The number of bytes in a neuron's slice.</summary>
    public long ByteCount => ElementCount * DType.Size();

    /// <summary>True when a neuron's slice is one run of bytes (<see cref="PartReader.IsContiguous(TensorView)"/>).</summary>
    public bool Contiguous { get; }

    /// <summary>Where neuron <paramref name="j"/>'s slice starts in the storage's source, in bytes (for a <see cref="Contiguous"/> plan).</summary>
    public long ByteStart(long j) => Storage.ByteOffset + (Offset + j * Step) * DType.Size();

    /// <summary>Neuron <paramref name="j"/>'s slice.</summary>
    public TensorView View(long j) => new(Storage, DType, _shape, _strides, Offset + j * Step);

    /// <summary>The plan of <paramref name="first"/>'s part, stepping to <paramref name="second"/>'s; null when they differ in anything but offset.</summary>
    public static PartPlan? Between(NeuronPart first, NeuronPart second, long distance)
    {
        var a = first.View;
        var b = second.View;
        if (first.Role != second.Role || first.Gate != second.Gate || !ReferenceEquals(a.Storage, b.Storage) || a.DType != b.DType
            || !a.Shape.SequenceEqual(b.Shape) || !a.Strides.SequenceEqual(b.Strides) || (b.StorageOffset - a.StorageOffset) % distance != 0)
            return null;
        return new PartPlan(first, (b.StorageOffset - a.StorageOffset) / distance);
    }

    /// <summary>
    /// This plan with its slice's dimensions in the order <paramref name="axes"/> gives (PyTorch's <c>permute</c>): the
    /// same elements of each neuron, read in another order.
    /// </summary>
    public PartPlan Permuted(int[] axes) => new(this, axes);

    /// <summary>A plan of one neuron's part, for layers walked neuron by neuron (<see cref="View"/> of 0 is the part).</summary>
    public static PartPlan Of(NeuronPart part) => new(part, 0);

    /// <summary>True when <paramref name="part"/> is this plan's slice for neuron <paramref name="j"/>.</summary>
    public bool Predicts(NeuronPart part, long j) =>
        part.Role.Use == Use && part.Gate == Gate && ReferenceEquals(part.View.Storage, Storage) && part.DType == DType
        && part.View.Shape.SequenceEqual(_shape) && part.View.Strides.SequenceEqual(_strides) && part.View.StorageOffset == Offset + j * Step;
}
