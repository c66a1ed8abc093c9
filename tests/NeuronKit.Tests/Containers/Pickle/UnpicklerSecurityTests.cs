using NeuronKit.Containers.Pickle;
using static NeuronKit.Tests.Containers.Pickle.UnpicklerTests;

namespace NeuronKit.Tests.Containers.Pickle;

public class UnpicklerSecurityTests
{
    private static PickleBytes CallWithString(string module, string name, string argument) =>
        new PickleBytes().Proto().Global(module, name).Str(argument).Op('\u0085').Reduce().Stop();

    [Theory]
    [InlineData("posix", "system")]
    [InlineData("os", "system")]
    [InlineData("nt", "system")]
    [InlineData("subprocess", "check_output")]
    [InlineData("builtins", "exec")]
    [InlineData("__builtin__", "eval")]
    [InlineData("builtins", "getattr")]
    [InlineData("builtins", "__import__")]
    [InlineData("runpy", "_run_code")]
    [InlineData("pickle", "loads")]
    [InlineData("importlib", "import_module")]
    [InlineData("shutil", "rmtree")]
    [InlineData("socket", "create_connection")]
    [InlineData("functools", "partial")]
    [InlineData("torch.serialization", "load")]
    [InlineData("__main__", "Evil")]
    public void A_call_of_a_global_outside_the_allowlist_is_refused_by_its_name_as_written(string module, string name)
    {
        var e = Refused(CallWithString(module, name, "touch /tmp/neuronkit-pickle-was-run"));

        Assert.Equal($"test.pkl calls {module}.{name} while unpickling; refused, nothing was run", e.Message);
        Assert.Contains(e.Hints, h => h.Contains("at byte"));
    }

    [Fact]
    public void A_refused_global_names_the_byte_where_it_acts()
    {
        var e = Refused(CallWithString("__main__", "Evil", "x"));

        // PROTO (2 bytes) + GLOBAL (1 + 14) + BINUNICODE (5 + 1) + TUPLE1 (1): REDUCE is byte 24
        Assert.StartsWith("REDUCE would call it at byte 24", e.Hints[0]);
    }

    [Fact]
    public void STACK_GLOBAL_is_judged_like_GLOBAL()
    {
        var e = Refused(new PickleBytes().Proto(4).StackGlobal("posix", "system").Str("id").Op('\u0085').Reduce().Stop());

        Assert.StartsWith("test.pkl calls posix.system while unpickling", e.Message);
    }

    [Theory]
    [InlineData("os", "_wrap_close")]
    [InlineData("builtins", "object")]
    [InlineData("subprocess", "Popen")]
    public void Classes_from_refused_modules_are_never_placeholders(string module, string name)
    {
        var e = Refused(new PickleBytes().Proto().Global(module, name).EmptyTuple().NewObj().Stop());

        Assert.Contains($"{module}.{name}", e.Message);
    }

    [Fact]
    public void A_reconstructor_that_is_not_plain_object_construction_is_refused()
    {
        var e = Refused(new PickleBytes().Proto().Global("copy_reg", "_reconstructor")
            .Mark().Global("__main__", "Net").Global("__builtin__", "object").Str("state").Tuple().Reduce().Stop());

        Assert.StartsWith("test.pkl calls copy_reg._reconstructor while unpickling", e.Message);
    }

    [Fact]
    public void Calling_a_placeholder_is_refused()
    {
        var e = Refused(new PickleBytes().Proto().Global("__main__", "Net").EmptyTuple().NewObj().EmptyTuple().Reduce().Stop());

        Assert.StartsWith("test.pkl calls a __main__.Net object while unpickling; refused, nothing was run", e.Message);
    }

    [Theory]
    [InlineData((byte)'i', "INST")]
    [InlineData((byte)'o', "OBJ")]
    [InlineData(0x82, "EXT1")]
    [InlineData((byte)'P', "PERSID")]
    [InlineData(0x8b, "LONG4")]
    [InlineData((byte)'2', "DUP")]
    [InlineData(0x97, "NEXT_BUFFER")]
    public void Opcodes_outside_the_accepted_set_are_refused_by_name(byte opcode, string name)
    {
        var e = Refused(new PickleBytes().Proto().Raw(opcode).Stop());

        Assert.Equal($"test.pkl uses pickle opcode {name} at byte 2, which NeuronKit does not accept; refused, nothing was run", e.Message);
    }

