using NeuronKit.Tensors;

namespace NeuronKit.Tests.Tensors;

public class TensorSliceTests
{
    // A [2, 3, 4] tensor holding 0, 1, …, 23.
    private static TensorView Cube()
    {
        var values = Enumerable.Range(0, 24).Select(i => (float)i).ToArray();
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return TensorInfo.Contiguous("t", DType.Float32, [2, 3, 4], new TensorStorage("0", new MemoryBytes(bytes), 0, bytes.Length)).View();
    }

    public static TheoryData<string, TensorSlice, double[]> Slices => new()
    {
        { "[1]", TensorSlice.Row(1), [.. Enumerable.Range(12, 12).Select(i => (double)i)] },
        { "[:, 2]", TensorSlice.Column(2), [8, 9, 10, 11, 20, 21, 22, 23] },
        { "[0, 1]", new TensorSlice(SliceItem.At(0), SliceItem.At(1)), [4, 5, 6, 7] },
        { "[1, 1:3, 2]", new TensorSlice(SliceItem.At(1), SliceItem.Range(1, 3), SliceItem.At(2)), [18, 22] },
        { "[0:1, :, 3]", new TensorSlice(SliceItem.Range(0, 1), SliceItem.All, SliceItem.At(3)), [3, 7, 11] },
        { "[()]", new TensorSlice(), [.. Enumerable.Range(0, 24).Select(i => (double)i)] },
    };

    [Theory]
    [MemberData(nameof(Slices))]
    public void A_slice_prints_in_NumPy_syntax_and_views_exactly_the_elements_that_syntax_names(string text, TensorSlice slice, double[] values)
    {
        Assert.Equal(text, slice.ToString());
        Assert.Equal(values, slice.Apply(Cube()).ToDoubles());
    }

    [Fact]
    public void A_range_keeps_its_dimension_and_an_index_drops_it()
    {
        var view = new TensorSlice(SliceItem.Range(0, 2), SliceItem.At(1)).Apply(Cube());

        Assert.Equal([2L, 4L], view.Shape);
    }
}
