using System.Runtime.InteropServices;
using NeuronKit.Tensors;

namespace NeuronKit.Tests.Tensors;

public class GatheredBytesTests
{
    [Fact]
    public void Any_byte_range_of_a_strided_view_is_the_same_range_of_its_values_laid_out_row_by_row()
    {
        // Given the transpose of a 3x4 float16 matrix stored after two other values: shape [4, 3], strides [1, 4], offset 2
        var stored = Enumerable.Range(0, 14).Select(i => (Half)(i * 0.5 - 1)).ToArray();
        var storage = new TensorStorage("0", new MemoryBytes(MemoryMarshal.AsBytes(stored.AsSpan()).ToArray()), 0, stored.Length * 2);
        var view = TensorInfo.Create("wt", DType.Float16, [4, 3], [1, 4], 2, storage).View();
        var rowByRow = MemoryMarshal.AsBytes(view.ToDoubles().Select(v => (Half)v).ToArray().AsSpan()).ToArray();

        // When every range of its gathered bytes is read, whole elements or not
        var gathered = new GatheredBytes(view);

        // Then each is that range of the values' bytes row by row
        Assert.Equal(rowByRow.Length, gathered.Length);
        for (int offset = 0; offset < rowByRow.Length; offset++)
            for (int length = 0; offset + length <= rowByRow.Length; length++)
                Assert.Equal(rowByRow.AsSpan(offset, length).ToArray(), gathered.Span(offset, length).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => gathered.Span(rowByRow.Length - 1, 2).ToArray());
    }
}
