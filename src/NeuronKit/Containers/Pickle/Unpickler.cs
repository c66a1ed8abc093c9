using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using NeuronKit.Tensors;
using static NeuronKit.Containers.Pickle.PickleOpcodes;

namespace NeuronKit.Containers.Pickle;

/// <summary>
/// A pickle machine that builds an inert object model and never calls anything, mirroring PyTorch's weights_only
/// unpickler (torch/_weights_only_unpickler.py): the protocol 2 opcodes plus the pure-data protocol 3–4 ones, every
/// global judged by a <see cref="PickleAllowlist"/>, every count capped by <see cref="PickleLimits"/>. Iterative, so
/// no input can overflow the call stack.
/// </summary>
public sealed partial class Unpickler
{
    private const int MaxLineLength = 1024;
    private const int WindowSize = 64 << 10;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ByteSource _source;
    private readonly long _end;
    private readonly string _fileName;
    private readonly PickleAllowlist _allowlist;
    private readonly PickleLimits _limits;
    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<long, object?> _memo = [];
    private readonly List<PickleStorageRef> _storages = [];
    private long _position;
    // The pickle is read a window at a time: one read per 64 KiB, not a mapped span (and its size check) per opcode.
    private readonly byte[] _window = new byte[WindowSize];
    private long _windowStart;
    private int _windowLength;
    private long _opcodeStart;
    private int _protocol;

    private Unpickler(ByteSource source, long offset, long end, string fileName, PickleAllowlist allowlist, PickleLimits limits)
    {
        _source = source;
        _position = offset;
        _end = end;
        _fileName = fileName;
        _allowlist = allowlist;
        _limits = limits;
    }

    /// <summary>
    /// Unpickles the pickle starting at <paramref name="offset"/> and ending at its STOP, at or before
    /// <paramref name="end"/>. Throws <see cref="CheckpointException"/> naming <paramref name="fileName"/> for
    /// malformed input, refused globals or opcodes, and exceeded limits.
    /// </summary>
    public static PickleResult Load(ByteSource source, long offset, long end, string fileName, PickleAllowlist allowlist,
        PickleLimits? limits = null)
    {
        if (offset < 0 || end > source.Length || offset > end)
            throw new ArgumentOutOfRangeException(nameof(offset), $"pickle range {offset}..{end} is outside 0..{source.Length}");
        var machine = new Unpickler(source, offset, end, fileName, allowlist, limits ?? PickleLimits.Default);
        object? root = machine.Run();
        return new PickleResult(root, machine._position, machine._protocol, machine._storages);
    }

