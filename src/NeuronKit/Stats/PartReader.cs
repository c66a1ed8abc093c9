using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using NeuronKit.Tensors;

namespace NeuronKit.Stats;

/// <summary>
/// Reads neuron parts for the kernel, one worker's buffers at a time. A contiguous part is taken from the block's
/// <see cref="Block"/> bytes when loaded there, else copied from the file in blocks into a reused buffer (float32 and
/// float64 used as they are, float16 and bfloat16 widened to float32, integers through <see cref="DTypeConversion"/>);
/// a strided part (a column, a ConvTranspose slice) is gathered through its view.
/// </summary>
internal sealed class PartReader : IDisposable
{
    private readonly float[] _floats = ArrayPool<float>.Shared.Rent(MomentsKernel.BlockSize);
    private readonly double[] _doubles = ArrayPool<double>.Shared.Rent(MomentsKernel.BlockSize);
    private readonly byte[] _bytes = ArrayPool<byte>.Shared.Rent(MomentsKernel.BlockSize * sizeof(double));
    private double[] _gathered = [];
    private float[] _widened = [];

    /// <summary>The current block of neurons' bytes, loaded ahead by the caller.</summary>
    public BlockBytes Block { get; } = new();

    /// <summary>True when the view's elements lie one after another in row-major order, so its bytes are one run.</summary>
    public static bool IsContiguous(TensorView view) => IsContiguous(view.Shape, view.Strides);

    /// <summary>True when elements of this shape and strides lie one after another in row-major order.</summary>
    public static bool IsContiguous(IReadOnlyList<long> shape, IReadOnlyList<long> strides)
    {
        long expected = 1;
        for (int d = shape.Count - 1; d >= 0; d--)
        {
            if (shape[d] != 1 && strides[d] != expected) return false;
            expected *= shape[d];
        }
        // The kernel reads the bytes as little-endian values in place.
        return BitConverter.IsLittleEndian;
    }

    /// <summary>Where a contiguous view's bytes start in its source.</summary>
    public static long ByteStart(TensorView view) => view.Storage.ByteOffset + view.StorageOffset * view.DType.Size();

    /// <summary>Adds every value of neuron <paramref name="j"/>'s slice of <paramref name="part"/> to <paramref name="moments"/>.</summary>
    public void Add(PartPlan part, long j, ref Moments moments)
    {
        long count = part.ElementCount;
        if (count == 0) return;
        if (!part.Contiguous)
        {
            var gathered = Gather(part.View(j));
            for (int done = 0; done < gathered.Length; done += MomentsKernel.BlockSize)
                MomentsKernel.Add<double>(gathered.Slice(done, Math.Min(MomentsKernel.BlockSize, gathered.Length - done)), ref moments);
            return;
        }
        int size = part.DType.Size();
        long start = part.ByteStart(j);
        var source = part.Storage.Source;
        bool loaded = Block.TryGet(source, start, count * size, out var all);
        for (long done = 0; done < count; done += MomentsKernel.BlockSize)
        {
            int n = (int)Math.Min(MomentsKernel.BlockSize, count - done);
            ReadOnlySpan<byte> bytes;
            if (loaded)
            {
                bytes = all.Slice((int)done * size, n * size);
            }
            else
            {
                source.Read(start + done * size, _bytes.AsSpan(0, n * size));
                bytes = _bytes.AsSpan(0, n * size);
            }
            Measure(part.DType, bytes, n, ref moments);
        }
    }

    // One kernel block of n values stored as dtype.
    private void Measure(DType dtype, ReadOnlySpan<byte> bytes, int n, ref Moments moments)
    {
        switch (dtype)
        {
            case DType.Float32:
                MomentsKernel.Add<float>(MemoryMarshal.Cast<byte, float>(bytes), ref moments);
                break;
            case DType.Float64:
                MomentsKernel.Add<double>(MemoryMarshal.Cast<byte, double>(bytes), ref moments);
                break;
            case DType.Float16:
                BlockConversion.Float16(bytes, _floats.AsSpan(0, n));
                MomentsKernel.Add<float>(_floats.AsSpan(0, n), ref moments);
                break;
            case DType.BFloat16:
                BlockConversion.BFloat16(bytes, _floats.AsSpan(0, n));
                MomentsKernel.Add<float>(_floats.AsSpan(0, n), ref moments);
                break;
            default:
                DTypeConversion.ToDoubles(dtype, bytes, _doubles.AsSpan(0, n));
                MomentsKernel.Add<double>(_doubles.AsSpan(0, n), ref moments);
                break;
        }
    }

    /// <summary>The sum of every value of neuron <paramref name="j"/>'s slice of <paramref name="part"/> (a bias part is one value).</summary>
    public double Sum(PartPlan part, long j)
    {
        double sum = -0.0; // the sum of one value is that value, −0 too
        foreach (double v in Values(part, j)) sum += v;
        return sum;
    }

