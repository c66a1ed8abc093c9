using NeuronKit.Tensors;

namespace NeuronKit.Tests.Tensors;

public class TensorViewTests
{
    private static TensorStorage FloatStorage(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return new TensorStorage("0", new MemoryBytes(bytes), 0, bytes.Length);
    }

    [Fact]
    public void Selecting_a_row_of_a_contiguous_matrix_reads_that_row()
    {
        // Given a 2x3 matrix
        var tensor = TensorInfo.Contiguous("w", DType.Float32, [2, 3], FloatStorage(1, 2, 3, 4, 5, 6));

        // When row 1 is selected
        var row = tensor.View().Select(0, 1).ToDoubles();

        // Then it holds the second row
        Assert.Equal([4, 5, 6], row);
    }

    [Fact]
    public void A_transposed_view_reads_columns_through_its_strides()
    {
        // Given the transpose of a 2x3 matrix: shape [3, 2], strides [1, 3]
        var tensor = TensorInfo.Create("wt", DType.Float32, [3, 2], [1, 3], 0, FloatStorage(1, 2, 3, 4, 5, 6));

        // When every value and row 2 are read
        var all = tensor.View().ToDoubles();
        var row = tensor.View().Select(0, 2).ToDoubles();

        // Then they follow the transpose
        Assert.Equal([1, 4, 2, 5, 3, 6], all);
        Assert.Equal([3, 6], row);
    }

    [Fact]
    public void An_expanded_view_repeats_each_stored_value_along_its_stride_0_dimension()
    {
        // Given x.unsqueeze(1).expand(3, 4) of a 3-value float16 storage at offset 1 (strides [1, 0]), and a 1-d expand
        var bytes = new byte[8];
        for (int i = 0; i < 4; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * 2), (Half)(i * 1.5 - 1));
        var storage = new TensorStorage("0", new MemoryBytes(bytes), 0, bytes.Length);
        var rows = TensorInfo.Create("e", DType.Float16, [3, 4], [1, 0], 1, storage);
        var line = TensorInfo.Create("b", DType.Float16, [5], [0], 3, storage);

        // When every value is read
        var all = rows.View().ToDoubles();

        // Then row i is stored value 1 + i four times, and the line is the last value five times
        Assert.Equal([0.5, 0.5, 0.5, 0.5, 2, 2, 2, 2, 3.5, 3.5, 3.5, 3.5], all);
        Assert.Equal([3.5, 3.5, 3.5, 3.5, 3.5], line.View().ToDoubles());
    }

    [Fact]
    public void A_storage_offset_shifts_the_first_element()
    {
        var tensor = TensorInfo.Create("b", DType.Float32, [2], [1], 4, FloatStorage(1, 2, 3, 4, 5, 6));

        Assert.Equal([5, 6], tensor.View().ToDoubles());
    }

    [Fact]
    public void A_view_reaching_past_its_storage_is_refused()
    {
        var error = Assert.Throws<CheckpointException>(() =>
            TensorInfo.Create("w", DType.Float32, [2, 3], [3, 1], 1, FloatStorage(1, 2, 3, 4, 5, 6)));

        Assert.Contains("reaches element 6", error.Message);
    }

    [Fact]
    public void A_shape_whose_extent_overflows_is_refused_without_an_overflow_exception()
    {
        var error = Assert.Throws<CheckpointException>(() =>
            TensorInfo.Create("w", DType.Float32, [long.MaxValue, 3], [long.MaxValue, 1], 0, FloatStorage(1)));

        Assert.Contains("too large", error.Message);
    }

    [Theory]
    [InlineData(DType.Float16, new byte[] { 0x00, 0x3C }, 1.0)]
    [InlineData(DType.Float16, new byte[] { 0x01, 0x00 }, 5.960464477539063E-08)]
    [InlineData(DType.BFloat16, new byte[] { 0x80, 0x3F }, 1.0)]
    [InlineData(DType.BFloat16, new byte[] { 0xC9, 0x40 }, 6.28125)]
    [InlineData(DType.Int8, new byte[] { 0xFF }, -1.0)]
    [InlineData(DType.Int64, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, -2.0)]
    [InlineData(DType.Bool, new byte[] { 0x01 }, 1.0)]
    public void Every_dtype_converts_exactly_to_double(DType dtype, byte[] bytes, double expected)
    {
        var value = new double[1];
        DTypeConversion.ToDoubles(dtype, bytes, value);
        Assert.Equal(expected, value[0]);
    }

    [Theory]
    [InlineData(DType.Int64)]
    [InlineData(DType.UInt64)]
    public void Stored_bytes_keep_64_bit_integers_no_double_holds(DType dtype)
    {
        // Given a 2x3 matrix of 64-bit integers, 2^53 + 1 among them (a double would round it to 2^53)
        long[] values = [1, (1L << 53) + 1, -3, 4, long.MaxValue, 6];
        var bytes = new byte[values.Length * 8];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        var tensor = TensorInfo.Contiguous("w", dtype, [2, 3], new TensorStorage("0", new MemoryBytes(bytes), 0, bytes.Length));

        // When the whole of it, and its column 1 (a strided view), are read as stored
        var all = tensor.View().ToStoredBytes();
        var column = tensor.View().Select(1, 1).ToStoredBytes();

        // Then the bytes are the elements', row-major
        Assert.Equal(bytes, all);
        Assert.Equal([.. bytes[8..16], .. bytes[32..40]], column);
    }

    [Fact]
    public void Stored_bytes_of_a_transposed_half_matrix_follow_its_strides()
    {
        // Given the transpose of a 2x3 float16 matrix: shape [3, 2], strides [1, 3]
        Half[] values = [(Half)1, (Half)2, (Half)3, (Half)4, (Half)5, (Half)6];
        var bytes = new byte[values.Length * 2];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(bytes);
        var tensor = TensorInfo.Create("wt", DType.Float16, [3, 2], [1, 3], 0, new TensorStorage("0", new MemoryBytes(bytes), 0, bytes.Length));

        // When its elements are read as stored
        var stored = tensor.View().ToStoredBytes();

        // Then they come in the transpose's order, each its two bytes
        var read = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(stored).ToArray();
        Assert.Equal([(Half)1, (Half)4, (Half)2, (Half)5, (Half)3, (Half)6], read);
    }
}