    [Fact]
    public void A_byte_that_is_no_opcode_is_corruption()
    {
        var e = Refused(new PickleBytes().Proto().Raw(0xff).Stop());

        Assert.Equal("test.pkl is corrupt: its pickle has byte 0xff, which is not a pickle opcode (at byte 2)", e.Message);
    }

    [Fact]
    public void A_protocol_above_5_is_refused()
    {
        Assert.Contains("protocol 6", Refused(new PickleBytes().Proto(6).None().Stop()).Message);
    }

    [Fact]
    public void SETITEM_on_anything_but_a_dict_is_refused()
    {
        // CVE-2026-24747 wrote through SETITEMS on a tensor
        var e = Refused(new PickleBytes().Proto().Tensor("FloatStorage", "0", 1, [1]).Int(0).Int(1).SetItem().Stop());

        Assert.Contains("sets items of the result of torch._utils._rebuild_tensor_v2", e.Message);
    }

    [Theory]
    [InlineData("builtins", "str")]
    [InlineData("__builtin__", "long")]
    [InlineData("builtins", "dict")]
    public void A_builtin_type_is_a_value_never_a_call(string module, string name)
    {
        var e = Refused(CallWithString(module, name, "x"));

        Assert.Equal($"test.pkl calls {module}.{name} while unpickling; refused, nothing was run", e.Message);
        Assert.IsType<PickleGlobal>(Load(new PickleBytes().Proto().Global(module, name).Stop()).Root);
    }

    [Fact]
    public void A_numpy_placeholder_is_never_called()
    {
        var e = Refused(new PickleBytes().Proto().Global("numpy", "dtype").Str("f8").Op('\u0085').Reduce().Str("x").Op('\u0085').Reduce().Stop());

        Assert.StartsWith("test.pkl calls a numpy.dtype object while unpickling; refused, nothing was run", e.Message);
    }

    [Fact]
    public void A_defaultdict_takes_only_a_type_as_its_factory()
    {
        var empty = Load(new PickleBytes().Proto().Global("collections", "defaultdict").Global("__builtin__", "dict").Op('\u0085').Reduce().Stop());
        var e = Refused(new PickleBytes().Proto().Global("collections", "defaultdict").Str("x").Op('\u0085').Reduce().Stop());

        Assert.Empty(Assert.IsType<PickleDict>(empty.Root).Entries);
        Assert.StartsWith("test.pkl calls collections.defaultdict while unpickling", e.Message);
    }

    [Fact]
    public void A_path_of_anything_but_strings_is_refused()
    {
        var e = Refused(new PickleBytes().Proto().Global("pathlib", "PosixPath").Mark().Str("/")
            .Global("__main__", "Net").EmptyTuple().NewObj().Tuple().Reduce().Stop());

        Assert.StartsWith("test.pkl calls pathlib.PosixPath while unpickling; refused, nothing was run", e.Message);
    }

    [Fact]
    public void An_enum_member_by_getattr_is_refused_saying_what_it_likely_is()
    {
        var e = Refused(new PickleBytes().Proto().Global("builtins", "getattr").Global("__main__", "Mode").Str("TRAIN").Tuple2().Reduce().Stop());

        Assert.Contains(e.Hints, h => h.StartsWith("Python 3.11 and later pickle an enum member as getattr(its class, its name)", StringComparison.Ordinal));
    }

    [Fact]
    public void APPEND_on_anything_but_a_list_is_refused()
    {
        Assert.Contains("appends to a dict", Refused(new PickleBytes().Proto().EmptyDict().Int(1).Append().Stop()).Message);
    }

    [Fact]
    public void BUILD_on_a_plain_list_is_refused()
    {
        Assert.Contains("sets the state of a list", Refused(new PickleBytes().Proto().EmptyList().EmptyDict().Build().Stop()).Message);
    }

    [Theory]
    [InlineData("module")]
    [InlineData("storage")]
    public void A_persistent_id_that_is_not_a_storage_reference_is_refused(string tag)
    {
        // ('storage', 'not a global', '0', 'cpu', 1) and ('module', 1, 2, 3)
        var pickle = new PickleBytes().Proto().Mark().Str(tag).Str("FloatStorage").Str("0").Str("cpu").Int(1).Tuple().PersId().Stop();

        Assert.Contains("that is not a storage reference", Refused(pickle).Message);
    }

