using NeuronKit.Formats.PyTorch;
using NeuronKit.Tensors;
using NeuronKit.Tests.Containers.Pickle;

namespace NeuronKit.Tests.Formats.PyTorch;

/// <summary>
/// Quantized tensors (torch._utils._rebuild_qtensor) read as their dequantized values, with the stored integers on
/// request; the cases PyTorch never writes are hand-built here (the real files are quantized*.pt, oracle-checked).
/// </summary>
public class PyTorchQuantizedTests
{
    private static PickleBytes StateDict(string type, int numel, int[] shape, Action<PickleBytes> qparams, int[]? strides = null) =>
        new PickleBytes().Proto().EmptyDict().Str("q").QTensor(type, "0", numel, shape, qparams, strides).SetItem().Stop();

    private static Action<PickleBytes> PerTensor(double scale, int zeroPoint) =>
        p => p.Global("torch", "per_tensor_affine").Float(scale).Int(zeroPoint);

    [Fact]
    public void A_qint32_tensor_wraps_q_minus_zero_point_in_int32_as_PyTorch_does()
    {
        // Given a qint32 tensor holding int.MinValue with zero point 5 (PyTorch's kernel subtracts in int32)
        var stored = BitConverter.GetBytes(int.MinValue).Concat(BitConverter.GetBytes(7)).ToArray();
        using var file = TorchZipFile.Write(StateDict("QInt32Storage", 2, [2], PerTensor(0.5, 5)), ("0", stored));

        // When it is read
        using var checkpoint = new PyTorchReader().Open(file.Path);
        var q = checkpoint.Find("q")!;

        // Then the first value is the wrapped difference times the float scale, the second plain
        Assert.Equal([unchecked(int.MinValue - 5) * 0.5f, 1.0], q.View().ToDoubles());
        Assert.Equal(("qint32", DType.Float32, 8L), (q.StoredAs, q.DType, q.ByteSize));
        Assert.Equal([int.MinValue, 7.0], q.Quantization!.Stored(q.View()).ToDoubles());
    }

    [Fact]
    public void Per_channel_parameters_written_as_lists_are_read_like_tensors()
    {
        // Given per-channel scales and zero points as lists (what older torch versions wrote)
        using var file = TorchZipFile.Write(StateDict("QInt8Storage", 4, [2, 2], p => p.Global("torch", "per_channel_affine")
            .Op(']').Mark().Float(0.5).Float(0.25).Op('e')
            .Op(']').Mark().Int(1).Int(0).Op('e')
            .Int(0)), ("0", [3, 1, 4, 0xFF]));

        using var checkpoint = new PyTorchReader().Open(file.Path);
        var q = checkpoint.Find("q")!;

        // Then row 0 uses (q - 1) * 0.5 and row 1 q * 0.25
        Assert.Equal([1.0, 0.0, 1.0, -0.25], q.View().ToDoubles());
        Assert.Equal([0L, 0, 1, 1], q.Quantization!.ChannelsOf(q.View()));
        Assert.Equal([0L, 1], q.Quantization.ChannelsOf(q.View().Select(1, 0)));
    }

    [Fact]
    public void Span_and_read_give_the_same_bytes_at_any_offset()
    {
        using var file = TorchZipFile.Write(StateDict("QUInt8Storage", 5, [5], PerTensor(0.1, 128)), ("0", [0, 127, 128, 129, 255]));
        using var checkpoint = new PyTorchReader().Open(file.Path);
        var source = checkpoint.Find("q")!.Storage.Source;

        var whole = source.Span(0, 20).ToArray();
        var part = new byte[9];
        source.Read(3, part);

        Assert.Equal(whole[3..12], part);
        Assert.Equal(whole[3..12], source.Span(3, 9).ToArray());
    }

