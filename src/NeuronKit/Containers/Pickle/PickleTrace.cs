using System.Buffers.Binary;
using System.Text;
using static NeuronKit.Containers.Pickle.PickleOpcodes;

namespace NeuronKit.Containers.Pickle;

/// <summary>
/// The values of a pickle with the bytes that built each one, for rewriting a few of them (a tensor's size, stride,
/// offset, a storage's numel) and keeping every other byte. Only structure is followed: nothing is called, no object is
/// built; values are tuples, ints, strings, globals' names and persistent ids, the rest opaque. The pickle was read by
/// <see cref="Unpickler"/> first, which judged it; this one still checks every length against the bytes.
/// </summary>
internal sealed class PickleTrace
{
    /// <summary>One value: the bytes that built it where it first appeared, and what it holds.</summary>
    public sealed class Node(byte op, long start, long end)
    {
        /// <summary>The opcode that made it (TUPLE2, BININT1, BINPERSID, …).</summary>
        public byte Op { get; } = op;

        /// <summary>The first byte of the opcodes that built it (a tuple's first item, or its MARK).</summary>
        public long Start { get; } = start;

        /// <summary>The byte after the opcode that made it.</summary>
        public long End { get; } = end;

        /// <summary>An int (long), a string, or a global's <c>module.name</c>; null when opaque.</summary>
        public object? Value { get; init; }

        /// <summary>A tuple's items; a persistent load's id (one item).</summary>
        public Node[]? Items { get; init; }

        /// <summary>True when the memo gives it again later: rewriting it would change every place that reads it.</summary>
        public bool Fetched { get; set; }
    }

    private readonly byte[] _pickle;
    private readonly string _fileName;
    private readonly List<(Node Node, long Start)> _stack = [];
    private readonly List<(int Depth, long Start)> _marks = [];
    private readonly Dictionary<long, Node> _memo = [];
    private long _position;

    private PickleTrace(byte[] pickle, string fileName)
    {
        _pickle = pickle;
        _fileName = fileName;
    }

    /// <summary>Every tuple built, in the order they were built.</summary>
    public List<Node> Tuples { get; } = [];

    /// <summary>Every persistent load (BINPERSID), in order: <c>Items[0]</c> is its id.</summary>
    public List<Node> PersistentIds { get; } = [];

    /// <summary>Where each FRAME opcode is, and the length it declares.</summary>
    public List<(long Offset, long Length)> Frames { get; } = [];

    /// <summary>Where each memo write (BINPUT, LONG_BINPUT, MEMOIZE) is.</summary>
    public List<long> MemoPuts { get; } = [];

    /// <summary>Traces <paramref name="pickle"/> to its STOP; throws <see cref="CheckpointException"/> for what it cannot follow.</summary>
    public static PickleTrace Of(byte[] pickle, string fileName)
    {
        var trace = new PickleTrace(pickle, fileName);
        trace.Run();
        return trace;
    }

