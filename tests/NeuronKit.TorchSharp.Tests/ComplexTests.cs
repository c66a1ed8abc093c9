using System.Numerics;
using NeuronKit.Tensors;
using NeuronKit.TorchSharp.Tests.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp.Tests;

/// <summary>Complex parameters (ComplexFloat32, ComplexFloat64) read as (re, im) pairs, live and from the module's saved file.</summary>
public sealed class ComplexTests
{
    [TorchTheory]
    [InlineData(ScalarType.ComplexFloat32, DType.Complex64)]
    [InlineData(ScalarType.ComplexFloat64, DType.Complex128)]
    public void A_complex_Linear_neuron_reads_the_module_s_own_real_and_imaginary_parts(ScalarType type, DType dtype)
    {
        // Given a Linear converted to a complex type, with a nonzero imaginary part
        var fc = nn.Linear(3, 2);
        var model = new Named(("fc", fc)).to(type);
        using (no_grad()) fc.weight!.add_(complex(zeros(2, 3), randn(2, 3)).to(type));

        // When neuron 1 is read live and from the file TorchSharp saves
        using var live = new LiveModel(model).Neuron("fc", 1);
        using var file = TempFile.Saved(model);
        using var saved = Model.Open(file.Path);
        var fromFile = saved.Neuron("fc", 1);

        // Then both give weight[1] as TorchSharp's own real and imag views hold it, exactly, and refuse plain doubles
        double[] re = fc.weight![1].real.to_type(ScalarType.Float64).data<double>().ToArray();
        double[] im = fc.weight![1].imag.to_type(ScalarType.Float64).data<double>().ToArray();
        Complex[] expected = [.. re.Zip(im, (r, i) => new Complex(r, i))];
        Assert.Equal(dtype, live.Part("weight")!.DType);
        Assert.Equal(expected, live.Part("weight")!.ToComplex());
        Assert.Equal(expected, fromFile.Part("weight")!.ToComplex());
        Assert.Contains(dtype.Name(), Assert.Throws<RequestException>(() => live.Part("weight")!.ToDoubles()).Message);
    }
}