    [Fact]
    public void A_quantized_dtype_NeuronKit_does_not_read_is_named()
    {
        using var file = TorchZipFile.Write(StateDict("QUInt4x2Storage", 2, [2], PerTensor(0.1, 0)), ("0", new byte[2]));

        var e = Assert.Throws<CheckpointException>(() => new PyTorchReader().Open(file.Path));

        Assert.Equal("ckpt.pt holds tensor 'q' as a quantized tensor of dtype quint4x2, which NeuronKit does not read", e.Message);
        Assert.Contains(e.Hints, h => h.Contains("qint8"));
    }

    [Fact]
    public void A_scheme_torch_save_never_writes_is_refused_by_name()
    {
        using var file = TorchZipFile.Write(StateDict("QInt8Storage", 2, [2], p => p.Global("torch", "per_tensor_symmetric").Float(0.1).Int(0)),
            ("0", new byte[2]));

        var e = Assert.Throws<CheckpointException>(() => new PyTorchReader().Open(file.Path));

        Assert.Equal("ckpt.pt holds tensor 'q' quantized as torch.per_tensor_symmetric, which NeuronKit does not read", e.Message);
    }

    [Fact]
    public void A_transposed_per_channel_tensor_takes_each_elements_channel_from_its_own_index()
    {
        // Given a per-channel tensor stored transposed (strides [1, 2]) with channels along dimension 0
        using var file = TorchZipFile.Write(StateDict("QInt8Storage", 4, [2, 2], p => p.Global("torch", "per_channel_affine")
            .Op(']').Mark().Float(0.5).Float(0.25).Op('e').Op(']').Mark().Int(0).Int(0).Op('e').Int(0), strides: [1, 2]), ("0", [1, 2, 3, 4]));

        using var checkpoint = new PyTorchReader().Open(file.Path);
        var q = checkpoint.Find("q")!;

        // Then q[0] = [1, 3] * 0.5 and q[1] = [2, 4] * 0.25
        Assert.Equal([0.5, 1.5, 0.5, 1.0], q.View().ToDoubles());
        Assert.Equal([1L, 3, 2, 4], q.Quantization!.Read(q.View()).Integers);
    }

    [Fact]
    public void A_per_channel_tensor_whose_elements_overlap_is_refused_clearly()
    {
        using var file = TorchZipFile.Write(StateDict("QInt8Storage", 2, [2, 2], p => p.Global("torch", "per_channel_affine")
            .Op(']').Mark().Float(0.5).Float(0.25).Op('e').Op(']').Mark().Int(0).Int(0).Op('e').Int(0), strides: [0, 1]), ("0", new byte[2]));

        var e = Assert.Throws<CheckpointException>(() => new PyTorchReader().Open(file.Path));

        Assert.Equal("ckpt.pt holds tensor 'q' as a per-channel quantized tensor whose elements overlap " +
            "(strides [0, 1] for shape [2, 2]), which NeuronKit does not read", e.Message);
    }

    [Fact]
    public void Float_zero_points_on_a_type_PyTorch_allows_them_only_for_quint8_are_refused()
    {
        using var file = TorchZipFile.Write(StateDict("QInt8Storage", 2, [2], p => p.Global("torch", "per_channel_affine")
            .Op(']').Mark().Float(0.5).Float(0.25).Op('e').Op(']').Mark().Float(0.5).Float(1).Op('e').Int(0)), ("0", new byte[2]));

        var e = Assert.Throws<CheckpointException>(() => new PyTorchReader().Open(file.Path));

        Assert.Equal("ckpt.pt is corrupt: tensor 'q' is qint8 with float zero points, which PyTorch has only for quint8", e.Message);
    }

    [Fact]
    public void A_quantized_view_past_its_storage_is_refused()
    {
        using var file = TorchZipFile.Write(StateDict("QInt8Storage", 2, [3], PerTensor(0.1, 0)), ("0", new byte[2]));

        var e = Assert.Throws<CheckpointException>(() => new PyTorchReader().Open(file.Path));

        Assert.Equal("ckpt.pt is corrupt: tensor 'q' reaches element 2 of a storage that holds 2 int8 elements", e.Message);
    }
}
