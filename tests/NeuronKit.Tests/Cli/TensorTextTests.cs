using System.Globalization;
using System.Numerics;
using System.Text.Json;
using NeuronKit.Cli.Output;

namespace NeuronKit.Tests.Cli;

/// <summary>`neuron show` prints values exactly as PyTorch prints the same tensor (tests/fixtures/make_print_cases.py).</summary>
public class TensorTextTests
{
    private static readonly JsonElement Cases =
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path("printing/torch_print.json"))).RootElement.GetProperty("cases");

    public static TheoryData<string> Names() => [.. Cases.EnumerateObject().Select(c => c.Name)];

    [Fact]
    public void One_number_prints_as_a_tensor_of_that_number_alone_does()
    {
        // Given numbers of every mode PyTorch picks between (whole, fixed, scientific; its thresholds 1e8 and 1e-4 each side)
        var random = new Random(5);
        double[] values = [0, -0.0, 1, -3, 1e8, 1e8 + 1, -123456789, 1e-4, 9.99e-5, -9.99e-5, 0.5, 2.5e-5, 12.34567, 1e20, double.NaN,
            double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, double.MaxValue, -1e300, 1e-300,
            .. Enumerable.Range(0, 5000).Select(_ => Math.Pow(10, random.NextDouble() * 24 - 12) * (random.Next(2) * 2 - 1)),
            .. Enumerable.Range(0, 500).Select(_ => (double)random.Next(-100_000, 100_000))];

        // Then each prints as the 0-d tensor of it, the general formatter's choice for one value
        Assert.All(values, v => Assert.Equal(TensorText.Format([v], [], isFloat: true, full: false, indent: 0), TensorText.Number(v)));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Values_print_as_PyTorch_prints_them(string name)
    {
        // Given a tensor and what PyTorch printed for it
        var c = Cases.GetProperty(name);
        double[] values = [.. c.GetProperty("values").EnumerateArray().Select(v => Parse(v.GetString()!))];
        long[] shape = [.. c.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())];

        // When NeuronKit formats it after the same "tensor(" prefix
        string text = "tensor(" + TensorText.Format(values, shape, isFloat: true, full: false, indent: 7) + ")";

        // Then the text is the same
        Assert.Equal(c.GetProperty("text").GetString(), text);
    }

    [Theory]
    // Each text is what PyTorch 1.13 prints for the same complex tensor (print(torch.tensor(...)) on this machine).
    [InlineData("tensor([ 1.5000+2.2500j, -0.3000-1.0000j])", new[] { 1.5, 2.25, -0.3, -1.0 }, new long[] { 2 })]
    [InlineData("tensor([1.0000e-05+1.j, 2.0000e+00+3.j])", new[] { 1e-5, 1, 2, 3 }, new long[] { 2 })]
    [InlineData("tensor(nan-infj)", new[] { double.NaN, double.NegativeInfinity }, new long[0])]
    [InlineData("tensor([-0.0000+0.0000j,  0.1035-0.4983j])", new[] { -0.0, 0.0, 0.1034739472116091, -0.49834287900617014 }, new long[] { 2 })]
    public void Complex_values_print_as_PyTorch_prints_them(string expected, double[] pairs, long[] shape)
    {
        Complex[] values = [.. pairs.Chunk(2).Select(p => new Complex(p[0], p[1]))];

        Assert.Equal(expected, "tensor(" + TensorText.Format(values, shape, full: false, indent: 7) + ")");
    }

    [Fact]
    public void A_long_complex_row_wraps_where_PyTorch_wraps_it()
    {
        // Given twelve complex128 values and PyTorch's print of them (seed 3; the dtype suffix left out)
        double[] re = [0.8032760620117188, 0.17483338713645935, 0.08897809684276581, -0.6137180328369141, 0.04618244990706444,
            -1.3682591915130615, 0.3374950885772705, 1.0111159086227417, -1.435179352760315, 0.9774317741394043, 0.5220499634742737, 1.2379167079925537];
        double[] im = [-0.1808772087097168, -0.18771517276763916, -0.2927446961402893, -0.5996986627578735, -0.12125527858734131,
            -0.11479580402374268, -0.26087963581085205, -0.8051719069480896, -0.13936209678649902, -0.051551878452301025, -0.0666458010673523, -0.2539573907852173];

        string text = "tensor(" + TensorText.Format([.. re.Zip(im, (r, i) => new Complex(r, i))], [12], full: false, indent: 7) + ")";

        Assert.Equal("tensor([ 0.8033-0.1809j,  0.1748-0.1877j,  0.0890-0.2927j, -0.6137-0.5997j,\n" +
                     "         0.0462-0.1213j, -1.3683-0.1148j,  0.3375-0.2609j,  1.0111-0.8052j,\n" +
                     "        -1.4352-0.1394j,  0.9774-0.0516j,  0.5220-0.0666j,  1.2379-0.2540j])", text);
    }

    [Fact]
    public void Complex_items_of_unequal_widths_are_right_aligned_so_columns_line_up()
    {
        // PyTorch prints [[  1.+1.0000j,   2.-30.0000j], [100.+0.5000j,  -4.-4.0000j]]: its items differ in width.
        Complex[] values = [new(1, 1), new(2, -30), new(100, 0.5), new(-4, -4)];

        string text = TensorText.Format(values, [2, 2], full: false, indent: 0);

        Assert.Equal("[[   1.+1.0000j,   2.-30.0000j],\n [ 100.+0.5000j,   -4.-4.0000j]]", text);
        var lines = text.Split('\n');
        Assert.Equal(lines[0].IndexOf(','), lines[1].IndexOf(','));
    }

    private static double Parse(string repr) => repr switch
    {
        "nan" => double.NaN,
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.Parse(repr, CultureInfo.InvariantCulture),
    };
}
