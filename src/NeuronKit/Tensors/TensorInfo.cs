
namespace NeuronKit.Tensors;

/// <summary>
/// A named tensor of a checkpoint: dtype, shape, strides and offset (in elements) into its storage. No values are read.
/// </summary>
public sealed record TensorInfo
{
    private TensorInfo(string name, DType dtype, long[] shape, long[] strides, long storageOffset, TensorStorage storage)
    {
        Name = name;
        DType = dtype;
        Shape = shape;
        Strides = strides;
        StorageOffset = storageOffset;
        Storage = storage;
    }

    /// <summary>The tensor's full name in the checkpoint (<c>fc.weight</c>, <c>model_state_dict.0.bias</c>).</summary>
    public string Name { get; private init; }

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The size of each dimension.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The step, in elements, between neighbours along each dimension.</summary>
    public IReadOnlyList<long> Strides { get; }

    /// <summary>Where element [0, 0, …] is, in elements from the start of the storage.</summary>
    public long StorageOffset { get; }

    /// <summary>The bytes the tensor views, possibly shared with other tensors.</summary>
    public TensorStorage Storage { get; }

    /// <summary>
    /// How the file stores the tensor when that is not <see cref="DType"/> itself (<c>q4_k</c> for a GGUF tensor read as
    /// float32 through its dequantization); null when the stored bytes are <see cref="DType"/>.
    /// </summary>
    public string? StoredAs { get; init; }

    /// <summary>
    /// For a quantized tensor read as its dequantized float32 values: the scheme, scales, zero points and stored
    /// integers; else null.
    /// </summary>
    public Quantization? Quantization { get; init; }

    /// <summary>
    /// The file's tensors this one is read from, when a quantized layout keeps it in several (GPTQ's <c>qweight</c>,
    /// <c>qzeros</c>, <c>scales</c>, <c>g_idx</c>): the codes first, whose place it takes in the file's order. Empty for a
    /// tensor the file stores as itself.
    /// </summary>
    public IReadOnlyList<TensorInfo> StoredParts { get; init; } = [];

    /// <summary>
    /// For a spectral-normed weight (<c>NAME_orig</c> with <c>NAME_u</c>, <c>NAME_v</c>): the dimension its norm is taken
    /// along, which <c>torch.nn.utils.spectral_norm</c> makes 1 for a ConvTranspose and 0 for every other module, so it
    /// tells the two apart where the shapes cannot; else null.
    /// </summary>
    public int? SpectralNormDim { get; init; }

    /// <summary>The number of elements (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (n, d) => n * d);

    /// <summary>
    /// Bytes the tensor's elements take as stored (not counting gaps of a strided view): its elements times the size of
    /// <see cref="DType"/>, unless set otherwise, as for a quantized GGUF tensor, whose blocks are smaller than the
    /// float32 values they decode to.
    /// </summary>
    public long ByteSize
    {
        get => _storedBytes ?? ElementCount * DType.Size();
        init => _storedBytes = value;
    }

    private readonly long? _storedBytes;

    /// <summary>This tensor under another name: the same storage, view and quantization.</summary>
    internal TensorInfo Renamed(string name) => this with { Name = name };

    /// <summary>A lazy view of the whole tensor.</summary>
    public TensorView View() => new(Storage, DType, [.. Shape], [.. Strides], StorageOffset);

    /// <summary>A contiguous row-major tensor at the start of <paramref name="storage"/>.</summary>
    public static TensorInfo Contiguous(string name, DType dtype, long[] shape, TensorStorage storage) =>
        Create(name, dtype, shape, ContiguousStrides(shape), 0, storage);

    /// <summary>
    /// A tensor viewing <paramref name="storage"/>; throws <see cref="CheckpointException"/> unless every element it
    /// can address lies inside the storage (checked without overflow).
    /// </summary>
    public static TensorInfo Create(string name, DType dtype, long[] shape, long[] strides, long storageOffset, TensorStorage storage)
    {
        if (shape.Length != strides.Length)
            throw new CheckpointException($"tensor '{name}' has {shape.Length} dimensions but {strides.Length} strides");
        if (storageOffset < 0 || shape.Any(d => d < 0) || strides.Any(s => s < 0))
            throw new CheckpointException($"tensor '{name}' has a negative size, stride or offset " +
                $"(shape [{string.Join(", ", shape)}], strides [{string.Join(", ", strides)}], offset {storageOffset})");
        try
        {
            checked
            {
                long elements = 1;
                long lastElement = storageOffset;
                for (int i = 0; i < shape.Length; i++)
                {
                    elements *= shape[i];
                    if (shape[i] > 0) lastElement += (shape[i] - 1) * strides[i];
                }
                long storageElements = storage.ByteLength / dtype.Size();
                if (elements > 0 && lastElement >= storageElements)
                    throw new CheckpointException($"tensor '{name}' reaches element {lastElement:N0} of a storage " +
                        $"that holds {storageElements:N0} {dtype.Name()} elements");
            }
        }
        catch (OverflowException)
        {
            throw new CheckpointException($"tensor '{name}' has a shape or strides too large to address " +
                $"(shape [{string.Join(", ", shape)}], strides [{string.Join(", ", strides)}])");
        }
        return new TensorInfo(name, dtype, shape, strides, storageOffset, storage);
    }

    /// <summary>Row-major strides for <paramref name="shape"/>.</summary>
    public static long[] ContiguousStrides(IReadOnlyList<long> shape)
    {
        var strides = new long[shape.Count];
        long step = 1;
        for (int i = shape.Count - 1; i >= 0; i--)
        {
            strides[i] = step;
            step *= Math.Max(shape[i], 1);
        }
        return strides;
    }
}
