using NeuronKit.Tensors;

namespace NeuronKit.Containers.Hdf5;

/// <summary>
/// An HDF5 file's metadata, read over a <see cref="ByteSource"/> without running or following anything outside it: the
/// subset h5py writes (superblocks 0 to 3, object headers 1 and 2, groups as symbol tables or link messages, contiguous
/// and compact datasets, attributes with fixed and variable-length strings). Every address and size is checked against
/// the file; what lies outside the subset (chunked or filtered data, external storage or links, dense link or attribute
/// storage) is refused by name. Dataset bytes are never read here: a dataset says where they are.
/// </summary>
/// <remarks>
/// The HDF5 File Format Specification, version 3.0 (https://docs.hdfgroup.org/hdf5/develop/_f_m_t3.html): level 0 (the
/// superblock), level 1 (B-trees v1, symbol table nodes, local and global heaps), level 2 (object headers and their
/// messages). Addresses are relative to the superblock's base address.
/// </remarks>
public sealed class Hdf5File
{
    /// <summary>The format signature that starts a superblock.</summary>
    public static ReadOnlySpan<byte> Signature => [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a];

    // Where a superblock may start: byte 0, or after a user block of 512 bytes times a power of two.
    private static readonly long[] SuperblockPlaces = [0, 512, 1024, 2048, 4096, 8192];

    private readonly Dictionary<long, Hdf5GlobalHeap> _globalHeaps = [];

    private Hdf5File(ByteSource source, long start, long length, string name)
    {
        Source = source;
        Start = start;
        Size = length;
        Name = name;
    }

    /// <summary>The bytes the file lives in (a mapped file, or an archive whose member it is).</summary>
    public ByteSource Source { get; }

    /// <summary>Where the file's byte 0 lies in <see cref="Source"/> (a zip member's data offset; 0 for a file of its own).</summary>
    public long Start { get; }

    /// <summary>The file's length in bytes.</summary>
    public long Size { get; }

    /// <summary>The file's name, for errors.</summary>
    public string Name { get; }

    /// <summary>The superblock's size of offsets (addresses), in bytes.</summary>
    public int OffsetSize { get; private set; } = 8;

    /// <summary>The superblock's size of lengths, in bytes.</summary>
    public int LengthSize { get; private set; } = 8;

    /// <summary>The base address: where address 0 lies, counted from the file's byte 0.</summary>
    public long BaseAddress { get; private set; }

    /// <summary>The root group.</summary>
    public Hdf5Group Root { get; private set; } = null!;

    /// <summary>How many of a file's first bytes <see cref="IsHdf5"/> needs to see every place a superblock may start.</summary>
    public const int HeadBytes = 8192 + 8;

    /// <summary>True when <paramref name="head"/> holds HDF5's signature where a superblock may start (after a user block too).</summary>
    public static bool IsHdf5(ReadOnlySpan<byte> head)
    {
        foreach (long place in SuperblockPlaces)
            if (head.Length >= place + 8 && head.Slice((int)place, 8).SequenceEqual(Signature)) return true;
        return false;
    }

    /// <summary>
    /// Reads the superblock and the root group's header of the HDF5 file at bytes [<paramref name="start"/>, +
    /// <paramref name="length"/>) of <paramref name="source"/>; <paramref name="name"/> names it in errors.
    /// </summary>
    public static Hdf5File Open(ByteSource source, long start, long length, string name)
    {
        var file = new Hdf5File(source, start, length, name);
        try
        {
            file.ReadSuperblock();
        }
        catch (OverflowException)
        {
            throw file.Corrupt("an address or size overflows");
        }
        return file;
    }

