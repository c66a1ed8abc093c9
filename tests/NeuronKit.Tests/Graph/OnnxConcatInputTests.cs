using System.Text.Json;
using NeuronKit.Neurons;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Layers;
using NeuronKit.Tests.Web;

namespace NeuronKit.Tests.Graph;

/// <summary>
/// A Concat that reads a layer's output beside a value no layer makes (U-Net's and DenseNet's <c>torch.cat([x, h], 1)</c>
/// of the model's input): the other value's channels are those the file declares for it (its graph.input or value_info
/// shape on the Concat's axis, an initializer's shape), so the layer's channel j is the next layer's input offset + j.
/// A value with no declared count stays uncounted, with the reason given for it. concat_input/*.onnx are torch.onnx.export's
/// (make_concat_input.py, which proved each slice by a forward pass); the pruned models run in ONNX Runtime in PruneOnnxTests.
/// </summary>
public class OnnxConcatInputTests
{
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("concat_input/expected.json"))).RootElement;

    private const string Uncounted = "Concat node 'join' reads it beside x, whose channels NeuronKit cannot count, so where its own land is unknown";

    public static TheoryData<string, long> Outgoing()
    {
        var cases = new TheoryData<string, long>();
        foreach (var c in Expected.GetProperty("outgoing").EnumerateArray()) cases.Add(c.GetProperty("file").GetString()!, c.GetProperty("neuron").GetInt64());
        return cases;
    }

    [Theory]
    [MemberData(nameof(Outgoing))]
    public void A_layer_concatenated_with_the_model_input_reaches_the_next_conv_at_the_declared_offset(string file, long j)
    {
        // Given the next conv's weight column that PyTorch's forward pass proved reads channel j
        var expected = Case(file, j);
        using var model = Model.Open(Fixtures.Path("concat_input/" + file));

        // When conv1's neuron j is read with its outgoing parts
        var outgoing = model.Graph.WithOutgoing(model.Neuron(expected.GetProperty("layer").GetString()!, j)).Parts
            .Where(p => p.Direction == PartDirection.Out).ToList();

        // Then the one part is that column, the model input's declared channels before it where they come first
        var part = Assert.Single(outgoing);
        Assert.Equal((expected.GetProperty("consumer").GetString(), expected.GetProperty("tensor").GetString(), expected.GetProperty("index").GetString()),
            (part.Consumer, part.Tensor, part.Index));
        Assert.Equal(expected.GetProperty("values").EnumerateArray().Select(v => (float)v.GetDouble()), part.ToFloats());
    }

    [Theory]
    [MemberData(nameof(Outgoing))]
    public void Show_outgoing_gives_that_column(string file, long j)
    {
        // Given
        var expected = Case(file, j);

        // When
        var run = CliRun.Of("show", Fixtures.Path("concat_input/" + file), expected.GetProperty("layer").GetString()!, $"{j}", "--outgoing", "--json");

        // Then
        Assert.True(run.Exit == 0, run.Stderr);
        var part = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("parts").EnumerateArray().Single(p => p.GetProperty("direction").GetString() == "out");
        Assert.Equal((expected.GetProperty("consumer").GetString(), expected.GetProperty("index").GetString()),
            (part.GetProperty("consumer").GetString(), part.GetProperty("index").GetString()));
        Assert.Empty(run.Stderr);
    }

    [Fact]
    public async Task The_served_outgoing_view_gives_the_same_column()
    {
        // Given first.onnx served
        string file = Fixtures.Path("concat_input/first.onnx");
        await using var served = await ServedFolder.Start([file]);

        // When conv1's neuron 1 is asked for with its outgoing parts
        var (status, body) = await served.Get("/api/show?file=0&layer=%2Fconv1%2FConv&neuron=1&outgoing=true");

        // Then the answer is the CLI's, whose out part is conv2's input 3 + 1
        Assert.Equal(200, status);
        Assert.Equal(CliRun.Of("show", file, "/conv1/Conv", "1", "--json", "--outgoing").Stdout, body);
        Assert.Contains("\"direction\":\"out\",\"consumer\":\"/conv2/Conv\",\"index\":\"[:, 4]\"", body);
    }

    [Theory]
    [InlineData("show")]
    [InlineData("prune")]
    public void A_model_input_of_symbolic_channels_stays_uncounted(string command)
    {
        // Given dynamic.onnx, whose x declares its channel dim as dim_param "channels"
        var refused = Expected.GetProperty("refused").EnumerateArray().Single();
        string path = Fixtures.Path("concat_input/" + refused.GetProperty("file").GetString());
        string layer = refused.GetProperty("layer").GetString()!, neuron = $"{refused.GetProperty("neuron").GetInt64()}";

        // When
        var run = command == "show" ? CliRun.Of("show", path, layer, neuron, "--outgoing") : CliRun.Of("prune", path, layer, neuron, "--dry-run");

        // Then the reason is the one given where the file declares nothing
        Assert.Equal(refused.GetProperty("exit").GetInt32(), run.Exit);
        Assert.Contains(refused.GetProperty("contains").GetString()!, run.Stderr);
    }

    // x [N, 3, 8, 8] (declared as given) → conv1 (4 filters) → Relu → Concat(x, ·) → conv2 (reads 7).
    private static Model Declared(params long?[] x)
    {
        var builder = new CheckpointBuilder().Tensor("conv1.weight", 4, 3, 3, 3).Tensor("conv2.weight", 2, 7, 3, 3)
            .Node("Conv", "conv1", ["x", "conv1.weight"], ["h"])
            .Node("Relu", "relu", ["h"], ["r"])
            .Node("Concat", "join", ["x", "r"], ["c"], ints: new() { ["axis"] = 1 })
            .Node("Conv", "conv2", ["c", "conv2.weight"], ["y"]);
        return (x.Length > 0 ? builder.Declared("x", x) : builder).Model();
    }

    [Fact]
    public void A_declared_channel_count_puts_the_layer_after_the_input_s_channels()
    {
        using var model = Declared(1, 3, 8, 8);

        var edge = Assert.Single(model.Graph.ConsumersOf(model.Layer("conv1")));

        Assert.Equal(("conv2", 3L), (edge.Consumer.Name, edge.Map.Offset));
        Assert.Equal("[:, 4]", model.Graph.WithOutgoing(model.Neuron("conv1", 1)).Parts.Single(p => p.Direction == PartDirection.Out).Index);
        Assert.Equal("3 of them come before conv1's: its unit j is input 3 + j", edge.Evidence[^1]);
    }

    [Fact]
    public void A_flatten_after_the_concatenation_puts_channel_j_s_block_after_the_input_s_blocks_and_says_so()
    {
        // x [N, 3, 2, 2] → conv1 (4 filters, 1×1) → Concat(x, ·) → Flatten → fc reads 7 channels × 4 positions.
        using var model = new CheckpointBuilder().Tensor("conv1.weight", 4, 3, 1, 1).Tensor("fc.weight", 5, 28)
            .Node("Conv", "conv1", ["x", "conv1.weight"], ["h"])
            .Node("Concat", "join", ["x", "h"], ["c"], ints: new() { ["axis"] = 1 })
            .Node("Flatten", "flatten", ["c"], ["f"], ints: new() { ["axis"] = 1 })
            .Node("Gemm", "fc", ["f", "fc.weight"], ["y"], ints: new() { ["transB"] = 1 })
            .Declared("x", 1, 3, 2, 2).Model();

        var edge = Assert.Single(model.Graph.ConsumersOf(model.Layer("conv1")));

        Assert.Equal(("fc", 12L, 4L), (edge.Consumer.Name, edge.Map.Offset, edge.Map.Spread));
        Assert.Equal("[:, 20:24]", model.Graph.WithOutgoing(model.Neuron("conv1", 2)).Parts.Single(p => p.Direction == PartDirection.Out).Index);
        Assert.Equal("3 channels come before conv1's: its channel j is inputs (3 + j)·4 to (3 + j + 1)·4 − 1", edge.Evidence[^1]);
    }

    public static TheoryData<long?[]> Unknown() =>
    [
        [],                                 // no declared shape
        [1, null, 8, 8],                    // a symbolic or missing channel dim
        [1, -3, 8, 8],                      // what no reader keeps: a negative dim, and one past int's range
        [1, 1L << 40, 8, 8],
    ];

    [Theory]
    [MemberData(nameof(Unknown))]
    public void An_input_without_a_declared_count_stays_uncounted_with_the_same_reason(long?[] x)
    {
        using var model = Declared(x);

        var conv1 = model.Layer("conv1");

        Assert.Empty(model.Graph.ConsumersOf(conv1));
        Assert.Equal(Uncounted, model.Graph.WhyNoConsumer(conv1));
    }

    [Fact]
    public void A_value_made_from_the_input_by_a_channel_wise_operation_has_the_input_s_declared_channels()
    {
        // Given x [1, 3, 8, 8] → MaxPool → Concat(pooled, conv1's) with no shape declared for the pooled value
        using var model = new CheckpointBuilder().Tensor("conv1.weight", 4, 3, 3, 3).Tensor("conv2.weight", 2, 7, 3, 3)
            .Node("Conv", "conv1", ["x", "conv1.weight"], ["h"], ints: new() { ["stride"] = 2 })
            .Node("MaxPool", "pool", ["x"], ["p"])
            .Node("Concat", "join", ["p", "h"], ["c"], ints: new() { ["axis"] = 1 })
            .Node("Conv", "conv2", ["c", "conv2.weight"], ["y"])
            .Declared("x", 1, 3, 8, 8).Declared("p", 1, null, 4, 4)
            .Model();

        var edge = Assert.Single(model.Graph.ConsumersOf(model.Layer("conv1")));

        Assert.Equal(3L, edge.Map.Offset);
    }

    [Fact]
    public void A_constant_concatenated_has_the_channels_of_its_shape()
    {
        // Given fc1 (4 units) → Concat(fc1's, a constant [1, 2]) on axis −1 → fc2 reading 6
        using var model = new CheckpointBuilder().Tensor("fc1.weight", 4, 3).Tensor("fc2.weight", 2, 6).Tensor("extra", 1, 2)
            .Node("Gemm", "fc1", ["x", "fc1.weight"], ["h"], ints: new() { ["transB"] = 1 })
            .Node("Concat", "join", ["extra", "h"], ["c"], ints: new() { ["axis"] = -1 })
            .Node("Gemm", "fc2", ["c", "fc2.weight"], ["y"], ints: new() { ["transB"] = 1 })
            .Model();

        var edge = Assert.Single(model.Graph.ConsumersOf(model.Layer("fc1")));

        Assert.Equal(("fc2", 2L), (edge.Consumer.Name, edge.Map.Offset));
    }

    [Fact]
    public void A_negative_axis_is_read_with_the_declared_rank()
    {
        // Given x [1, 3] and fc1's [1, 4] concatenated on axis −1 (their axis 1) into fc2 reading 7
        using var model = new CheckpointBuilder().Tensor("fc1.weight", 4, 3).Tensor("fc2.weight", 2, 7)
            .Node("Gemm", "fc1", ["x", "fc1.weight"], ["h"], ints: new() { ["transB"] = 1 })
            .Node("Concat", "join", ["x", "h"], ["c"], ints: new() { ["axis"] = -1 })
            .Node("Gemm", "fc2", ["c", "fc2.weight"], ["y"], ints: new() { ["transB"] = 1 })
            .Declared("x", 1, 3)
            .Model();

        var edge = Assert.Single(model.Graph.ConsumersOf(model.Layer("fc1")));

        Assert.Equal(3L, edge.Map.Offset);
    }

    [Fact]
    public void A_concat_on_the_last_axis_of_a_declared_map_is_not_one_of_channels()
    {
        // Given x [1, 7, 8, 3]: axis −1 of a rank-4 value is its width, not conv1's channels (axis 1)
        using var model = new CheckpointBuilder().Tensor("conv1.weight", 4, 7, 3, 3).Tensor("conv2.weight", 2, 7, 3, 3)
            .Node("Conv", "conv1", ["x", "conv1.weight"], ["h"])
            .Node("Concat", "join", ["x", "h"], ["c"], ints: new() { ["axis"] = -1 })
            .Node("Conv", "conv2", ["c", "conv2.weight"], ["y"])
            .Declared("x", 1, 7, 8, 3)
            .Model();

        var conv1 = model.Layer("conv1");

        Assert.Empty(model.Graph.ConsumersOf(conv1));
    }

    private static JsonElement Case(string file, long j) => Expected.GetProperty("outgoing").EnumerateArray()
        .Single(c => c.GetProperty("file").GetString() == file && c.GetProperty("neuron").GetInt64() == j);
}
