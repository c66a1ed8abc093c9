using NeuronKit.Formats;
using NeuronKit.Formats.TorchSharp;
using NeuronKit.Tensors;

namespace NeuronKit.Tests.Formats.TorchSharp;

public class TorchSharpReaderTests
{
    private static Checkpoint OpenBytes(byte[] bytes, string name = "bad.dat")
    {
        using var file = new TempFile(name, bytes);
        return new TorchSharpReader().Open(file.Path);
    }

    private static string Refusal(byte[] bytes, string name = "bad.dat") =>
        Assert.Throws<CheckpointException>(() => OpenBytes(bytes, name).Dispose()).Message;

    private static string Describe(TensorInfo t) => $"{t.Name} {t.DType.Name()} [{string.Join(",", t.Shape)}]";

    [Fact]
    public void A_module_save_file_lists_its_state_dict_keys_in_file_order_with_dtypes_and_shapes()
    {
        using var checkpoint = CheckpointFormats.Open(TorchSharpQuery.PathOf("kinds.dat"));

        Assert.Equal("torchsharp", checkpoint.Format);
        Assert.Equal(
            ["deconv.weight float32 [4,3,3,3]", "deconv.bias float32 [6]", "bn.weight float32 [5]", "bn.bias float32 [5]",
             "embedding.weight float32 [10,4]", "bn.running_mean float32 [5]", "bn.running_var float32 [5]",
             "bn.num_batches_tracked int64 []"],
            checkpoint.Tensors.Select(Describe));
        Assert.Equal([0.0], checkpoint.Find("bn.num_batches_tracked")!.View().ToDoubles());
    }

    [Fact]
    public void Tensors_are_contiguous_views_into_the_mapped_file_right_after_their_headers()
    {
        using var checkpoint = CheckpointFormats.Open(TorchSharpQuery.PathOf("seed_linear.dat"));

        // count 1 byte; "0.weight": name 1 + 8, dtype 1, rank 1, dims 2 → data at 14; 200 bytes; "0.bias" header 10 → 224; "2.weight" 13 → 257; "2.bias" 10 → 307
        Assert.All(checkpoint.Tensors, t => Assert.IsType<MappedFile>(t.Storage.Source));
        Assert.Equal([14L, 224, 257, 307], checkpoint.Tensors.Select(t => t.Storage.ByteOffset));
        Assert.Equal([200L, 20, 40, 8], checkpoint.Tensors.Select(t => t.Storage.ByteLength));
        Assert.Equal([10L, 1], checkpoint.Find("0.weight")!.Strides);
    }

    [Fact]
    public void Scalars_empty_tensors_integer_types_and_non_ASCII_names_read_as_written()
    {
        var bytes = DatBuilder.Count(5)
            .Tensor("scale", 7, [], BitConverter.GetBytes(2.5))
            .Tensor("empty.weight", 6, [0, 3], [])
            .Tensor("mask", 11, [3], [1, 0, 1])
            .Tensor("ids", 3, [2], [.. BitConverter.GetBytes(-7), .. BitConverter.GetBytes(9)])
            .Floats("größe.weight", [2], 1.5f, -2f)
            .ToArray();

        using var checkpoint = OpenBytes(bytes);

        Assert.Equal(["scale float64 []", "empty.weight float32 [0,3]", "mask bool [3]", "ids int32 [2]", "größe.weight float32 [2]"],
            checkpoint.Tensors.Select(Describe));
        Assert.Equal([2.5], checkpoint.Find("scale")!.View().ToDoubles());
        Assert.Empty(checkpoint.Find("empty.weight")!.View().ToDoubles());
        Assert.Equal([1.0, 0, 1], checkpoint.Find("mask")!.View().ToDoubles());
        Assert.Equal([-7.0, 9], checkpoint.Find("ids")!.View().ToDoubles());
        Assert.Equal([1.5, -2], checkpoint.Find("größe.weight")!.View().ToDoubles());
    }

    [Fact]
    public void A_zero_count_is_refused()
    {
        Assert.Equal("bad.dat holds no tensors (its tensor count is 0)", Refusal([0]));
    }

