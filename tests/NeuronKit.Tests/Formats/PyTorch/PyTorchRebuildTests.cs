using NeuronKit.Formats.PyTorch;
using NeuronKit.Tensors;
using NeuronKit.Tests.Containers.Pickle;
using NeuronKit.Tests.Containers.Zip;

namespace NeuronKit.Tests.Formats.PyTorch;

public class PyTorchRebuildTests
{
    private static readonly byte[] TwoFloats = TorchZipFile.Floats(0.5f, -1.25f);

    private static PickleBytes Dict(Func<PickleBytes, PickleBytes> value) =>
        value(new PickleBytes().Proto().EmptyDict().Str("w")).SetItem().Stop();

    private static PickleBytes Hooks(PickleBytes p) => p.Global("collections", "OrderedDict").EmptyTuple().Reduce();

    private static double[] ReadW(PickleBytes pickle, byte[] storage)
    {
        using var file = TorchZipFile.Write(pickle, ("0", storage));
        using var checkpoint = new PyTorchReader().Open(file.Path);
        return checkpoint.Find("w")!.View().ToDoubles();
    }

    [Fact]
    public void The_old_rebuild_tensor_takes_storage_offset_size_and_stride()
    {
        var pickle = Dict(p => p.Global("torch._utils", "_rebuild_tensor").Mark().Storage("FloatStorage", "0", 2).Int(0)
            .Mark().Int(2).Tuple().Mark().Int(1).Tuple().Tuple().Reduce());

        Assert.Equal([0.5, -1.25], ReadW(pickle, TwoFloats));
    }

    [Fact]
    public void Rebuild_tensor_v3_over_an_untyped_storage_counts_bytes_and_takes_its_dtype_argument()
    {
        // UntypedStorage numel is 8 bytes; dtype torch.float16 makes that 4 elements
        var pickle = Dict(p => Hooks(p.Global("torch._utils", "_rebuild_tensor_v3").Mark().Storage("UntypedStorage", "0", 8).Int(0)
            .Mark().Int(4).Tuple().Mark().Int(1).Tuple().False()).Global("torch", "float16").Tuple().Reduce());
        byte[] halves = [.. BitConverter.GetBytes((Half)1), .. BitConverter.GetBytes((Half)(-2)), .. BitConverter.GetBytes((Half)0.5), .. BitConverter.GetBytes((Half)3)];

        Assert.Equal([1.0, -2.0, 0.5, 3.0], ReadW(pickle, halves));
    }

    [Fact]
    public void A_float8_tensor_over_an_untyped_storage_reads_exactly()
    {
        // float8_e4m3fn: 0x38 is 2^(7-7) = 1, 0xC0 is -2^(8-7) = -2
        var pickle = Dict(p => Hooks(p.Global("torch._utils", "_rebuild_tensor_v3").Mark().Storage("UntypedStorage", "0", 2).Int(0)
            .Mark().Int(2).Tuple().Mark().Int(1).Tuple().False()).Global("torch", "float8_e4m3fn").Tuple().Reduce());

        Assert.Equal([1.0, -2.0], ReadW(pickle, [0x38, 0xC0]));
    }

    [Fact]
    public void A_float4_tensor_is_refused_naming_its_dtype()
    {
        var pickle = Dict(p => Hooks(p.Global("torch._utils", "_rebuild_tensor_v3").Mark().Storage("UntypedStorage", "0", 2).Int(0)
            .Mark().Int(2).Tuple().Mark().Int(1).Tuple().False()).Global("torch", "float4_e2m1fn_x2").Tuple().Reduce());
        using var file = TorchZipFile.Write(pickle, ("0", new byte[2]));

        var e = Assert.Throws<CheckpointException>(() => new PyTorchReader().Open(file.Path));

        Assert.Equal("ckpt.pt holds tensor 'w' of dtype float4_e2m1fn_x2, which NeuronKit does not read", e.Message);
    }

    [Fact]
    public void A_parameter_wraps_its_tensor()
    {
        var pickle = Dict(p => Hooks(p.Global("torch._utils", "_rebuild_parameter").Mark().Tensor("FloatStorage", "0", 2, [2]).True()).Tuple().Reduce());

        Assert.Equal([0.5, -1.25], ReadW(pickle, TwoFloats));
    }

    [Fact]
    public void A_parameter_built_with_NEWOBJ_wraps_its_tensor_too()
    {
        var pickle = Dict(p => p.Global("torch.nn.parameter", "Parameter").Mark().Tensor("FloatStorage", "0", 2, [2]).True().Tuple().NewObj());

        Assert.Equal([0.5, -1.25], ReadW(pickle, TwoFloats));
    }

    [Fact]
    public void A_tensor_subclass_rebuild_applies_its_inner_function_to_its_arguments()
    {
        // _rebuild_from_type_v2(_rebuild_tensor_v2, MyTensor, (storage, 0, (2,), (1,), False, OrderedDict()), {})
        var pickle = Dict(p => Hooks(p.Global("torch._tensor", "_rebuild_from_type_v2").Mark()
            .Global("torch._utils", "_rebuild_tensor_v2").Global("__main__", "MyTensor")
            .Mark().Storage("FloatStorage", "0", 2).Int(0).Mark().Int(2).Tuple().Mark().Int(1).Tuple().False()).Tuple()
            .EmptyDict().Tuple().Reduce());

        Assert.Equal([0.5, -1.25], ReadW(pickle, TwoFloats));
    }

    [Fact]
    public void NEWOBJ_EX_constructs_only_classes_it_may()
    {
        var placeholder = new PickleBytes().Proto(4).StackGlobal("__main__", "Config").EmptyTuple().EmptyDict().Raw(0x92).Stop();
        var refused = new PickleBytes().Proto(4).StackGlobal("torch._utils", "_rebuild_tensor_v2").EmptyTuple().EmptyDict().Raw(0x92).Stop();

        Assert.IsType<NeuronKit.Containers.Pickle.PickleObject>(UnpicklerTests.Load(placeholder).Root);
        Assert.Contains("constructs torch._utils._rebuild_tensor_v2, which may not be constructed", UnpicklerTests.Refused(refused).Message);
    }

    [Theory]
    [InlineData("a_checkpoint_saved_under_a_long_name_that_runs_past_the_head/data.pkl", true)]
    [InlineData("archive/version", true)]
    [InlineData("archive/data.pkl", true)]
    [InlineData("arr_0.npy", false)]
    [InlineData("model/weights.h5", false)]
    public void A_zip_is_detected_as_torch_by_its_first_entry(string firstEntry, bool expected)
    {
        var head = new ZipBuilder().Add(firstEntry, "x").Build().AsSpan(0, 64).ToArray();

        Assert.Equal(expected, new PyTorchReader().Detect(head));
    }
}
