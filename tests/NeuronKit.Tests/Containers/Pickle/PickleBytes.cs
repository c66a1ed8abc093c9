using System.Buffers.Binary;
using System.Text;

namespace NeuronKit.Tests.Containers.Pickle;

/// <summary>Writes pickle opcodes by hand, so tests state exactly the bytes a hostile file would hold.</summary>
internal sealed class PickleBytes
{
    private readonly List<byte> _bytes = [];

    public PickleBytes Op(char opcode) => Raw((byte)opcode);
    public PickleBytes Raw(params byte[] bytes) { _bytes.AddRange(bytes); return this; }
    public PickleBytes Proto(int version = 2) => Raw(0x80, (byte)version);
    public PickleBytes Global(string module, string name) => Op('c').Raw(Encoding.UTF8.GetBytes($"{module}\n{name}\n"));
    public PickleBytes StackGlobal(string module, string name) => ShortStr(module).ShortStr(name).Raw(0x93);
    public PickleBytes Mark() => Op('(');
    public PickleBytes Tuple() => Op('t');
    public PickleBytes EmptyTuple() => Op(')');
    public PickleBytes EmptyList() => Op(']');
    public PickleBytes Tuple2() => Raw(0x86);
    public PickleBytes EmptyDict() => Op('}');
    public PickleBytes Str(string s)
    {
        var utf8 = Encoding.UTF8.GetBytes(s);
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)utf8.Length);
        return Op('X').Raw(length).Raw(utf8);
    }
    public PickleBytes ShortStr(string s)
    {
        var utf8 = Encoding.UTF8.GetBytes(s);
        return Raw(0x8c, (byte)utf8.Length).Raw(utf8);
    }
    public PickleBytes Int(int value)
    {
        if (value is >= 0 and < 256) return Op('K').Raw((byte)value);
        var b = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        return Op('J').Raw(b);
    }
    public PickleBytes Float(double value)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(b, value);
        return Op('G').Raw(b);
    }
    public PickleBytes None() => Op('N');
    public PickleBytes True() => Raw(0x88);
    public PickleBytes False() => Raw(0x89);
    public PickleBytes Put(int slot) => Op('q').Raw((byte)slot);
    public PickleBytes Get(int slot) => Op('h').Raw((byte)slot);
    public PickleBytes Reduce() => Op('R');
    public PickleBytes Build() => Op('b');
    public PickleBytes NewObj() => Raw(0x81);
    public PickleBytes SetItem() => Op('s');
    public PickleBytes SetItems() => Op('u');
    public PickleBytes Append() => Op('a');
    public PickleBytes Appends() => Op('e');
    public PickleBytes PersId() => Op('Q');
    public PickleBytes Stop() => Op('.');

    /// <summary>The persistent id torch writes for a storage: ('storage', torch.&lt;type&gt;, key, 'cpu', numel).</summary>
    public PickleBytes Storage(string type, string key, int numel) =>
        Mark().Str("storage").Global("torch", type).Str(key).Str("cpu").Int(numel).Tuple().PersId();

    /// <summary><c>_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())</c> of a contiguous tensor.</summary>
    public PickleBytes Tensor(string type, string key, int numel, int[] shape, int offset = 0, int[]? strides = null)
    {
        strides ??= Contiguous(shape);
        Global("torch._utils", "_rebuild_tensor_v2").Mark().Storage(type, key, numel).Int(offset);
        Mark(); foreach (var d in shape) Int(d); Tuple();
        Mark(); foreach (var s in strides) Int(s); Tuple();
        return False().Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce();
    }

    /// <summary>
    /// <c>_rebuild_qtensor(storage, offset, size, stride, quantizer_params, False, OrderedDict())</c>, the parameters'
    /// tuple written by <paramref name="qparams"/>.
    /// </summary>
    public PickleBytes QTensor(string type, string key, int numel, int[] shape, Action<PickleBytes> qparams, int[]? strides = null)
    {
        strides ??= Contiguous(shape);
        Global("torch._utils", "_rebuild_qtensor").Mark().Storage(type, key, numel).Int(0);
        Mark(); foreach (var d in shape) Int(d); Tuple();
        Mark(); foreach (var s in strides) Int(s); Tuple();
        Mark(); qparams(this); Tuple();
        return False().Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce();
    }

    public byte[] ToArray() => [.. _bytes];

    private static int[] Contiguous(int[] shape)
    {
        var strides = new int[shape.Length];
        int step = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { strides[i] = step; step *= Math.Max(shape[i], 1); }
        return strides;
    }
}
