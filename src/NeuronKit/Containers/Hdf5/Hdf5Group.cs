namespace NeuronKit.Containers.Hdf5;

/// <summary>
/// A group: its members by name, from a symbol table (a version 1 B-tree of symbol table nodes naming members in a local
/// heap: what h5py writes by default) or from link messages in its header (compact storage, newer files). Only hard links
/// are followed; soft, external and user-defined links are refused, as is dense link storage.
/// </summary>
public sealed class Hdf5Group : Hdf5Object
{
    // Far beyond any h5py file; bounds what a hostile B-tree makes the reader walk.
    private const int MaxTreeDepth = 64;
    private const int MaxMembers = 1 << 20;

    private IReadOnlyList<(string Name, long Address)>? _members;

    internal Hdf5Group(Hdf5File file, string path, Hdf5ObjectHeader header) : base(file, path, header)
    {
    }

    private IReadOnlyList<(string Name, long Address)> Members => _members ??= ReadMembers();

    /// <summary>
    /// The member at <paramref name="path"/> (names joined by <c>/</c>, relative to this group), or null when some name on
    /// the way is missing or the object is neither a group nor a dataset (a committed datatype).
    /// </summary>
    public Hdf5Object? Find(string path)
    {
        Hdf5Object current = this;
        foreach (string name in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current is not Hdf5Group group) return null;
            var member = group.Members.FirstOrDefault(m => m.Name == name);
            if (member.Name is null) return null;
            if (group.Open(member.Name, member.Address) is not { } opened) return null;
            current = opened;
        }
        return current;
    }

    /// <summary>The member group <paramref name="path"/>, or null.</summary>
    public Hdf5Group? Group(string path) => Find(path) as Hdf5Group;

    /// <summary>
    /// Every member that is a group or a dataset, in the file's order (symbol tables sort members by name; link messages keep
    /// the order they were made in).
    /// </summary>
    public IEnumerable<Hdf5Object> Children() =>
        Members.Select(m => Open(m.Name, m.Address)).OfType<Hdf5Object>();

    private Hdf5Object? Open(string name, long address)
    {
        string path = Path == "/" ? "/" + name : Path + "/" + name;
        var header = Hdf5ObjectHeader.Read(File, address, path);
        if (header.Find(Hdf5MessageType.DataLayout) is not null) return Hdf5Dataset.Read(File, path, header);
        bool group = header.Messages.Any(m => m.Type is Hdf5MessageType.SymbolTable or Hdf5MessageType.Link
            or Hdf5MessageType.LinkInfo or Hdf5MessageType.GroupInfo);
        return group ? new Hdf5Group(File, path, header) : null;
    }

    private List<(string, long)> ReadMembers()
    {
        List<(string, long)> members = [];
        if (Header.Find(Hdf5MessageType.SymbolTable) is { } table)
        {
            var fields = table.Fields(File, $"the symbol table of '{Path}'");
            long tree = fields.Address(), heap = fields.Address();
            var names = LocalHeap(heap);
            WalkTree(tree, names, members, 0, []);
        }
        RefuseDenseStorage(Hdf5MessageType.LinkInfo, 8, "link");
        foreach (var link in Header.Messages.Where(m => m.Type == Hdf5MessageType.Link))
        {
            members.Add(ReadLink(link));
            if (members.Count > MaxMembers) throw File.Corrupt($"group '{Path}' has more than {MaxMembers:N0} members");
        }
        return members;
    }

    // A link message: version 1, flags, [type], [creation order], [name encoding], the name's length and the name, then
    // for a hard link the member's object header address.
    private (string, long) ReadLink(Hdf5Message message)
    {
        string what = $"a link in '{Path}'";
        var fields = message.Fields(File, what);
        if (fields.Byte() != 1) throw File.Corrupt($"{what} has a version other than 1");
        int flags = fields.Byte();
        int type = (flags & 0x08) != 0 ? fields.Byte() : 0;
        if ((flags & 0x04) != 0) fields.Skip(8);
        if ((flags & 0x10) != 0) fields.Skip(1);
        long length = (long)fields.Unsigned(1 << (flags & 0x03));
        string name = System.Text.Encoding.UTF8.GetString(fields.Take(length));
        if (type != 0)
            throw type == 64
                ? new CheckpointException($"{File.Name} links '{Path}/{name}' to another file (an external link); refused: NeuronKit reads a file's data only from the file itself")
                : File.Unsupported($"a {(type == 1 ? "soft" : $"type {type}")} link ('{Path}/{name}')");
        return (name, fields.Address());
    }

    // The local heap a symbol table's names are in: HEAP, version 0, the data segment's size and address.
    private (long Address, long Size) LocalHeap(long address)
    {
        string what = $"the local heap of '{Path}'";
        var fields = new Hdf5Fields(File.Bytes(address, 8 + 2 * File.LengthSize + File.OffsetSize, what), File, what);
        if (!fields.Take(4).SequenceEqual("HEAP"u8)) throw File.Corrupt($"{what} has no HEAP signature");
        fields.Skip(4); // version, reserved
        long size = fields.Length();
        fields.Length(); // the free list's head
        long data = fields.Address();
        File.Bytes(data, size, what);
        return (data, size);
    }

    // A version 1 B-tree of group nodes: TREE, type 0, level, entries, siblings, then keys and children; the children of
    // a leaf (level 0) are symbol table nodes.
    private void WalkTree(long address, (long Address, long Size) names, List<(string, long)> members, int depth, HashSet<long> seen)
    {
        string what = $"the B-tree of '{Path}'";
        if (depth > MaxTreeDepth) throw File.Corrupt($"{what} is more than {MaxTreeDepth} levels deep");
        if (!seen.Add(address)) throw File.Corrupt($"{what} reaches node {address} twice");
        int head = 8 + 2 * File.OffsetSize;
        var prefix = new Hdf5Fields(File.Bytes(address, head, what), File, what);
        if (!prefix.Take(4).SequenceEqual("TREE"u8)) throw File.Corrupt($"{what} has a node at byte {address} without a TREE signature");
        if (prefix.Byte() != 0) throw File.Corrupt($"{what} has a node at byte {address} that is not a group node");
        int level = prefix.Byte();
        int entries = prefix.UInt16();
        var fields = new Hdf5Fields(File.Bytes(address + head, (long)entries * (File.LengthSize + File.OffsetSize) + File.LengthSize, what), File, what);
        var children = new long[entries];
        for (int i = 0; i < entries; i++)
        {
            fields.Length(); // key: the heap offset of the last name below
            children[i] = fields.Address();
        }
        foreach (long child in children)
        {
            if (level > 0) WalkTree(child, names, members, depth + 1, seen);
            else ReadSymbolNode(child, names, members, seen);
        }
    }

    // A symbol table node: SNOD, version 1, the number of entries, then the entries (name offset, object header address,
    // cache type, reserved, scratch pad).
    private void ReadSymbolNode(long address, (long Address, long Size) names, List<(string, long)> members, HashSet<long> seen)
    {
        string what = $"a symbol table node of '{Path}'";
        if (!seen.Add(address)) throw File.Corrupt($"{what} at byte {address} is reached twice");
        var prefix = new Hdf5Fields(File.Bytes(address, 8, what), File, what);
        if (!prefix.Take(4).SequenceEqual("SNOD"u8)) throw File.Corrupt($"{what} at byte {address} has no SNOD signature");
        prefix.Skip(2);
        int count = prefix.UInt16();
        int entry = 2 * File.OffsetSize + 24;
        var fields = new Hdf5Fields(File.Bytes(address + 8, (long)count * entry, what), File, what);
        var heap = File.Bytes(names.Address, names.Size, what);
        for (int i = 0; i < count; i++)
        {
            long nameOffset = fields.Address();
            long header = fields.Address();
            fields.Skip(24);
            if (nameOffset < 0 || nameOffset >= heap.Length) throw File.Corrupt($"{what} names a member at heap offset {nameOffset}, outside the heap");
            var nameFields = new Hdf5Fields(heap[(int)nameOffset..], File, what);
            members.Add((nameFields.NulTerminated(), header));
            if (members.Count > MaxMembers) throw File.Corrupt($"group '{Path}' has more than {MaxMembers:N0} members");
        }
    }
}
