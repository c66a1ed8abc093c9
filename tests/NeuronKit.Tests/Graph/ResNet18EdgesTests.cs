using System.Text.Json;
using NeuronKit.Neurons;
using NeuronKit.Tests.Formats.Onnx;

namespace NeuronKit.Tests.Graph;

/// <summary>
/// The layer graph of a real third-party model, ML.NET's ResNet18 (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18): each
/// Conv's consumers, through its BatchNormalization, as graph/resnet18_edges.json lists them from the onnx package's reading
/// of the same graph (make_graph.py). The shortcuts make a convolution feed every convolution up to the next downsample.
/// </summary>
public class ResNet18EdgesTests
{
    private static readonly Lazy<JsonElement> Edges = new(() =>
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path(Path.Combine("graph", "resnet18_edges.json")))).RootElement);

    public static TheoryData<string> Convs() => [.. Edges.Value.GetProperty("convs").EnumerateArray().Select(c => c.GetProperty("layer").GetString()!)];

    [Fact]
    public void Layers_are_listed_in_the_order_data_flows_through_them_not_where_their_initializers_sit()
    {
        using var model = Model.Open(OnnxExpected.ResNet18Path);

        // The file stores the last convolution's initializer first; its nodes run stem first.
        Assert.Equal(Edges.Value.GetProperty("convs").EnumerateArray().Select(c => c.GetProperty("layer").GetString()), model.Layers.Where(l => l.Kind.StartsWith("Conv", StringComparison.Ordinal)).Select(l => (string?)l.Name));
        Assert.Equal(("Convolution249", "BatchNormalization251"), (model.Layers[0].Name, model.Layers[1].Name));
    }

    [Theory]
    [MemberData(nameof(Convs))]
    public void Each_convolution_feeds_the_convolutions_the_graph_says_through_its_BatchNorm(string conv)
    {
        var expected = Edges.Value.GetProperty("convs").EnumerateArray().Single(c => c.GetProperty("layer").GetString() == conv);
        using var model = Model.Open(OnnxExpected.ResNet18Path);

        var edges = model.Graph.ConsumersOf(model.Layer(conv));

        var want = expected.GetProperty("consumers").EnumerateArray().Select(c => c.GetProperty("consumer").GetString()).Order().ToList();
        Assert.Equal(want, edges.Select(e => (string?)e.Consumer.Name).Order());
        var through = expected.GetProperty("through").EnumerateArray().Select(t => t.GetProperty("layer").GetString()).ToList();
        Assert.All(edges, e => Assert.Equal(through, e.Through.Select(t => (string?)t.Name)));
        if (want.Count == 0)
        {
            var refused = Assert.Throws<RequestException>(() => model.Graph.WithOutgoing(model.Neuron(conv, 1)));
            Assert.Contains("is an output of the model", refused.Message);
            return;
        }
        var outgoing = model.Graph.WithOutgoing(model.Neuron(conv, 1)).Parts.Where(p => p.Direction == PartDirection.Out);
        Assert.Equal(expected.GetProperty("consumers").EnumerateArray().Select(c => (c.GetProperty("tensor").GetString(), "[:, 1]")).Order(),
            outgoing.Select(p => ((string?)p.Tensor, p.Index)).Order());
    }
}
