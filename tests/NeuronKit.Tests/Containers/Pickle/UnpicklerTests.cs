using System.Numerics;
using NeuronKit.Containers.Pickle;
using NeuronKit.Formats.PyTorch;
using NeuronKit.Tensors;

namespace NeuronKit.Tests.Containers.Pickle;

public class UnpicklerTests
{
    internal static PickleResult Load(PickleBytes pickle, PickleLimits? limits = null)
    {
        var bytes = pickle.ToArray();
        return Unpickler.Load(new MemoryBytes(bytes), 0, bytes.Length, "test.pkl", TorchAllowlist.Instance, limits);
    }

    internal static CheckpointException Refused(PickleBytes pickle, PickleLimits? limits = null) =>
        Assert.Throws<CheckpointException>(() => Load(pickle, limits));

    [Fact]
    public void A_dict_keeps_its_insertion_order_and_plain_values()
    {
        // Given {'b': 1, 'a': [True, None, 2.5, 'x'], 3: -7}
        var pickle = new PickleBytes().Proto().EmptyDict().Mark()
            .Str("b").Int(1)
            .Str("a").EmptyList().Mark().True().None().Float(2.5).Str("x").Appends()
            .Int(3).Int(-7)
            .SetItems().Stop();

        var dict = Assert.IsType<PickleDict>(Load(pickle).Root);

        Assert.Equal(["b", "a", 3L], dict.Entries.Select(e => e.Key));
        Assert.Equal(1L, dict.Entries[0].Value);
        Assert.Equal([true, null, 2.5, "x"], Assert.IsType<PickleList>(dict.Entries[1].Value).Items);
        Assert.Equal(-7L, dict.Entries[2].Value);
    }

    [Fact]
    public void A_pickle_longer_than_the_read_window_reads_whole_values_across_its_edges()
    {
        // Given a list of 4,000 strings of 1 to 97 characters, one of 100,000 in the middle: values straddle every
        // 64 KiB window edge, and one is larger than a window
        var expected = Enumerable.Range(0, 4000).Select(i => i == 2000 ? new string('w', 100_000) : new string((char)('a' + i % 26), 1 + i * 7 % 97)).ToList();
        var pickle = new PickleBytes().Proto().EmptyList().Mark();
        foreach (var s in expected) pickle.Str(s);
        pickle.Appends().Stop();
        Assert.True(pickle.ToArray().Length > 3 * (64 << 10));

        var list = Assert.IsType<PickleList>(Load(pickle).Root);

        Assert.Equal(expected, list.Items);
    }

    [Fact]
    public void Setting_an_existing_key_replaces_its_value_in_place()
    {
        var pickle = new PickleBytes().Proto().EmptyDict().Mark().Str("a").Int(1).Str("b").Int(2).Str("a").Int(3).SetItems().Stop();

        var dict = Assert.IsType<PickleDict>(Load(pickle).Root);

        Assert.Equal([new KeyValuePair<object?, object?>("a", 3L), new("b", 2L)], dict.Entries);
    }

    [Theory]
    [InlineData(new byte[] { 0x8a, 0x00 }, 0L)]
    [InlineData(new byte[] { 0x8a, 0x01, 0xff }, -1L)]
    [InlineData(new byte[] { 0x8a, 0x02, 0x00, 0x80 }, -32768L)]
    [InlineData(new byte[] { 0x8a, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f }, long.MaxValue)]
    public void LONG1_reads_little_endian_twos_complement(byte[] opcode, long expected)
    {
        Assert.Equal(expected, Load(new PickleBytes().Proto().Raw(opcode).Stop()).Root);
    }

    [Fact]
    public void A_LONG1_wider_than_64_bits_is_a_BigInteger()
    {
        // torch's legacy magic number 0x1950a86a20f9469cfc6c
        var root = Load(new PickleBytes().Proto().Raw(0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19).Stop()).Root;

        Assert.Equal(BigInteger.Parse("119547037146038801333356"), root);
    }

    [Fact]
    public void Protocol_2_bytes_come_from_codecs_encode_and_protocol_3_bytes_from_BINBYTES()
    {
        var pickle = new PickleBytes().Proto().Mark()
            .Global("_codecs", "encode").Str("\u00ff\u0001").Str("latin1").Op('\u0086').Reduce()
            .Raw((byte)'C', 2, 7, 8)
            .Tuple().Stop();

        var tuple = Assert.IsType<PickleTuple>(Load(pickle).Root);

        Assert.Equal(new byte[] { 0xff, 0x01 }, tuple[0]);
        Assert.Equal(new byte[] { 7, 8 }, tuple[1]);
    }

