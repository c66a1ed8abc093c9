using System.IO.MemoryMappedFiles;

namespace NeuronKit.Tensors;

/// <summary>A read-only memory mapping of a whole file: only the pages a reader touches are read from disk.</summary>
public sealed unsafe class MappedFile : ByteSource
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _pointer;
    private bool _disposed;

    private MappedFile(MemoryMappedFile map, MemoryMappedViewAccessor view, long length)
    {
        _map = map;
        _view = view;
        Length = length;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _pointer = pointer + view.PointerOffset;
    }

    /// <summary>The file's path as given.</summary>
    public string Path { get; private init; } = "";

    /// <inheritdoc/>
    public override long Length { get; }

    /// <summary>Maps <paramref name="path"/>; the caller has checked that it exists and is not empty.</summary>
    public static MappedFile Open(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = stream.Length;
        var map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        return new MappedFile(map, view, length) { Path = path };
    }

    /// <inheritdoc/>
    public override ReadOnlySpan<byte> Span(long offset, int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckRange(offset, length);
        return new ReadOnlySpan<byte>(_pointer + offset, length);
    }

    /// <inheritdoc/>
    public override void Release(long offset, long length)
    {
        if (_disposed || offset < 0 || length <= 0 || offset > Length - length) return;
        PageAdvice.DontNeed(_pointer + offset, length);
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
        base.Dispose();
    }
}
