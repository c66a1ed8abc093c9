using NeuronKit.Neurons;
using NeuronKit.Stats;
using NeuronKit.Tensors;
using NeuronKit.Tests.Layers;

namespace NeuronKit.Tests.Stats;

/// <summary>
/// <c>stats --outgoing</c> reads each consumer once, in row blocks (<see cref="OutgoingScan"/>); its norms must be bit for
/// bit the sums of squares of the out parts <c>show --outgoing</c> gives, read neuron by neuron in their order.
/// </summary>
public class OutgoingNormsTests
{
    private static readonly string[] GraphFiles = ["mlp.pt", "mlp.onnx", "mlp3d.onnx", "cnn.pt", "cnn.onnx", "resblock.pt",
        "resblock.onnx", "concat.onnx", "grouped.pt", "lstm.pt", "gpt2_block.safetensors", "llama_ffn.gguf", "phi3_block.safetensors", "phi3_block.gguf", "gqa/model.safetensors", "gqa.gguf",
        "gqa_fused/model.safetensors", "gqa_fused.gguf"];

    public static TheoryData<string> Files() => [.. GraphFiles];

    // Layer, the consumer shape it has, in the graph fixtures.
    public static TheoryData<string, string> ScannedLayers() => new()
    {
        { "mlp.pt", "0" },                    // Linear: column j
        { "cnn.pt", "0" },                    // Conv through BatchNorm: [:, j], a run of kh·kw per row
        { "cnn.pt", "3" },                    // flatten into Linear: [:, 16j:16(j + 1)]
        { "grouped.pt", "0" },                // grouped conv: the rows of j's group only
        { "grouped.pt", "2" },                // depthwise conv: one row each
        { "lstm.pt", "rnn.l0" },              // recurrent consumers' weight_ih by gate, and its own weight_hh
        { "lstm.pt", "rnn.l0_reverse" },      // the reverse direction at column H + j
        { "lstm.pt", "rnn.l1" },              // into a Linear, and its own weight_hh
        { "gpt2_block.safetensors", "h.0.mlp.c_fc" }, // [in, out]: c_proj.weight[j], a row
        { "llama_ffn.gguf", "blk.0.ffn_up" },
        { "phi3_block.safetensors", "model.layers.0.mlp.gate_up_proj" }, // gate | up halves: unit j and n_ff + j read one column
        { "mlp3d.onnx", "/0/MatMul" },        // MatMul by an [in, out] initializer
        { "concat.onnx", "/b/Gemm" },         // after a concatenation: column 3 + j
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Outgoing_norms_are_the_neuron_by_neuron_sums_of_the_out_parts_bit_for_bit(string file)
    {
        using var model = Model.Open(Fixtures.Path(Path.Combine("graph", file)));

        var stats = ModelStats.Compute(model, new StatsOptions { Outgoing = true });

        int measured = 0;
        foreach (var layer in stats.Layers)
        {
            if (model.Graph.ConsumersOf(layer.Layer).Count == 0)
            {
                Assert.All(layer.Neurons, n => Assert.Null(n.OutgoingL2));
                continue;
            }
            for (int j = 0; j < layer.Neurons.Count; j++)
            {
                // A unit no consumer reads through its weights (a query or key unit of a fused q | k | v) has no norm.
                if (!model.Graph.ConsumersOf(layer.Layer).Any(e => e.Carries(j)))
                {
                    Assert.Null(layer.Neurons[j].OutgoingL2);
                    continue;
                }
                var (l2, allZero) = OutgoingNorms.Measure(OutParts(model, layer.Layer.Name, j));
                Assert.Equal(l2, layer.Neurons[j].OutgoingL2!.Value);
                Assert.Equal(allZero, layer.Neurons[j].Unused);
            }
            measured++;
        }
        Assert.True(measured > 0);
    }

    [Theory]
    [MemberData(nameof(ScannedLayers))]
    public void The_row_scan_reads_each_consumer_shape_and_gives_the_neuron_by_neuron_norms(string file, string layer)
    {
        using var model = Model.Open(Fixtures.Path(Path.Combine("graph", file)));
        var parts = Enumerable.Range(0, (int)model.Layer(layer).NeuronCount).Select(j => OutParts(model, layer, j).ToArray()).ToArray();

        var scanned = OutgoingScan.TryMeasure(parts);

        Assert.NotNull(scanned);
        Assert.Equal(parts.Select(OutgoingNorms.Measure), scanned);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float16)]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.Float64)] // not scanned: read neuron by neuron
    public void Float_consumers_with_a_zero_column_give_the_same_norms_and_flag_it_unused(DType dtype)
    {
        // Given Linear(6, 21) into Linear(21, 8000): rows beyond one read block and neurons beyond one vector; column 2 all zero
        var random = new Random(13);
        double[] consumer = [.. Enumerable.Range(0, 8000 * 21).Select(i => i % 21 == 2 ? 0 : random.NextDouble() - 0.5)];
        consumer[1] = 1e-40; // a float32 subnormal; float16 and bfloat16 round it to 0 or their own smallest
        using var model = new CheckpointBuilder().Tensor("0.weight", 21, 6).Tensor("0.bias", 21)
            .Values("2.weight", dtype, [8000, 21], consumer).Tensor("2.bias", 8000).Model();

        // When
        var stats = ModelStats.Compute(model, [model.Layer("0")], new StatsOptions { Outgoing = true });

        // Then
        var neurons = stats.Layers.Single().Neurons;
        Assert.Equal(Enumerable.Range(0, 21).Select(j => OutgoingNorms.Measure(OutParts(model, "0", j))),
            neurons.Select(n => (n.OutgoingL2!.Value, n.Unused)));
        Assert.Equal(Enumerable.Range(0, 21).Select(j => j == 2), neurons.Select(n => n.Unused));
    }

    private static IEnumerable<NeuronPart> OutParts(Model model, string layer, long j) =>
        model.Graph.WithOutgoing(model.Neuron(layer, j)).Parts.Where(p => p.Direction == PartDirection.Out);
}
