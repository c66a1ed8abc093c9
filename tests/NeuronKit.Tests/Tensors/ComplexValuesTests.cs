using System.Numerics;
using NeuronKit.Tensors;

namespace NeuronKit.Tests.Tensors;

/// <summary>Complex values have their own typed path; every conversion to real numbers refuses them by name.</summary>
public class ComplexValuesTests
{
    private static readonly string File = Fixtures.Path("pytorch/complex.pt");

    [Fact]
    public void A_complex_part_refuses_to_be_read_as_doubles_or_floats_and_names_itself()
    {
        using var model = Model.Open(File);
        var weight = model.Neuron("fc", 1).Part("weight")!;

        var doubles = Assert.Throws<RequestException>(() => weight.ToDoubles());
        var floats = Assert.Throws<RequestException>(() => weight.ToFloats());
        var view = Assert.Throws<RequestException>(() => weight.View.ToDoubles());

        Assert.Equal("fc.weight[1] is complex128: each value is a (re, im) pair, not one real number", doubles.Message);
        Assert.Equal(doubles.Message, floats.Message);
        Assert.Equal("the values are complex128: each value is a (re, im) pair, not one real number", view.Message);
        Assert.Equal(["'neuron show' prints them as (re, im) pairs; from C#, read them as System.Numerics.Complex with ToComplex()"], doubles.Hints);
        Assert.Equal(2, doubles.ExitCode);
    }

    [Fact]
    public void A_strided_complex_view_reads_each_pair_whole()
    {
        // Given weights1[2] of the spectral weights1 [3, 4, 2, 2], and its [:, :, 1]: every other pair
        using var model = Model.Open(File);
        var weights = model.Checkpoint.Find("spectral.weights1")!.View();
        var slice = weights.Select(0, 2);

        // When the strided view is read, and the whole slice
        var odd = slice.Select(2, 1).ToComplex();
        var all = slice.ToComplex();

        // Then each value is the pair at its own offset
        Assert.Equal(Enumerable.Range(0, 8).Select(i => all[2 * i + 1]), odd);
        Assert.Equal(DType.Complex64, weights.DType);
        Assert.Equal(8, DType.Complex64.Size());
        Assert.Equal(16, DType.Complex128.Size());
    }

    [Fact]
    public void A_real_part_reads_as_complex_numbers_with_imaginary_part_zero()
    {
        using var model = Model.Open(Fixtures.Path("pytorch/seed_linear.pt"));
        var weight = model.Neuron("0", 1).Part("weight")!;

        Assert.Equal(weight.ToDoubles().Select(v => new Complex(v, 0)), weight.ToComplex());
    }

    [Fact]
    public void The_complex_dtypes_are_named_as_PyTorch_names_them_and_are_not_floating_point()
    {
        Assert.Equal("complex64", DType.Complex64.Name());
        Assert.Equal("complex128", DType.Complex128.Name());
        Assert.True(DType.Complex128.IsComplex());
        Assert.False(DType.Complex64.IsFloatingPoint());
        Assert.False(DType.Float64.IsComplex());
    }
}
