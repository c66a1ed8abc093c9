using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Microsoft.Win32.SafeHandles;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.PyTorch;

// A zip archive as torch.save writes it (caffe2/serialize/inline_container.cc PyTorchStreamWriter over miniz
// mz_zip_writer_add_mem_ex_v2), byte for byte:
//  1. per record: local header (version 0, flags 0x0808 = data descriptor + UTF-8, stored, time, date, CRC and sizes 0),
//     the name, a zip64 extra field only when the size or the header's offset reaches 0xFFFFFFFF (uncompressed and
//     compressed size, then offset, each present only if needed), then the "FB" extra field whose 'Z's pad the data to
//     a multiple of 64 (getPadding); the data; a data descriptor PK\7\8, CRC, sizes (8 bytes each with a zip64 extra).
//  2. the central directory: one header per record (versions 0, the same flags, CRC, sizes and offset, capped at
//     0xFFFFFFFF with the zip64 extra field as in the local header; no FB field).
//  3. the zip64 end record (made by 0x031e, needs 45), its locator, and the end record: miniz writes them always.

/// <summary>Writes records into a new archive the way torch.save lays them out, streaming each record's bytes once.</summary>
internal sealed class TorchZipWriter(Stream output)
{
    private const int Alignment = 64;
    private const uint Max32 = uint.MaxValue;
    private const ushort Flags = 0x0808;

    private readonly List<(byte[] Name, uint Crc, long Size, long Offset)> _records = [];
    private readonly byte[] _buffer = new byte[1 << 20];
    private long _position;

    /// <summary>Writes record <paramref name="name"/> holding <paramref name="data"/>.</summary>
    public void Write(string name, ReadOnlySpan<byte> data)
    {
        long offset = Begin(name, data.Length);
        var crc = new Crc32();
        crc.Append(data);
        Put(data);
        End(crc.GetCurrentHashAsUInt32(), data.Length, offset);
    }

    /// <summary>Writes record <paramref name="name"/> holding <paramref name="length"/> bytes of <paramref name="source"/> at <paramref name="at"/>, streamed.</summary>
    public void Write(string name, ByteSource source, long at, long length)
    {
        long offset = Begin(name, length);
        var crc = new Crc32();
        for (long done = 0; done < length; done += _buffer.Length)
        {
            int n = (int)Math.Min(_buffer.Length, length - done);
            source.Read(at + done, _buffer.AsSpan(0, n));
            crc.Append(_buffer.AsSpan(0, n));
            Put(_buffer.AsSpan(0, n));
            source.Release(at + done, n);
        }
        End(crc.GetCurrentHashAsUInt32(), length, offset);
    }

    /// <summary>
    /// Writes record <paramref name="name"/> holding <paramref name="length"/> bytes of the file <paramref name="source"/>
    /// at <paramref name="at"/>, copied as they are (inside the kernel where it can), with the CRC-32 its archive gives
    /// them: an intact record keeps its CRC, and a damaged one stays detectable instead of getting a new CRC over damage.
    /// </summary>
    public void Copy(string name, SafeFileHandle source, long at, long length, uint crc)
    {
        long offset = Begin(name, length);
        if (output is FileStream file && KernelCopy.TryAppend(source, at, file, length))
        {
            _position += length;
        }
        else
        {
            for (long done = 0; done < length; done += _buffer.Length)
            {
                int n = (int)Math.Min(_buffer.Length, length - done);
                RandomAccess.Read(source, _buffer.AsSpan(0, n), at + done);
                Put(_buffer.AsSpan(0, n));
            }
        }
        End(crc, length, offset);
    }

    /// <summary>Writes record <paramref name="name"/> of <paramref name="length"/> bytes, which <paramref name="write"/> writes, streamed.</summary>
    public void Write(string name, long length, Action<Stream> write)
    {
        long offset = Begin(name, length);
        var data = new RecordStream(this);
        write(data);
        if (data.Length != length)
            throw new InvalidOperationException($"record {name} was to hold {length} bytes but {data.Length} were written");
        End(data.Crc.GetCurrentHashAsUInt32(), length, offset);
    }

