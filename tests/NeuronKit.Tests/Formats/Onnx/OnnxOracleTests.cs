namespace NeuronKit.Tests.Formats.Onnx;

/// <summary>The ONNX reference answers cover every kind an ONNX node makes; Oracle/OracleTests checks each of them.</summary>
public class OnnxOracleTests
{
    [Fact]
    public void The_oracle_covers_every_kind_an_onnx_node_makes()
    {
        var kinds = OnnxExpected.Queries().Select(q => q.Expect.GetProperty("kind").GetString()).ToHashSet();

        Assert.Superset(new HashSet<string?> { "Linear", "Conv2d", "ConvTranspose2d", "BatchNorm", "LayerNorm", "Embedding", "LSTM", "GRU", "RNN" }, kinds);
    }
}