    [Fact]
    public void Protocol_4_frames_memoize_and_stack_globals_are_read()
    {
        // FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL as torch.save(..., pickle_protocol=4) writes them
        var body = new PickleBytes().StackGlobal("collections", "OrderedDict").Raw(0x94).EmptyTuple().Reduce().Raw(0x94)
            .Mark().ShortStr("w").Raw(0x94).Raw(0x68, 0x02).SetItems().Stop().ToArray();
        var pickle = new PickleBytes().Proto(4).Raw(0x95).Raw(BitConverter.GetBytes((long)body.Length)).Raw(body);

        var result = Load(pickle);

        var dict = Assert.IsType<PickleDict>(result.Root);
        Assert.Equal("collections.OrderedDict", dict.ClassName);
        Assert.Equal(4, result.Protocol);
        Assert.Equal("w", dict.Entries.Single().Key);
        Assert.Equal("w", dict.Entries.Single().Value);
    }

    [Fact]
    public void Sets_and_frozensets_are_built_from_their_items()
    {
        var pickle = new PickleBytes().Proto().Mark()
            .Global("__builtin__", "set").EmptyList().Mark().Str("x").Appends().Op('\u0085').Reduce()
            .Raw(0x8f).Mark().Int(1).Int(2).Raw(0x90)
            .Mark().Int(3).Raw(0x91)
            .Tuple().Stop();

        var tuple = Assert.IsType<PickleTuple>(Load(pickle).Root);

        Assert.Equal(["x"], Assert.IsType<PickleSet>(tuple[0]).Items);
        Assert.Equal([1L, 2L], Assert.IsType<PickleSet>(tuple[1]).Items);
        Assert.True(Assert.IsType<PickleSet>(tuple[2]).Frozen);
    }

    [Fact]
    public void A_tensor_rebuild_is_recorded_with_its_storage_reference_and_never_called()
    {
        var pickle = new PickleBytes().Proto().Tensor("FloatStorage", "0", 6, [2, 3]).Stop();

        var result = Load(pickle);

        var call = Assert.IsType<PickleCall>(result.Root);
        Assert.Equal("torch._utils._rebuild_tensor_v2", call.Callable.FullName);
        var storage = Assert.IsType<PickleStorageRef>(call.Args[0]);
        Assert.Equal(("torch.FloatStorage", "0", "cpu", 6L), (storage.StorageType.FullName, storage.Key, storage.Location, storage.Numel));
        Assert.Same(storage, Assert.Single(result.Storages));
    }

    [Fact]
    public void A_pickled_module_becomes_an_inert_placeholder_with_its_state()
    {
        // Given torch.save(model): NEWOBJ of the class, then BUILD with its __dict__
        var pickle = new PickleBytes().Proto().Global("__main__", "Net").EmptyTuple().NewObj()
            .EmptyDict().Str("training").True().SetItem().Build().Stop();

        var module = Assert.IsType<PickleObject>(Load(pickle).Root);

        Assert.Equal("__main__.Net", module.Class.FullName);
        Assert.Equal(true, Assert.IsType<PickleDict>(module.State).Entries.Single().Value);
    }

    [Fact]
    public void Copyreg_reconstructor_of_a_class_and_object_builds_a_placeholder_too()
    {
        var pickle = new PickleBytes().Proto().Global("copy_reg", "_reconstructor")
            .Mark().Global("__main__", "Net").Global("__builtin__", "object").None().Tuple().Reduce()
            .EmptyDict().Build().Stop();

        var module = Assert.IsType<PickleObject>(Load(pickle).Root);

        Assert.Equal("__main__.Net", module.Class.FullName);
    }

    [Fact]
    public void Memo_references_share_one_object()
    {
        var pickle = new PickleBytes().Proto().Mark().EmptyList().Put(0).Get(0).Tuple().Stop();

        var tuple = Assert.IsType<PickleTuple>(Load(pickle).Root);

        Assert.Same(tuple[0], tuple[1]);
    }