    [Fact]
    public void A_count_the_file_is_too_short_for_is_refused_before_anything_is_allocated()
    {
        var bytes = DatBuilder.Count(ulong.MaxValue >> 1).Floats("w", [1], 1f).ToArray();

        Assert.Equal("bad.dat is truncated: its tensor count 9,223,372,036,854,775,807 needs at least 5 bytes per tensor, " +
            "but only 9 bytes follow", Refusal(bytes));
    }

    [Fact]
    public void A_LEB128_longer_than_ten_bytes_is_refused()
    {
        var bytes = new DatBuilder().Raw(0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00).Floats("w", [1], 1f).ToArray();

        Assert.Equal("bad.dat stores the tensor count at offset 0 as a LEB128 longer than 10 bytes", Refusal(bytes));
    }

    [Fact]
    public void A_LEB128_beyond_64_bits_is_refused()
    {
        var bytes = new DatBuilder().Raw(0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02).ToArray();

        Assert.Equal("bad.dat stores the tensor count at offset 0 as a LEB128 too large for 64 bits", Refusal(bytes));
    }

    [Fact]
    public void A_value_too_big_for_its_field_is_refused_naming_the_field()
    {
        var rank = DatBuilder.Count(1).Name("w").Leb(6).Leb(65).Raw(new byte[80]).ToArray();
        var nameLength = DatBuilder.Count(1).Leb(1UL << 31).Raw(new byte[8]).ToArray();
        var dimension = DatBuilder.Count(1).Name("w").Leb(6).Leb(1).Leb(1UL << 63).Raw(new byte[8]).ToArray();

        Assert.Equal("bad.dat gives the rank of 'w' as 65 (at offset 4), more than the largest allowed, 64", Refusal(rank));
        Assert.Equal("bad.dat gives the name length of tensor 0 as 2,147,483,648 (at offset 1), more than the largest " +
            "allowed, 2,147,483,647", Refusal(nameLength));
        Assert.Equal("bad.dat gives dimension 0 of 'w' as 9,223,372,036,854,775,808 (at offset 5), more than the largest " +
            "allowed, 9,223,372,036,854,775,807", Refusal(dimension));
    }

    [Fact]
    public void A_name_running_past_the_end_of_the_file_is_refused()
    {
        var bytes = DatBuilder.Count(1).Leb(100).Raw("weight"u8.ToArray()).ToArray();

        Assert.Equal("bad.dat is truncated: the name of tensor 0 claims 100 bytes at offset 2, but only 6 remain", Refusal(bytes));
    }

    [Fact]
    public void Names_that_are_empty_invalid_UTF8_or_hold_control_characters_are_refused()
    {
        var empty = DatBuilder.Count(1).Leb(0).Raw(6, 1, 1, 0, 0, 0, 0).ToArray();
        var invalid = DatBuilder.Count(1).Leb(2).Raw(0xC3, 0x28).Raw(6, 1, 1, 0, 0, 0, 0).ToArray();
        var nul = DatBuilder.Count(1).Floats("fc\0weight", [1], 1f).ToArray();

        Assert.Equal("bad.dat gives tensor 0 an empty name (at offset 1)", Refusal(empty));
        Assert.Equal("bad.dat gives tensor 0 a name that is not valid UTF-8 (at offset 2)", Refusal(invalid));
        Assert.Equal(@"bad.dat gives tensor 0 a name with control characters ('fc\u0000weight', at offset 2)", Refusal(nul));
    }

    [Fact]
    public void An_unknown_dtype_code_is_refused_with_the_known_codes_as_a_hint()
    {
        var bytes = DatBuilder.Count(1).Tensor("w", 4711, [1], new byte[4]).ToArray();

        var e = Assert.Throws<CheckpointException>(() => OpenBytes(bytes).Dispose());

        Assert.Equal("bad.dat gives tensor 'w' dtype code 4,711 at offset 3, which is not a TorchSharp ScalarType", e.Message);
        Assert.Contains("15 BFloat16", e.Hints.Single());
    }