    /// <summary>Writes the central directory and the end records.</summary>
    public void Finish()
    {
        long directory = _position;
        foreach (var (name, crc, size, offset) in _records)
        {
            var zip64 = Zip64Extra(size, offset);
            var header = new byte[46];
            BinaryPrimitives.WriteUInt32LittleEndian(header, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), Flags);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), crc);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), (uint)Math.Min(size, Max32));
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(24), (uint)Math.Min(size, Max32));
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(28), (ushort)name.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(30), (ushort)zip64.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(42), (uint)Math.Min(offset, Max32));
            Put(header);
            Put(name);
            Put(zip64);
        }
        long directorySize = _position - directory;
        long zip64End = _position;
        var end = new byte[56 + 20 + 22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(end.AsSpan(4), 44);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(12), 0x031e);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(14), 45);
        BinaryPrimitives.WriteUInt64LittleEndian(end.AsSpan(24), (ulong)_records.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(end.AsSpan(32), (ulong)_records.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(end.AsSpan(40), (ulong)directorySize);
        BinaryPrimitives.WriteUInt64LittleEndian(end.AsSpan(48), (ulong)directory);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(56), 0x07064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(end.AsSpan(64), (ulong)zip64End);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(72), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(76), 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(84), (ushort)Math.Min(_records.Count, ushort.MaxValue));
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(86), (ushort)Math.Min(_records.Count, ushort.MaxValue));
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(88), (uint)Math.Min(directorySize, Max32));
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(92), (uint)Math.Min(directory, Max32));
        Put(end);
    }

    private long Begin(string name, long size)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        long offset = _position;
        var zip64 = Zip64Extra(size, offset);
        // getPadding: the data follows the header, the name, the zip64 field and the FB field's own 4 bytes.
        long start = offset + 30 + nameBytes.Length + zip64.Length + 4;
        int padding = (int)((Alignment - start % Alignment) % Alignment);
        var header = new byte[30];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), Flags);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(26), (ushort)nameBytes.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(28), (ushort)(zip64.Length + 4 + padding));
        Put(header);
        Put(nameBytes);
        Put(zip64);
        Put([(byte)'F', (byte)'B', (byte)padding, (byte)(padding >> 8)]);
        Span<byte> z = stackalloc byte[padding];
        z.Fill((byte)'Z');
        Put(z);
        _records.Add((nameBytes, 0, size, offset));
        return offset;
    }

    private void End(uint crc, long size, long offset)
    {
        bool wide = Zip64Extra(size, offset).Length > 0;
        var descriptor = new byte[wide ? 24 : 16];
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor, 0x08074b50);
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor.AsSpan(4), crc);
        if (wide)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(descriptor.AsSpan(8), (ulong)size);
            BinaryPrimitives.WriteUInt64LittleEndian(descriptor.AsSpan(16), (ulong)size);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(descriptor.AsSpan(8), (uint)size);
            BinaryPrimitives.WriteUInt32LittleEndian(descriptor.AsSpan(12), (uint)size);
        }
        Put(descriptor);
        _records[^1] = _records[^1] with { Crc = crc };
    }

    // mz_zip_writer_create_zip64_extra_data: id 1, then uncompressed and compressed size if the size needs it, then the offset if it does.
    private static byte[] Zip64Extra(long size, long offset)
    {
        bool bigSize = size >= Max32, farOffset = offset >= Max32;
        if (!bigSize && !farOffset) return [];
        var extra = new byte[4 + (bigSize ? 16 : 0) + (farOffset ? 8 : 0)];
        BinaryPrimitives.WriteUInt16LittleEndian(extra, 1);
        BinaryPrimitives.WriteUInt16LittleEndian(extra.AsSpan(2), (ushort)(extra.Length - 4));
        int at = 4;
        if (bigSize)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(extra.AsSpan(at), (ulong)size);
            BinaryPrimitives.WriteUInt64LittleEndian(extra.AsSpan(at + 8), (ulong)size);
            at += 16;
        }
        if (farOffset) BinaryPrimitives.WriteUInt64LittleEndian(extra.AsSpan(at), (ulong)offset);
        return extra;
    }

    private void Put(ReadOnlySpan<byte> bytes)
    {
        output.Write(bytes);
        _position += bytes.Length;
    }

    // A record's data on their way into the archive, CRC and length counted as they pass.
    private sealed class RecordStream(TorchZipWriter writer) : Stream
    {
        private long _length;

        public Crc32 Crc { get; } = new();

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Crc.Append(buffer);
            writer.Put(buffer);
            _length += buffer.Length;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
