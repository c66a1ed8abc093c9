using NeuronKit.Tensors;

namespace NeuronKit.Edits;

/// <summary>
/// A write-only stream that compares what is written with the bytes of <paramref name="source"/> from
/// <paramref name="offset"/> on: checking a written file against the bytes that were meant for it, a block at a time.
/// </summary>
internal sealed class ComparingStream(ByteSource source, long offset) : Stream
{
    private byte[] _buffer = [];
    private long _done;

    /// <summary>True while every byte written so far equals the source's.</summary>
    public bool Same { get; private set; } = true;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _done;
    public override long Position { get => _done; set => throw new NotSupportedException(); }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!Same) return;
        if (offset + _done > source.Length - buffer.Length)
        {
            Same = false;
            return;
        }
        if (_buffer.Length < buffer.Length) _buffer = new byte[buffer.Length];
        var theirs = _buffer.AsSpan(0, buffer.Length);
        source.Read(offset + _done, theirs);
        Same = theirs.SequenceEqual(buffer);
        _done += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
