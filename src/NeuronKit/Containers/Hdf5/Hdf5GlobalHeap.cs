namespace NeuronKit.Containers.Hdf5;

/// <summary>
/// A global heap collection (<c>GCOL</c>): where variable-length data lives, such as h5py's variable-length string
/// attributes (Keras' <c>model_config</c>). Objects are found by index; each is read where it lies.
/// </summary>
internal sealed class Hdf5GlobalHeap
{
    // A collection holds at least 4 KiB; this bounds what a hostile one makes the reader scan.
    private const long MaxCollection = 1L << 30;

    private readonly Dictionary<int, (long Address, long Size)> _objects;
    private readonly Hdf5File _file;
    private readonly long _address;

    private Hdf5GlobalHeap(Hdf5File file, long address, Dictionary<int, (long, long)> objects)
    {
        (_file, _address, _objects) = (file, address, objects);
    }

    /// <summary>Reads the index of the collection at <paramref name="address"/>.</summary>
    public static Hdf5GlobalHeap Read(Hdf5File file, long address)
    {
        string what = $"the global heap at byte {address}";
        var head = new Hdf5Fields(file.Bytes(address, 8 + file.LengthSize, what), file, what);
        if (!head.Take(4).SequenceEqual("GCOL"u8)) throw file.Corrupt($"{what} has no GCOL signature");
        if (head.Byte() != 1) throw file.Corrupt($"{what} has a version other than 1");
        head.Skip(3);
        long size = head.Length();
        if (size > MaxCollection) throw file.Corrupt($"{what} claims {size:N0} bytes");
        var fields = new Hdf5Fields(file.Bytes(address, size, what), file, what);
        fields.Skip(head.Position);
        var objects = new Dictionary<int, (long, long)>();
        int header = 8 + file.LengthSize;
        while (fields.Remaining >= header)
        {
            int index = fields.UInt16();
            fields.Skip(2 + 4); // reference count, reserved
            long length = fields.Length();
            if (index == 0) break; // the free space runs to the end of the collection
            long at = address + fields.Position;
            fields.Skip(length);
            fields.Skip(Math.Min((8 - length % 8) % 8, fields.Remaining)); // objects are padded to 8 bytes
            if (!objects.TryAdd(index, (at, length))) throw file.Corrupt($"{what} holds object {index} twice");
        }
        return new Hdf5GlobalHeap(file, address, objects);
    }

    /// <summary>The bytes of object <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Object(int index, string what) =>
        _objects.TryGetValue(index, out var found)
            ? _file.Bytes(found.Address, found.Size, what)
            : throw _file.Corrupt($"{what} refers to object {index} of the global heap at byte {_address}, which it does not hold");
}