    private void Run()
    {
        while (true)
        {
            long start = _position;
            byte op = Take(1)[0];
            switch (op)
            {
                case Proto: Take(1); break;
                case Frame: Frames.Add((start, (long)BinaryPrimitives.ReadUInt64LittleEndian(Take(8)))); break;
                case Stop: return;
                case Mark: _marks.Add((_stack.Count, start)); break;
                case EmptyTuple:
                    Tuples.Add(Push(new Node(op, start, _position) { Items = [] }, start));
                    break;
                case PickleOpcodes.Tuple:
                    var (items, markStart) = PopMark();
                    Tuples.Add(Push(new Node(op, markStart, _position) { Items = [.. items.Select(i => i.Node)] }, markStart));
                    break;
                case Tuple1 or Tuple2 or Tuple3:
                    var few = PopMany(op - Tuple1 + 1);
                    Tuples.Add(Push(new Node(op, few[0].Start, _position) { Items = [.. few.Select(i => i.Node)] }, few[0].Start));
                    break;
                case EmptyList or EmptyDict or EmptySet or None or NewTrue or NewFalse: Leaf(op, start); break;
                case Append: PopMany(1); break;
                case SetItem: PopMany(2); break;
                case Appends or SetItems or AddItems: PopMark(); break;
                case FrozenSet:
                    PopMark();
                    Leaf(op, start);
                    break;
                case BinInt: Leaf(op, start, (long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break;
                case BinInt1: Leaf(op, start, (long)Take(1)[0]); break;
                case BinInt2: Leaf(op, start, (long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break;
                case Long1:
                    var bytes = Take(Take(1)[0]);
                    Leaf(op, start, bytes.Length <= 8 ? SignedLittleEndian(bytes) : null);
                    break;
                case BinFloat: Take(8); Leaf(op, start); break;
                case ShortBinUnicode or ShortBinString: Leaf(op, start, Text(Take(Take(1)[0]))); break;
                case BinUnicode: Leaf(op, start, Text(Take(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))))); break;
                case BinUnicode8: Leaf(op, start, Text(Take(BinaryPrimitives.ReadUInt64LittleEndian(Take(8))))); break;
                case ShortBinBytes: Take(Take(1)[0]); Leaf(op, start); break;
                case BinBytes: Take(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))); Leaf(op, start); break;
                case BinBytes8: Take(BinaryPrimitives.ReadUInt64LittleEndian(Take(8))); Leaf(op, start); break;
                case BinGet: Fetch(Take(1)[0], start); break;
                case LongBinGet: Fetch(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)), start); break;
                case BinPut: Put(Take(1)[0], start); break;
                case LongBinPut: Put(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)), start); break;
                case Memoize: Put(_memo.Count, start); break;
                case Global:
                    string module = Line();
                    Leaf(op, start, $"{module}.{Line()}");
                    break;
                case StackGlobal:
                    var names = PopMany(2);
                    Push(new Node(op, names[0].Start, _position) { Value = $"{names[0].Node.Value}.{names[1].Node.Value}" }, names[0].Start);
                    break;
                case Reduce or NewObj:
                    var call = PopMany(2);
                    Push(new Node(op, call[0].Start, _position), call[0].Start);
                    break;
                case NewObjEx:
                    var newObj = PopMany(3);
                    Push(new Node(op, newObj[0].Start, _position), newObj[0].Start);
                    break;
                case Build: PopMany(1); break;
                case BinPersId:
                    var pid = PopMany(1)[0];
                    PersistentIds.Add(Push(new Node(op, pid.Start, _position) { Items = [pid.Node] }, pid.Start));
                    break;
                default:
                    throw Corrupt($"has opcode {Name(op)} at byte {start}, which a torch pickle does not hold");
            }
        }
    }

    private Node Push(Node node, long start)
    {
        _stack.Add((node, start));
        return node;
    }

    private void Leaf(byte op, long start, object? value = null) => Push(new Node(op, start, _position) { Value = value }, start);

    private (Node Node, long Start)[] PopMany(int count)
    {
        int floor = _marks.Count > 0 ? _marks[^1].Depth : 0;
        if (_stack.Count - floor < count) throw Corrupt($"pops an empty stack at byte {_position - 1}");
        var items = _stack.GetRange(_stack.Count - count, count).ToArray();
        _stack.RemoveRange(_stack.Count - count, count);
        return items;
    }

    private ((Node Node, long Start)[] Items, long MarkStart) PopMark()
    {
        if (_marks.Count == 0) throw Corrupt($"has no MARK to pop to at byte {_position - 1}");
        var (depth, start) = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(depth, _stack.Count - depth).ToArray();
        _stack.RemoveRange(depth, _stack.Count - depth);
        return (items, start);
    }

    private void Fetch(long index, long start)
    {
        var node = _memo.GetValueOrDefault(index) ?? throw Corrupt($"reads memo slot {index}, which was never set");
        node.Fetched = true;
        Push(node, start);
    }

    private void Put(long index, long start)
    {
        if (_stack.Count == 0) throw Corrupt($"memoizes an empty stack at byte {start}");
        _memo[index] = _stack[^1].Node;
        MemoPuts.Add(start);
    }

    private ReadOnlySpan<byte> Take(ulong count)
    {
        if (count > (ulong)(_pickle.Length - _position)) throw Corrupt($"ends inside the opcode before byte {_position + (long)Math.Min(count, int.MaxValue)}");
        var bytes = _pickle.AsSpan((int)_position, (int)count);
        _position += (long)count;
        return bytes;
    }

    private string Line()
    {
        int newline = _pickle.AsSpan((int)_position).IndexOf((byte)'\n');
        if (newline < 0) throw Corrupt($"has a GLOBAL name with no end at byte {_position}");
        string text = Encoding.UTF8.GetString(Take((ulong)newline));
        Take(1);
        return text;
    }

    private static long SignedLittleEndian(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0) return 0;
        long value = 0;
        for (int i = bytes.Length - 1; i >= 0; i--) value = (value << 8) | bytes[i];
        int unused = 64 - 8 * bytes.Length;
        return (value << unused) >> unused;
    }

    private static string? Text(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private CheckpointException Corrupt(string what) => new($"{_fileName} is corrupt: its pickle {what}");
}