    [Fact]
    public void Parsing_stops_at_STOP_and_reports_where_the_next_pickle_starts()
    {
        var bytes = new PickleBytes().Proto().Int(1).Stop().Proto().Int(2).Stop().ToArray();

        var first = Unpickler.Load(new MemoryBytes(bytes), 0, bytes.Length, "t", PickleAllowlist.Python);
        var second = Unpickler.Load(new MemoryBytes(bytes), first.End, bytes.Length, "t", PickleAllowlist.Python);

        Assert.Equal((1L, 2L), (first.Root, second.Root));
        Assert.Equal(bytes.Length, second.End);
    }

    [Fact]
    public void A_dict_subclass_keeps_its_items_in_its_placeholder()
    {
        // Given Lightning's AttributeDict(lr=0.1, sizes=[1, 2]), pickled as a dict subclass is: NEWOBJ, then SETITEMS
        var pickle = new PickleBytes().Proto().Global("lightning.fabric.utilities.data", "AttributeDict").EmptyTuple().NewObj()
            .Mark().Str("lr").Float(0.1).Str("sizes").EmptyList().Mark().Int(1).Int(2).Appends().SetItems().Stop();

        var placeholder = Assert.IsType<PickleObject>(Load(pickle).Root);

        Assert.Equal("lightning.fabric.utilities.data.AttributeDict", placeholder.Class.FullName);
        Assert.Equal(["lr", "sizes"], placeholder.Items!.Entries.Select(e => e.Key));
        Assert.Equal(0.1, placeholder.Items.Entries[0].Value);
        Assert.Equal(2, placeholder.Depth);
        Assert.Null(placeholder.Elements);
    }

    [Fact]
    public void A_list_subclass_keeps_its_items_in_its_placeholder()
    {
        var pickle = new PickleBytes().Proto().Global("mylib", "TensorList").EmptyTuple().NewObj()
            .Mark().Int(1).Str("x").Appends().Int(3).Append().Stop();

        var placeholder = Assert.IsType<PickleObject>(Load(pickle).Root);

        Assert.Equal([1L, "x", 3L], placeholder.Elements!.Items);
        Assert.Null(placeholder.Items);
    }

    [Theory]
    [InlineData("PosixPath", new[] { "/", "data", "mnist" }, "/data/mnist")]
    [InlineData("PurePosixPath", new[] { "runs", "v1" }, "runs/v1")]
    [InlineData("WindowsPath", new[] { "C:\\", "data" }, "C:\\data")]
    public void A_path_is_its_parts_joined(string type, string[] parts, string path)
    {
        // Given pathlib's reduction of a path: (cls, parts)
        var pickle = new PickleBytes().Proto().Global("pathlib", type).Mark();
        foreach (string part in parts) pickle.Str(part);

        Assert.Equal(path, Load(pickle.Tuple().Reduce().Stop()).Root);
    }

    [Theory]
    [InlineData("numpy.core.multiarray")]
    [InlineData("numpy._core.multiarray")]
    public void A_numpy_scalar_or_array_is_an_inert_placeholder_that_takes_its_state(string module)
    {
        // Given np.float64(0.25) as protocol 2 pickles it, scalar(dtype('f8', False, True) with its state, bytes), and an
        // array: _reconstruct(ndarray, (0,), b'b') then BUILD of its (version, shape, dtype, fortran, data)
        var scalar = new PickleBytes().Proto().Global(module, "scalar")
            .Global("numpy", "dtype").Str("f8").False().True().Op('\u0087').Reduce()
            .Mark().Int(3).Str("<").None().None().None().Int(-1).Int(-1).Int(0).Tuple().Build()
            .Str("\0\0\0\0\0\0\u00d0?").Op('\u0086').Reduce().Stop();
        var array = new PickleBytes().Proto().Global(module, "_reconstruct").Global("numpy", "ndarray").Int(0).Op('\u0085').Str("b").Op('\u0087').Reduce()
            .Mark().Int(1).Int(4).Op('\u0085').Global("numpy", "dtype").Str("f4").False().True().Op('\u0087').Reduce().False().Str("0123456789abcdef").Tuple().Build().Stop();

        var value = Assert.IsType<PickleObject>(Load(scalar).Root);
        var rebuilt = Assert.IsType<PickleObject>(Load(array).Root);

        Assert.Equal($"{module}.scalar", value.Class.FullName);
        Assert.Equal("numpy.dtype", Assert.IsType<PickleObject>(value.Args[0]).Class.FullName);
        Assert.Equal($"{module}._reconstruct", rebuilt.Class.FullName);
        Assert.Equal(5, Assert.IsType<PickleTuple>(rebuilt.State).Count);
    }
}