    private object? Run()
    {
        long opcodes = 0;
        while (true)
        {
            if (++opcodes > _limits.MaxOpcodes)
                throw Limit($"runs more than {_limits.MaxOpcodes:N0} opcodes");
            _opcodeStart = _position;
            if (_position >= _end) throw Corrupt("ends without a STOP opcode");
            byte op = ReadByte();
            switch (op)
            {
                case Proto:
                    _protocol = ReadByte();
                    if (_protocol > 5) throw Corrupt($"declares protocol {_protocol}; the highest is 5");
                    break;
                case Frame:
                    ulong frame = BinaryPrimitives.ReadUInt64LittleEndian(Read(8));
                    if (frame > (ulong)(_end - _position)) throw Corrupt($"has a FRAME of {frame} bytes but {_end - _position} remain");
                    break;
                case Stop:
                    if (_marks.Count != 0 || _stack.Count != 1)
                        throw Corrupt($"stops with {_stack.Count} values and {_marks.Count} open MARKs; expected one value");
                    return _stack[0];
                case Mark:
                    if (_marks.Count >= _limits.MaxDepth) throw Limit($"opens more than {_limits.MaxDepth} MARKs");
                    _marks.Add(_stack.Count);
                    break;
                case EmptyTuple: Push(new PickleTuple([])); break;
                case PickleOpcodes.Tuple: Push(MakeTuple(PopMark())); break;
                case Tuple1: Push(MakeTuple(PopMany(1))); break;
                case Tuple2: Push(MakeTuple(PopMany(2))); break;
                case Tuple3: Push(MakeTuple(PopMany(3))); break;
                case EmptyList: Push(new PickleList()); break;
                case EmptyDict: Push(new PickleDict()); break;
                case EmptySet: Push(new PickleSet(frozen: false)); break;
                case Append: AddToList([Pop()]); break;
                case Appends: AddToList(PopMark()); break;
                case SetItem: SetItemsOf(PopMany(2)); break;
                case SetItems: SetItemsOf(PopMark()); break;
                case AddItems: AddToSet(PopMark()); break;
                case FrozenSet:
                    var frozen = new PickleSet(frozen: true);
                    foreach (var item in PopMark()) AddChild(frozen, frozen.Items, item);
                    Push(frozen);
                    break;
                case None: Push(null); break;
                case NewTrue: Push(true); break;
                case NewFalse: Push(false); break;
                case BinInt: Push((long)BinaryPrimitives.ReadInt32LittleEndian(Read(4))); break;
                case BinInt1: Push((long)ReadByte()); break;
                case BinInt2: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Read(2))); break;
                case Long1: Push(ReadLong(ReadByte())); break;
                case BinFloat: Push(BinaryPrimitives.ReadDoubleBigEndian(Read(8))); break;
                case ShortBinUnicode: Push(ReadString(ReadByte())); break;
                case BinUnicode: Push(ReadString(BinaryPrimitives.ReadUInt32LittleEndian(Read(4)))); break;
                case BinUnicode8: Push(ReadString(BinaryPrimitives.ReadUInt64LittleEndian(Read(8)))); break;
                case ShortBinString: Push(ReadString(ReadByte())); break;
                case ShortBinBytes: Push(ReadBytes(ReadByte())); break;
                case BinBytes: Push(ReadBytes(BinaryPrimitives.ReadUInt32LittleEndian(Read(4)))); break;
                case BinBytes8: Push(ReadBytes(BinaryPrimitives.ReadUInt64LittleEndian(Read(8)))); break;
                case BinGet: Push(MemoGet(ReadByte())); break;
                case LongBinGet: Push(MemoGet(BinaryPrimitives.ReadUInt32LittleEndian(Read(4)))); break;
                case BinPut: MemoPut(ReadByte()); break;
                case LongBinPut: MemoPut(BinaryPrimitives.ReadUInt32LittleEndian(Read(4))); break;
                case Memoize: MemoPut(_memo.Count); break;
                case Global:
                    string module = ReadLine();
                    Push(ResolveGlobal(module, ReadLine()));
                    break;
                case StackGlobal:
                    var names = PopMany(2);
                    if (names[0] is not string m || names[1] is not string n)
                        throw Corrupt($"has a STACK_GLOBAL of {Describe(names[0])} and {Describe(names[1])}; expected two strings");
                    Push(ResolveGlobal(m, n));
                    break;
                case Reduce:
                    var call = PopMany(2);
                    Push(Call(call[0], AsArgs(call[1], "REDUCE")));
                    break;
                case NewObj:
                    var newObj = PopMany(2);
                    Push(Construct(newObj[0], AsArgs(newObj[1], "NEWOBJ"), kwargs: null));
                    break;
                case NewObjEx:
                    var newObjEx = PopMany(3);
                    Push(Construct(newObjEx[0], AsArgs(newObjEx[1], "NEWOBJ_EX"),
                        newObjEx[2] as PickleDict ?? throw Corrupt($"has NEWOBJ_EX keyword arguments that are {Describe(newObjEx[2])}")));
                    break;
                case Build:
                    object? state = Pop();
                    SetState(Peek(), state);
                    break;
                case BinPersId:
                    Push(PersistentLoad(Pop()));
                    break;
                default:
                    if (!IsOpcode(op)) throw Corrupt($"has byte 0x{op:x2}, which is not a pickle opcode");
                    throw new CheckpointException($"{_fileName} uses pickle opcode {Name(op)} at byte {_opcodeStart}, " +
                        "which NeuronKit does not accept; refused, nothing was run",
                        ["only the opcodes torch.save writes (protocols 2 to 4) are read, as torch.load(weights_only=True) does"]);
            }
        }
    }

    private void Push(object? value)
    {
        if (_stack.Count >= _limits.MaxStack) throw Limit($"holds more than {_limits.MaxStack:N0} values on its stack");
        _stack.Add(value);
    }

    private int Floor => _marks.Count > 0 ? _marks[^1] : 0;

    private object? Pop()
    {
        if (_stack.Count <= Floor) throw Corrupt("pops an empty stack");
        object? value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object? Peek() => _stack.Count > Floor ? _stack[^1] : throw Corrupt("reads an empty stack");

    private object?[] PopMany(int count)
    {
        if (_stack.Count - Floor < count) throw Corrupt($"needs {count} values but the stack holds {_stack.Count - Floor}");
        var items = _stack.GetRange(_stack.Count - count, count).ToArray();
        _stack.RemoveRange(_stack.Count - count, count);
        return items;
    }

    private object?[] PopMark()
    {
        if (_marks.Count == 0) throw Corrupt("has no MARK to pop to");
        int mark = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(mark, _stack.Count - mark).ToArray();
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private PickleTuple MakeTuple(object?[] items)
    {
        var tuple = new PickleTuple(items);
        foreach (var item in items) Deepen(tuple, item);
        return tuple;
    }

    private void AddToList(object?[] items)
    {
        // A list subclass's placeholder (only constructed) keeps its items as a list of its own.
        var list = Peek() switch
        {
            PickleList plain => plain,
            PickleObject o => o.Elements ??= new PickleList(),
            var other => throw Refused($"appends to {Describe(other)}; only lists take APPEND"),
        };
        foreach (var item in items) AddChild(list, list.Items, item);
        if (Peek() is PickleObject owner) Deepen(owner, list);
    }

    private void AddToSet(object?[] items)
    {
        if (Peek() is not PickleSet { Frozen: false } set) throw Refused($"adds items to {Describe(Peek())}; only sets take ADDITEMS");
        foreach (var item in items) AddChild(set, set.Items, item);
    }

    private void SetItemsOf(object?[] items)
    {
        // A dict subclass's placeholder (only constructed) keeps its entries as a dict of its own.
        var dict = Peek() switch
        {
            PickleDict plain => plain,
            PickleObject o => o.Items ??= new PickleDict(o.Class.FullName),
            var other => throw Refused($"sets items of {Describe(other)}; only dicts take SETITEM"),
        };
        if (items.Length % 2 != 0) throw Corrupt($"has SETITEMS with an odd number ({items.Length}) of keys and values");
        for (int i = 0; i < items.Length; i += 2)
        {
            Deepen(dict, items[i]);
            Deepen(dict, items[i + 1]);
            dict.Set(items[i], items[i + 1]);
        }
        if (Peek() is PickleObject owner) Deepen(owner, dict);
    }

    private void AddChild(PickleContainer parent, List<object?> items, object? child)
    {
        Deepen(parent, child);
        items.Add(child);
    }

    private void Deepen(PickleContainer parent, object? child)
    {
        if (child is not PickleContainer c || c.Depth < parent.Depth) return;
        parent.Depth = c.Depth + 1;
        if (parent.Depth > _limits.MaxDepth) throw Limit($"nests containers more than {_limits.MaxDepth} deep");
    }

    private object? MemoGet(long index) =>
        _memo.TryGetValue(index, out var value) ? value : throw Corrupt($"reads memo slot {index}, which was never set");

    private void MemoPut(long index)
    {
        if (!_memo.ContainsKey(index) && _memo.Count >= _limits.MaxMemo)
            throw Limit($"memoizes more than {_limits.MaxMemo:N0} values");
        _memo[index] = Peek();
    }

    private byte ReadByte() => Read(1)[0];

    private ReadOnlySpan<byte> Read(long count)
    {
        if (count > _end - _position)
            throw new CheckpointException($"{_fileName} is corrupt: its pickle ends at byte {_end} inside the opcode at byte " +
                $"{_opcodeStart}, which needs {count} more bytes");
        var bytes = Ahead((int)count);
        _position += count;
        return bytes;
    }

    // The count bytes at the position, which the caller has checked lie before the end; not consumed.
    private ReadOnlySpan<byte> Ahead(int count)
    {
        if (count > WindowSize) return _source.Span(_position, count);
        if (_position < _windowStart || _position + count > _windowStart + _windowLength)
        {
            _windowStart = _position;
            _windowLength = (int)Math.Min(WindowSize, _end - _position);
            _source.Read(_windowStart, _window.AsSpan(0, _windowLength));
        }
        return _window.AsSpan((int)(_position - _windowStart), count);
    }

    private object ReadLong(int length)
    {
        var bytes = Read(length);
        if (length <= 8)
        {
            long value = 0;
            for (int i = length - 1; i >= 0; i--) value = (value << 8) | bytes[i];
            int unused = 64 - 8 * length;
            return length == 0 ? 0L : (value << unused) >> unused;
        }
        var big = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return big >= long.MinValue && big <= long.MaxValue ? (long)big : big;
    }

    private string ReadString(ulong length)
    {
        if (length > (ulong)(_end - _position) || length > int.MaxValue)
            throw Corrupt($"has a string of {length} bytes but {_end - _position} remain");
        var bytes = Read((long)length);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Corrupt("has a string that is not UTF-8");
        }
    }

    private byte[] ReadBytes(ulong length)
    {
        if (length > (ulong)(_end - _position) || length > int.MaxValue)
            throw Corrupt($"has bytes of length {length} but {_end - _position} remain");
        return Read((long)length).ToArray();
    }

    // GLOBAL's operands are two newline-ended lines; control characters could make one name look like another.
    private string ReadLine()
    {
        long available = Math.Min(_end - _position, MaxLineLength + 1);
        var window = Ahead((int)available);
        int newline = window.IndexOf((byte)'\n');
        if (newline < 0) throw Corrupt($"has a GLOBAL name with no end within {MaxLineLength} bytes");
        var line = window[..newline];
        _position += newline + 1;
        string text;
        try
        {
            text = StrictUtf8.GetString(line);
        }
        catch (DecoderFallbackException)
        {
            throw Corrupt("has a GLOBAL name that is not UTF-8");
        }
        if (text.Length == 0 || text.Any(char.IsControl) || text.Contains(' '))
            throw Corrupt($"has a malformed GLOBAL name '{text.Replace("\0", "\\0").Replace("\r", "\\r")}'");
        return text;
    }

    private static string Describe(object? value) => value switch
    {
        null => "None",
        string s => $"the string '{(s.Length > 40 ? s[..40] + "…" : s)}'",
        long or BigInteger => $"the int {value}",
        bool b => b ? "True" : "False",
        double d => $"the float {d}",
        byte[] b => $"{b.Length} bytes",
        PickleTuple t => $"a tuple of {t.Count}",
        PickleList => "a list",
        PickleDict d => d.ClassName == "builtins.dict" ? "a dict" : $"a {d.ClassName}",
        PickleSet => "a set",
        PickleGlobal g => g.FullName,
        PickleCall c => $"the result of {c.Callable.FullName}",
        PickleObject o => $"a {o.Class.FullName} object",
        PickleStorageRef => "a storage",
        _ => value.GetType().Name,
    };

    private CheckpointException Corrupt(string what) =>
        new($"{_fileName} is corrupt: its pickle {what} (at byte {_opcodeStart})");

    private CheckpointException Refused(string what) =>
        new($"{_fileName} is refused: its pickle {what} (at byte {_opcodeStart}); nothing was run");

    private CheckpointException Limit(string what) =>
        new($"{_fileName} is refused: its pickle {what} (at byte {_opcodeStart})",
            ["the limit protects against pickles built to exhaust memory or time"]);
}
