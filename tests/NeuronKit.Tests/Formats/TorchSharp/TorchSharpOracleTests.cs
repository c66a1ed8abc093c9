namespace NeuronKit.Tests.Formats.TorchSharp;

/// <summary>The TorchSharp reference answers (TorchSharp's own indexing) cover every kind asked for; Oracle/OracleTests checks each.</summary>
public class TorchSharpOracleTests
{
    [Fact]
    public void The_oracle_covers_every_kind_it_was_asked_for()
    {
        var kinds = TorchSharpQuery.All().Select(q => q.Expect.GetProperty("kind").GetString()).ToHashSet();

        Assert.Superset(new HashSet<string?> { "Linear", "Conv2d", "LSTM", "GRU", "ConvTranspose2d", "BatchNorm2d", "Embedding" }, kinds);
        Assert.Equal(["bfloat16", "complex128", "complex64", "float16", "float32", "float64"], TorchSharpQuery.All()
            .SelectMany(q => q.Expect.GetProperty("parts").EnumerateArray()).Select(p => p.GetProperty("dtype").GetString()).Distinct().Order());
        Assert.Equal("0.107.0", TorchSharpQuery.Root.GetProperty("torchsharp").GetString());
    }
}