    private void ReadSuperblock()
    {
        long at = SuperblockPlaces.Where(p => p <= Size - 8).FirstOrDefault(p => Source.Span(Start + p, 8).SequenceEqual(Signature), -1);
        if (at < 0) throw Corrupt("no HDF5 superblock at byte 0, 512, 1024, … (no signature)");
        // The base address is not known yet (0 until the superblock gives it), so this reads from the file's byte 0.
        var fields = new Hdf5Fields(Bytes(at, Math.Min(Size - at, 256), "the superblock"), this, "the superblock");
        fields.Skip(8);
        int version = fields.Byte();
        long rootHeader;
        if (version is 0 or 1)
        {
            fields.Skip(4); // free-space, root symbol table entry and shared header versions, reserved
            SetSizes(fields.Byte(), fields.Byte());
            fields.Skip(1 + 2 + 2 + 4); // reserved, group leaf and internal node K, consistency flags
            if (version == 1) fields.Skip(4); // indexed storage K, reserved
            BaseAddress = fields.Address();
            fields.Address(); // free-space info
            long end = fields.Address();
            fields.Address(); // driver info block
            // The root group's symbol table entry: link name offset, object header address, cache type, reserved, scratch.
            fields.Address();
            rootHeader = fields.Address();
            CheckEnd(end);
        }
        else if (version is 2 or 3)
        {
            SetSizes(fields.Byte(), fields.Byte());
            fields.Skip(1); // consistency flags
            BaseAddress = fields.Address();
            long extension = fields.Address();
            long end = fields.Address();
            rootHeader = fields.Address();
            if (extension >= 0) throw Unsupported("a superblock extension");
            CheckEnd(end);
        }
        else
        {
            throw Unsupported($"superblock version {version}");
        }
        if (BaseAddress < 0 || BaseAddress > Size) throw Corrupt($"its base address {BaseAddress} lies outside the file");
        if (rootHeader < 0) throw Corrupt("the superblock has no root group");
        Root = new Hdf5Group(this, "/", Hdf5ObjectHeader.Read(this, rootHeader, "/"));
    }

    private void SetSizes(int offsets, int lengths)
    {
        if (offsets is not (2 or 4 or 8) || lengths is not (2 or 4 or 8))
            throw Corrupt($"its superblock gives addresses {offsets} bytes and lengths {lengths} (2, 4 or 8 each)");
        (OffsetSize, LengthSize) = (offsets, lengths);
    }

    // The end-of-file address is where the library last wrote; a file cut short of it is truncated. The library compares
    // it with the file's whole size, a user block included (H5F__super_read: eof + base_addr < stored_eof).
    private void CheckEnd(long end)
    {
        if (end >= 0 && end > Size)
            throw new CheckpointException($"{Name} is truncated: HDF5's superblock says it is {end:N0} bytes, but it is {Size:N0}",
                ["the file was cut short, e.g. by an interrupted download or copy; fetch or save it again"]);
    }

    /// <summary>
    /// The <paramref name="length"/> bytes at <paramref name="address"/> (relative to the base address), checked to lie inside
    /// the file; <paramref name="what"/> names them in errors.
    /// </summary>
    internal ReadOnlySpan<byte> Bytes(long address, long length, string what)
    {
        long at = SourceOffset(address, length, what);
        if (length > int.MaxValue) throw Corrupt($"{what} claims {length:N0} bytes");
        return Source.Span(at, (int)length);
    }

    /// <summary>How many bytes of the file follow <paramref name="address"/> (0 past its end).</summary>
    internal long Available(long address) => Math.Max(0, Size - BaseAddress - address);

    /// <summary>Where <paramref name="address"/> lies in <see cref="Source"/>, checked for <paramref name="length"/> bytes.</summary>
    internal long SourceOffset(long address, long length, string what)
    {
        long at = BaseAddress + address;
        if (address < 0 || length < 0 || at > Size - length)
            throw Corrupt($"{what} at byte {at} runs {length:N0} bytes past the end of the file ({Size:N0} bytes)");
        return Start + at;
    }

    /// <summary>The global heap collection at <paramref name="address"/>, read once.</summary>
    internal Hdf5GlobalHeap GlobalHeap(long address)
    {
        if (!_globalHeaps.TryGetValue(address, out var heap))
            _globalHeaps[address] = heap = Hdf5GlobalHeap.Read(this, address);
        return heap;
    }

    /// <summary>The error for metadata that contradicts itself or the file.</summary>
    internal CheckpointException Corrupt(string detail) => new($"{Name} is corrupt: {detail}");

    /// <summary>The error for an HDF5 feature outside the subset read here.</summary>
    internal CheckpointException Unsupported(string feature) =>
        new($"{Name} uses {feature}, which NeuronKit's HDF5 reader does not read",
            ["NeuronKit reads HDF5 as h5py writes it by default: contiguous or compact datasets, no compression, no external files or links"]);
}
