using System.Globalization;
using System.Text.Json;
using NeuronKit.Cli.Output;

namespace NeuronKit.Tests.Cli;

/// <summary>`neuron show` prints values exactly as PyTorch prints the same tensor (tests/fixtures/make_print_cases.py).</summary>
public class TensorTextTests
{
    private static readonly JsonElement Cases =
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path("printing/torch_print.json"))).RootElement.GetProperty("cases");

    public static TheoryData<string> Names() => [.. Cases.EnumerateObject().Select(c => c.Name)];

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

    private static double Parse(string repr) => repr switch
    {
        "nan" => double.NaN,
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.Parse(repr, CultureInfo.InvariantCulture),
    };
}