    [Theory]
    [InlineData(8, "ComplexFloat16 (complex32)", "complex32")]
    [InlineData(12, "QInt8 (qint8)", "quantized")]
    [InlineData(13, "QUInt8 (quint8)", "quantized")]
    [InlineData(14, "QInt32 (qint32)", "quantized")]
    public void Complex32_and_quantized_tensors_are_refused_naming_the_dtype(int code, string dtype, string why)
    {
        var bytes = DatBuilder.Count(2).Floats("fc.weight", [1], 1f).Tensor("z", code, [2], new byte[32]).ToArray();

        string message = Refusal(bytes);

        Assert.StartsWith($"bad.dat holds tensor 'z' of dtype {dtype}, which NeuronKit does not read: {why}", message);
    }

    [Fact]
    public void A_complex128_tensor_is_read_as_re_im_pairs()
    {
        double[] pairs = [1.5, -2.25, double.NegativeInfinity, 0];
        var bytes = DatBuilder.Count(1).Tensor("z", 10, [2], System.Runtime.InteropServices.MemoryMarshal.AsBytes(pairs.AsSpan()).ToArray()).ToArray();

        using var checkpoint = OpenBytes(bytes);

        var z = checkpoint.Find("z")!;
        Assert.Equal(DType.Complex128, z.DType);
        Assert.Equal([new(1.5, -2.25), new(double.NegativeInfinity, 0)], z.View().ToComplex());
    }

    [Fact]
    public void A_complex64_tensor_cut_inside_a_pair_is_refused_as_truncated()
    {
        // Two complex64 need 16 bytes; the file ends 4 bytes short, inside the second imaginary part.
        var bytes = DatBuilder.Count(1).Tensor("z", 9, [2], new byte[12]).ToArray();

        Assert.Equal("bad.dat is truncated: tensor 'z' (complex64 [2]) needs 16 bytes at offset 6, but the file ends at 18", Refusal(bytes));
    }

    [Fact]
    public void A_shape_whose_size_overflows_is_refused()
    {
        var bytes = DatBuilder.Count(1).Tensor("w", 6, [1L << 40, 1L << 30], []).ToArray();

        Assert.Equal("bad.dat gives tensor 'w' shape [1099511627776, 1073741824], whose size in bytes overflows 64 bits", Refusal(bytes));
    }

    [Fact]
    public void Data_past_the_end_of_the_file_is_refused_with_the_bytes_it_needs()
    {
        var bytes = DatBuilder.Count(1).Tensor("w", 6, [3, 4], new byte[40]).ToArray();

        Assert.Equal("bad.dat is truncated: tensor 'w' (float32 [3, 4]) needs 48 bytes at offset 7, but the file ends at 47", Refusal(bytes));
    }

    [Fact]
    public void Trailing_bytes_and_a_count_short_of_the_records_are_refused()
    {
        var trailing = DatBuilder.Count(1).Floats("w", [1], 1f).Raw(0).ToArray();
        var undercounted = DatBuilder.Count(1).Floats("a", [1], 1f).Floats("b", [1], 2f).ToArray();

        Assert.Equal("bad.dat has 1 trailing bytes after its last tensor (from offset 10)", Refusal(trailing));
        Assert.Equal("bad.dat has 9 trailing bytes after its last tensor (from offset 10)", Refusal(undercounted));
    }

    [Fact]
    public void Two_records_with_one_name_are_refused()
    {
        var bytes = DatBuilder.Count(2).Floats("w", [1], 1f).Floats("w", [1], 2f).ToArray();

        Assert.Equal("bad.dat holds two tensors named 'w'", Refusal(bytes));
    }

    [Fact]
    public void Every_refusal_names_the_file_and_disposes_the_mapping()
    {
        // Given a bad file, when it is refused, then the file can be deleted at once (nothing keeps it mapped)
        using var file = new TempFile("gone.dat", DatBuilder.Count(1).Floats("w", [2], 1f).ToArray());

        var e = Assert.Throws<CheckpointException>(() => new TorchSharpReader().Open(file.Path));

        Assert.StartsWith("gone.dat ", e.Message);
        File.Delete(file.Path);
        Assert.False(File.Exists(file.Path));
    }
}
