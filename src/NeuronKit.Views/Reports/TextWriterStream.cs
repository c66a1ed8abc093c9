using System.Buffers;
using System.Text;

namespace NeuronKit.Views.Reports;

/// <summary>
/// A write-only stream that decodes the UTF-8 written to it into a <see cref="TextWriter"/>, so that JSON can stream
/// out to a console or a <see cref="StringWriter"/> as it does to a socket. A character split between two writes is
/// kept until its last byte comes.
/// </summary>
internal sealed class TextWriterStream(TextWriter text) : Stream
{
    private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetDecoder();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        // Through a pooled array rather than a string: a chunk's text is large, and a new string each time is garbage.
        char[] chars = ArrayPool<char>.Shared.Rent(_decoder.GetCharCount(buffer, flush: false));
        int count = _decoder.GetChars(buffer, chars, flush: false);
        text.Write(chars, 0, count);
        ArrayPool<char>.Shared.Return(chars);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush() => text.Flush();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
