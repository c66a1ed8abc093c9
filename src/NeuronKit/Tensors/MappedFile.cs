using System.IO.MemoryMappedFiles;
using NeuronKit.Edits;

namespace NeuronKit.Tensors;

/// <summary>A read-only memory mapping of a whole file: only the pages a reader touches are read from disk.</summary>
public sealed unsafe class MappedFile : ByteSource
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _pointer;
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _handle;
    private readonly FileSnapshot _opened;
    private bool _disposed;

    private MappedFile(MemoryMappedFile map, MemoryMappedViewAccessor view, Microsoft.Win32.SafeHandles.SafeFileHandle handle, long length,
        FileSnapshot opened)
    {
        _map = map;
        _opened = opened;
        _view = view;
        _handle = handle;
        Length = length;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _pointer = pointer + view.PointerOffset;
    }

    /// <summary>The file's path as given.</summary>
    public string Path { get; private init; } = "";

    /// <inheritdoc/>
    public override long Length { get; }

    /// <summary>Maps <paramref name="path"/>; an empty or unreadable file is a <see cref="CheckpointException"/>.</summary>
    public static MappedFile Open(string path)
    {
        try
        {
            // An empty file cannot be mapped; it is also no checkpoint of any format.
            // Taken before the file is opened, so that a change made while it is being read shows in Changed afterwards.
            var opened = FileSnapshot.Of(path);
            if (opened.Length == 0) throw new CheckpointException($"{System.IO.Path.GetFileName(path)} is empty (0 bytes)");
            var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
                long length = stream.Length;
                var map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
                var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
                return new MappedFile(map, view, handle, length, opened) { Path = path };
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{path} cannot be read: {e.Message}", inner: e);
        }
    }

    /// <summary>
    /// True once the path no longer names the file as it was mapped: rewritten in place (another length or write time),
    /// or another file renamed onto it. A stat of the path; the mapping is not touched, so a file truncated under it
    /// is found here without reading a page past its new end.
    /// </summary>
    public override bool Changed => _opened.Changed();

    /// <inheritdoc/>
    public override ReadOnlySpan<byte> Span(long offset, int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckRange(offset, length);
        // Touching a page past the end of a file that shrank after it was mapped raises SIGBUS, which ends the
        // process; one fstat per read (about a microsecond) turns that into an error while the file is still here.
        // A file truncated after this check, while the caller reads the span, still raises SIGBUS: closing that gap
        // would take a signal handler, which NeuronKit does not install.
        long now = RandomAccess.GetLength(_handle);
        if (now < offset + length)
            throw new CheckpointException($"{System.IO.Path.GetFileName(Path)} changed while it was open: it is now " +
                $"{now:N0} bytes, but was {Length:N0} when it was opened; open it again");
        return new ReadOnlySpan<byte>(_pointer + offset, length);
    }

    /// <inheritdoc/>
    public override void Read(long offset, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckRange(offset, destination.Length);
        // pread, not the mapping: no page faults, no page-table work, and a file that shrank reads short instead of
        // raising SIGBUS.
        for (int done = 0; done < destination.Length;)
        {
            int read = RandomAccess.Read(_handle, destination[done..], offset + done);
            if (read == 0)
                throw new CheckpointException($"{System.IO.Path.GetFileName(Path)} changed while it was open: it is now " +
                    $"{RandomAccess.GetLength(_handle):N0} bytes, but was {Length:N0} when it was opened; open it again");
            done += read;
        }
    }

    /// <inheritdoc/>
    public override void CopyTo(long offset, long length, Stream destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckRange(offset, length);
        // Into a file: copy_file_range, as cp does, so the bytes never pass through the process.
        if (destination is FileStream file && KernelCopy.TryAppend(_handle, offset, file, length)) return;
        base.CopyTo(offset, length, destination);
    }

    /// <inheritdoc/>
    public override void Write(long offset, ReadOnlySpan<byte> bytes, PatchSet patches) => patches.Write(this, offset, bytes);

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
        _handle.Dispose();
        base.Dispose();
    }
}
