namespace NeuronKit.Containers.Hdf5;

/// <summary>
/// One object's header: its messages, gathered from the first chunk and every continuation chunk. Version 1 (16-byte
/// prefix, 8-byte message headers) and version 2 (<c>OHDR</c>, 4-byte message headers, <c>OCHK</c> continuations).
/// </summary>
internal sealed class Hdf5ObjectHeader
{
    // Far beyond any h5py object, and bounds what a hostile header can make the reader walk.
    private const int MaxMessages = 1 << 16;
    private const int MaxChunks = 1 << 10;

    private Hdf5ObjectHeader(long address, IReadOnlyList<Hdf5Message> messages, int version, IReadOnlyList<(long Start, long End)> checksummed)
    {
        Address = address;
        Messages = messages;
        Version = version;
        Checksummed = checksummed;
    }

    /// <summary>
    /// A version 2 header's chunks as the checksums cover them: bytes [Start, End) of each (from its OHDR or OCHK
    /// signature), its checksum in the four bytes at End; none in version 1.
    /// </summary>
    public IReadOnlyList<(long Start, long End)> Checksummed { get; }

    /// <summary>The header's address.</summary>
    public long Address { get; }

    /// <summary>The header's version, 1 or 2 (version 2 headers carry checksums over their chunks).</summary>
    public int Version { get; }

    /// <summary>Every message but NIL and continuation messages, in the order the chunks hold them.</summary>
    public IReadOnlyList<Hdf5Message> Messages { get; }

    /// <summary>The first message of <paramref name="type"/>, or null.</summary>
    public Hdf5Message? Find(Hdf5MessageType type) => Messages.FirstOrDefault(m => m.Type == type);

    /// <summary>Reads the header at <paramref name="address"/> of <paramref name="file"/>; <paramref name="path"/> names the object in errors.</summary>
    public static Hdf5ObjectHeader Read(Hdf5File file, long address, string path)
    {
        string what = $"the object header of '{path}'";
        List<Hdf5Message> messages = [];
        Queue<(long Address, long Length)> chunks = new();
        HashSet<long> seen = [address];
        int version;
        bool creationOrder = false;
        long first, firstLength;
        if (file.Bytes(address, 4, what).SequenceEqual("OHDR"u8))
        {
            version = 2;
            var prefix = new Hdf5Fields(file.Bytes(address, Math.Min(34, file.Available(address)), what), file, what);
            prefix.Skip(4);
            if (prefix.Byte() != 2) throw file.Corrupt($"{what} has an OHDR signature and a version other than 2");
            int flags = prefix.Byte();
            if ((flags & 0x20) != 0) prefix.Skip(16); // access, modification, change and birth times
            if ((flags & 0x10) != 0) prefix.Skip(4);  // attribute phase change values
            creationOrder = (flags & 0x04) != 0;
            firstLength = (long)prefix.Unsigned(1 << (flags & 0x03));
            first = address + prefix.Position;
        }
        else
        {
            var prefix = new Hdf5Fields(file.Bytes(address, 16, what), file, what);
            version = prefix.Byte();
            if (version != 1) throw file.Corrupt($"{what} has version {version} (1, or OHDR for 2)");
            prefix.Skip(1 + 2 + 4); // reserved, message count, reference count
            firstLength = prefix.UInt32();
            first = address + 16; // the prefix is padded to 8-byte alignment
        }
        chunks.Enqueue((first, firstLength));
        List<(long Start, long End)> checksummed = version == 2 ? [(address, first + firstLength)] : [];
        while (chunks.Count > 0)
        {
            var (at, length) = chunks.Dequeue();
            if (seen.Count > MaxChunks) throw file.Corrupt($"{what} continues in more than {MaxChunks} chunks");
            long messagesAt = at;
            if (version == 2 && at != first)
            {
                // A continuation block: OCHK, the messages, a checksum.
                if (length < 8 || !file.Bytes(at, 4, what).SequenceEqual("OCHK"u8))
                    throw file.Corrupt($"{what} continues at byte {at} without an OCHK block");
                messagesAt = at + 4;
                length -= 8;
                checksummed.Add((at, at + 4 + length));
            }
            var fields = new Hdf5Fields(file.Bytes(messagesAt, length, what), file, what);
            int messageHeader = version == 1 ? 8 : creationOrder ? 6 : 4;
            // Version 2 chunks may end in a gap smaller than a message header.
            while (fields.Remaining >= messageHeader)
            {
                int type = version == 1 ? fields.UInt16() : fields.Byte();
                int size = fields.UInt16();
                int flags = fields.Byte();
                fields.Skip(messageHeader - (version == 1 ? 5 : 4)); // reserved (version 1), creation order (version 2)
                long dataAt = messagesAt + fields.Position;
                fields.Skip(size);
                if (messages.Count >= MaxMessages) throw file.Corrupt($"{what} has more than {MaxMessages} messages");
                if (type == (int)Hdf5MessageType.Continuation)
                {
                    var continuation = new Hdf5Fields(file.Bytes(dataAt, size, what), file, what);
                    long next = continuation.Address(), nextLength = continuation.Length();
                    if (!seen.Add(next)) throw file.Corrupt($"{what} continues into a chunk it has already read (byte {next})");
                    chunks.Enqueue((next, nextLength));
                }
                else if (type != (int)Hdf5MessageType.Nil)
                {
                    messages.Add(new Hdf5Message((Hdf5MessageType)type, flags, dataAt, size));
                }
            }
        }
        return new Hdf5ObjectHeader(address, messages, version, checksummed);
    }
}