    /// <summary>
    /// Every value of neuron <paramref name="j"/>'s slice of <paramref name="part"/> as a double, from the block when
    /// loaded there (without building its view); valid until the next call.
    /// </summary>
    public ReadOnlySpan<double> Values(PartPlan part, long j) => Values(part, j, 0);

    /// <summary>As <see cref="Values(PartPlan, long)"/>, each value less <paramref name="shift"/> (in double, after widening).</summary>
    public ReadOnlySpan<double> Values(PartPlan part, long j, double shift)
    {
        Span<double> values;
        if (Loaded(part, j, out var bytes))
        {
            values = Buffer(checked((int)part.ElementCount));
            // float32 widens with SIMD (the plan is contiguous, so the bytes are little-endian); other types convert one by one.
            if (part.DType == DType.Float32) TensorPrimitives.ConvertChecked<float, double>(MemoryMarshal.Cast<byte, float>(bytes), values);
            else DTypeConversion.ToDoubles(part.DType, bytes, values);
        }
        else
        {
            values = Gather(part.View(j));
        }
        if (shift != 0) TensorPrimitives.Subtract(values, shift, values);
        return values;
    }

    /// <summary>
    /// Every value of neuron <paramref name="j"/>'s slice of <paramref name="part"/> as a float32, when it is loaded in
    /// the block as float32 (used where it lies, no copy) or as float16 or bfloat16 (widened, exactly, into a reused
    /// buffer); false for anything else, which <see cref="Values(PartPlan, long)"/> reads. Valid until the next call.
    /// </summary>
    public bool TryFloats(PartPlan part, long j, out ReadOnlySpan<float> values)
    {
        values = default;
        var dtype = part.DType;
        if (dtype is not (DType.Float32 or DType.Float16 or DType.BFloat16) || !Loaded(part, j, out var bytes)) return false;
        if (dtype == DType.Float32)
        {
            // The plan is contiguous, so the bytes are little-endian.
            values = MemoryMarshal.Cast<byte, float>(bytes);
            return true;
        }
        int n = (int)part.ElementCount;
        if (_widened.Length < n) _widened = new float[n];
        var widened = _widened.AsSpan(0, n);
        if (dtype == DType.Float16) BlockConversion.Float16(bytes, widened);
        else BlockConversion.BFloat16(bytes, widened);
        values = widened;
        return true;
    }

    // Neuron j's slice of part, when it is one run the block loaded.
    private bool Loaded(PartPlan part, long j, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        return part.Contiguous && Block.TryGet(part.Storage.Source, part.ByteStart(j), part.ByteCount, out bytes);
    }

    /// <summary>A hash of the values' stored bytes (or, for a strided view, of their exact doubles), equal for equal values.</summary>
    public void AddToHash(TensorView view, ref HashCode hash)
    {
        if (IsContiguous(view))
        {
            int size = view.DType.Size();
            long start = ByteStart(view), bytes = view.ElementCount * size;
            for (long done = 0; done < bytes; done += 1 << 20)
                hash.AddBytes(view.Storage.Source.Span(start + done, (int)Math.Min(1 << 20, bytes - done)));
        }
        else
        {
            hash.AddBytes(MemoryMarshal.AsBytes(Gather(view)));
        }
    }

    /// <summary>True when the two views hold the same values bit for bit (two views of one layout, as a layer's neurons are).</summary>
    public static bool SameValues(TensorView a, TensorView b)
    {
        if (a.DType != b.DType || !a.Shape.SequenceEqual(b.Shape)) return false;
        if (IsContiguous(a) && IsContiguous(b))
        {
            int size = a.DType.Size();
            long startA = ByteStart(a), startB = ByteStart(b), bytes = a.ElementCount * size;
            for (long done = 0; done < bytes; done += 1 << 20)
            {
                int n = (int)Math.Min(1 << 20, bytes - done);
                if (!a.Storage.Source.Span(startA + done, n).SequenceEqual(b.Storage.Source.Span(startB + done, n))) return false;
            }
            return true;
        }
        return MemoryMarshal.AsBytes(a.ToDoubles().AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(b.ToDoubles().AsSpan()));
    }

    // A layer's neurons are read one after another: a strided slice (a column of a channels-last kernel, read in another
    // axis order) is read through the mapping up to this extent, whose pages the next neuron's column then finds mapped,
    // rather than a value at a time, as one column alone is.
    private const long LayerExtent = 64L << 20;

    private Span<double> Gather(TensorView view)
    {
        var values = Buffer(checked((int)view.ElementCount));
        view.CopyTo(values, LayerExtent);
        return values;
    }

    private Span<double> Buffer(int count)
    {
        if (_gathered.Length < count) _gathered = new double[count];
        return _gathered.AsSpan(0, count);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        ArrayPool<float>.Shared.Return(_floats);
        ArrayPool<double>.Shared.Return(_doubles);
        ArrayPool<byte>.Shared.Return(_bytes);
        Block.Dispose();
    }
}