    [Fact]
    public void A_legacy_storage_view_is_refused_and_a_None_view_accepted()
    {
        var none = new PickleBytes().Proto().Mark().Str("storage").Global("torch", "FloatStorage").Str("0").Str("cpu").Int(1).None().Tuple().PersId().Stop();
        var view = new PickleBytes().Proto().Mark().Str("storage").Global("torch", "FloatStorage").Str("0").Str("cpu").Int(1)
            .Mark().Str("1").Int(0).Int(1).Tuple().Tuple().PersId().Stop();

        Assert.IsType<PickleStorageRef>(Load(none).Root);
        Assert.Contains("legacy storage view", Refused(view).Message);
    }

    [Fact]
    public void The_opcode_count_is_capped()
    {
        var pickle = new PickleBytes().Proto().EmptyList();
        for (int i = 0; i < 100; i++) pickle.Int(i).Append();

        var e = Refused(pickle.Stop(), new PickleLimits { MaxOpcodes = 50 });

        Assert.Contains("runs more than 50 opcodes", e.Message);
    }

    [Fact]
    public void The_memo_is_capped()
    {
        var pickle = new PickleBytes().Proto().None();
        for (int i = 0; i < 20; i++) pickle.Put(i);

        Assert.Contains("memoizes more than 10 values", Refused(pickle.Stop(), new PickleLimits { MaxMemo = 10 }).Message);
    }

    [Fact]
    public void The_stack_is_capped()
    {
        var pickle = new PickleBytes().Proto().Mark();
        for (int i = 0; i < 20; i++) pickle.None();

        Assert.Contains("more than 10 values on its stack", Refused(pickle.Tuple().Stop(), new PickleLimits { MaxStack = 10 }).Message);
    }

    [Fact]
    public void Open_marks_are_capped()
    {
        var pickle = new PickleBytes().Proto();
        for (int i = 0; i < 20; i++) pickle.Mark();

        Assert.Contains("opens more than 10 MARKs", Refused(pickle.Stop(), new PickleLimits { MaxDepth = 10 }).Message);
    }

    [Fact]
    public void Nesting_without_marks_is_capped_too()
    {
        // ((((…),),),) built by TUPLE1 over and over: no MARK, no recursion, still bounded
        var deep = new PickleBytes().Proto().EmptyList();
        for (int i = 0; i < 2_000; i++) deep.Op('\u0085');

        Assert.Contains("nests containers more than 1000 deep", Refused(deep.Stop()).Message);
    }

    [Fact]
    public void A_string_longer_than_the_bytes_left_is_refused_before_allocating()
    {
        var pickle = new PickleBytes().Proto().Op('X').Raw(0xff, 0xff, 0xff, 0x7f).Raw((byte)'a');

        Assert.Contains("has a string of 2147483647 bytes but 1 remain", Refused(pickle).Message);
    }

    [Fact]
    public void Reading_an_unset_memo_slot_is_corruption()
    {
        Assert.Contains("reads memo slot 7, which was never set", Refused(new PickleBytes().Proto().Get(7).Stop()).Message);
    }

    [Fact]
    public void A_pickle_without_STOP_is_corruption()
    {
        Assert.Contains("ends without a STOP opcode", Refused(new PickleBytes().Proto().None()).Message);
    }

    [Fact]
    public void Values_left_on_the_stack_at_STOP_are_corruption()
    {
        Assert.Contains("stops with 2 values", Refused(new PickleBytes().Proto().None().None().Stop()).Message);
    }

    [Fact]
    public void Popping_below_a_mark_is_corruption()
    {
        Assert.Contains("needs 2 values but the stack holds 1", Refused(new PickleBytes().Proto().Int(1).Mark().Int(2).Op('\u0086').Stop()).Message);
    }

    [Theory]
    [InlineData("os\0", "system")]
    [InlineData("torch._utils", "_rebuild_tensor_v2\r")]
    [InlineData("a b", "c")]
    public void Global_names_with_control_characters_are_corruption(string module, string name)
    {
        Assert.Contains("malformed GLOBAL name", Refused(new PickleBytes().Proto().Global(module, name).Stop()).Message);
    }

    [Fact]
    public void A_self_referencing_list_does_not_hang()
    {
        // l = []; l.append(l)
        var result = Load(new PickleBytes().Proto().EmptyList().Put(0).Get(0).Append().Stop());

        var list = Assert.IsType<PickleList>(result.Root);
        Assert.Same(list, list.Items[0]);
    }
}
