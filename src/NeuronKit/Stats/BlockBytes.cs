using System.Buffers;
using NeuronKit.Tensors;

namespace NeuronKit.Stats;

/// <summary>
/// The bytes a block of neurons reads, loaded up front with one read per run of adjacent slices: 16 rows of a Linear
/// layer and their 16 biases cost two system calls rather than 32, and the kernel then reads them from cache.
/// Only contiguous slices are loaded; anything else (or a run too large to buffer) is read where it lies.
/// </summary>
internal sealed class BlockBytes : IDisposable
{
    // Beyond this, runs are streamed through the reader's own small buffer instead: a block is about 256 KiB by design,
    // but one neuron may be larger.
    private const long MaxBytes = 8 << 20;

    private readonly List<Run> _wanted = [];
    private readonly List<Run> _loaded = [];
    private byte[] _buffer = [];

    private readonly record struct Run(ByteSource Source, long Start, long End, int At);

    /// <summary>Forgets the previous block.</summary>
    public void Clear()
    {
        _wanted.Clear();
        _loaded.Clear();
    }

    /// <summary>Asks for the bytes of neuron <paramref name="j"/>'s slice of <paramref name="part"/>, when they are one run.</summary>
    public void Want(PartPlan part, long j)
    {
        if (part.ElementCount == 0 || !part.Contiguous) return;
        var source = part.Storage.Source;
        long start = part.ByteStart(j), end = start + part.ByteCount;
        // Neuron j + 1's slice of a part usually starts where neuron j's ended: it extends one of the last few runs.
        for (int r = _wanted.Count - 1; r >= Math.Max(0, _wanted.Count - 8); r--)
        {
            var run = _wanted[r];
            if (run.Source == source && start >= run.Start && start <= run.End)
            {
                _wanted[r] = run with { End = Math.Max(run.End, end) };
                return;
            }
        }
        _wanted.Add(new Run(source, start, end, 0));
    }

    /// <summary>Reads every run asked for, each with one read.</summary>
    public void Load()
    {
        long total = 0;
        foreach (var run in _wanted)
        {
            if (total + (run.End - run.Start) > MaxBytes) continue;
            _loaded.Add(run with { At = (int)total });
            total += run.End - run.Start;
        }
        if (_buffer.Length < total)
        {
            if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent((int)total);
        }
        foreach (var run in _loaded)
            run.Source.Read(run.Start, _buffer.AsSpan(run.At, (int)(run.End - run.Start)));
    }

    /// <summary>The loaded bytes of [<paramref name="start"/>, +<paramref name="length"/>) of <paramref name="source"/>, if loaded.</summary>
    public bool TryGet(ByteSource source, long start, long length, out ReadOnlySpan<byte> bytes)
    {
        foreach (var run in _loaded)
        {
            if (run.Source == source && start >= run.Start && start + length <= run.End)
            {
                bytes = _buffer.AsSpan(run.At + (int)(start - run.Start), (int)length);
                return true;
            }
        }
        bytes = default;
        return false;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
