using NeuronKit.Neurons;
using NeuronKit.Tests.Layers;

namespace NeuronKit.Tests.Graph;

/// <summary>
/// Consumers from the name conventions of well-known families, each checked against shapes (the tensors hold their element
/// indices, so a slice's values say which elements it took); forward-pass checks of the same rules live with the graph fixtures.
/// </summary>
public class GraphConventionsTests
{
    [Fact]
    public void BERT_intermediate_dense_feeds_output_dense_of_the_same_layer_and_the_edge_is_assumed()
    {
        using var model = new CheckpointBuilder()
            .Tensor("encoder.layer.0.intermediate.dense.weight", 16, 4).Tensor("encoder.layer.0.intermediate.dense.bias", 16)
            .Tensor("encoder.layer.0.output.dense.weight", 4, 16).Tensor("encoder.layer.0.output.dense.bias", 4).Model();

        var edge = Assert.Single(model.Graph.ConsumersOf(model.Layer("encoder.layer.0.intermediate.dense")));
        var outgoing = model.Graph.WithOutgoing(model.Neuron("encoder.layer.0.intermediate.dense", 5)).Parts.Last();

        Assert.Equal(("encoder.layer.0.output.dense", true, false), (edge.Consumer.Name, edge.Assumed, edge.Residual));
        Assert.StartsWith("name convention: BERT's feed-forward", edge.Evidence[0]);
        Assert.Equal(("encoder.layer.0.output.dense.weight", "[:, 5]", PartDirection.Out), (outgoing.Tensor, outgoing.Index, outgoing.Direction));
        Assert.Equal([5.0, 21, 37, 53], outgoing.ToDoubles());
    }

    [Theory]
    [InlineData("model.layers.0.mlp.up_proj", "model.layers.0.mlp.down_proj")]                                        // LLaMA's MLP
    [InlineData("model.layers.0.mlp.gate_proj", "model.layers.0.mlp.down_proj")]
    [InlineData("model.layers.1.mlp.experts.3.up_proj", "model.layers.1.mlp.experts.3.down_proj")]                    // DeepSeek's and Qwen's experts
    [InlineData("model.layers.1.mlp.shared_experts.gate_proj", "model.layers.1.mlp.shared_experts.down_proj")]
    [InlineData("model.layers.0.block_sparse_moe.experts.2.w3", "model.layers.0.block_sparse_moe.experts.2.w2")]     // Mixtral's experts
    [InlineData("layers.0.feed_forward.w1", "layers.0.feed_forward.w2")]                                              // Meta's reference code
    [InlineData("model.layers.0.self_attn.v_proj", "model.layers.0.self_attn.o_proj")]                                // attention values
    [InlineData("layers.0.attention.wv", "layers.0.attention.wo")]
    public void Hugging_Face_and_Meta_names_say_what_reads_a_gated_MLP_unit_and_an_attention_value(string producer, string consumer)
    {
        // Given the producer [16, 4] beside its consumer [4, 16] and, for an expert, another expert's consumer too
        string other = consumer.Replace("experts.3.", "experts.0.").Replace("experts.2.", "experts.0.");
        var builder = new CheckpointBuilder().Tensor(producer + ".weight", 16, 4).Tensor(consumer + ".weight", 4, 16);
        if (other != consumer) builder = builder.Tensor(other + ".weight", 4, 16);
        using var model = builder.Model();

        var edge = Assert.Single(model.Graph.ConsumersOf(model.Layer(producer)));
        var outgoing = model.Graph.WithOutgoing(model.Neuron(producer, 5)).Parts.Last();

        // Then the consumer of the same module (the same expert) reads unit 5 as its column 5, an assumed edge
        Assert.Equal((consumer, true), (edge.Consumer.Name, edge.Assumed));
        Assert.Equal((consumer + ".weight", "[:, 5]"), (outgoing.Tensor, outgoing.Index));
        Assert.Equal([5.0, 21, 37, 53], outgoing.ToDoubles());
    }

    [Theory]
    [InlineData("model.layers.0.mlp.gate_up_proj", "model.layers.0.mlp.down_proj")]             // Phi-3's and GLM-4's MLP
    [InlineData("transformer.encoder.layers.0.mlp.dense_h_to_4h", "transformer.encoder.layers.0.mlp.dense_4h_to_h")] // ChatGLM's
    [InlineData("blk.0.ffn_up", "blk.0.ffn_down")]                                                 // llama.cpp's phi3 and chatglm
    public void A_fused_gate_and_up_projection_reaches_its_consumer_from_both_halves(string producer, string consumer)
    {
        // Given gate | up [12, 4] (no gate of its own beside it) and a consumer [4, 6] that reads half of them
        using var model = new CheckpointBuilder().Tensor(producer + ".weight", 12, 4).Tensor(consumer + ".weight", 4, 6).Model();

        var edge = Assert.Single(model.Graph.ConsumersOf(model.Layer(producer)));
        var gate = model.Graph.WithOutgoing(model.Neuron(producer, 2)).Parts.Last();
        var up = model.Graph.WithOutgoing(model.Neuron(producer, 8)).Parts.Last();

        // Then gate unit 2 and up unit 6 + 2 both multiply the consumer's column 2
        Assert.Equal((consumer, true, 6L), (edge.Consumer.Name, edge.Assumed, edge.Map.Fold));
        Assert.Contains("are gate | up, 6 each", edge.Evidence[1]);
        Assert.Equal((consumer + ".weight", "[:, 2]"), (gate.Tensor, gate.Index));
        Assert.Equal((consumer + ".weight", "[:, 2]"), (up.Tensor, up.Index));
        Assert.Equal([2.0, 8, 14, 20], up.ToDoubles());
    }

    [Theory]
    [InlineData("gpt_neox.layers.0.mlp.dense_h_to_4h", "gpt_neox.layers.0.mlp.dense_4h_to_h")] // GPT-NeoX's, BLOOM's, Falcon's: not gated
    [InlineData("blk.0.ffn_up", "blk.0.ffn_down")]                                             // llama.cpp's GPT-2 and Falcon
    public void A_producer_its_consumer_reads_whole_is_read_one_for_one_not_as_halves(string producer, string consumer)
    {
        using var model = new CheckpointBuilder().Tensor(producer + ".weight", 16, 4).Tensor(consumer + ".weight", 4, 16).Model();

        var edge = Assert.Single(model.Graph.ConsumersOf(model.Layer(producer)));
        var outgoing = model.Graph.WithOutgoing(model.Neuron(producer, 9)).Parts.Last();

        Assert.Equal((consumer, (long?)null), (edge.Consumer.Name, edge.Map.Fold));
        Assert.Equal((consumer + ".weight", "[:, 9]"), (outgoing.Tensor, outgoing.Index));
    }

    [Theory]
    [InlineData("model.layers.0.self_attn.qkv_proj", "model.layers.0.self_attn.o_proj")] // Phi-3's attention
    [InlineData("blk.0.attn_qkv", "blk.0.attn_output")]                                  // llama.cpp's fused q | k | v
    public void A_fused_q_k_v_projection_reaches_its_output_projection_from_its_value_third_only(string producer, string consumer)
    {
        using var model = new CheckpointBuilder().Tensor(producer + ".weight", 12, 4).Tensor(consumer + ".weight", 4, 4).Model();

        var value = model.Graph.WithOutgoing(model.Neuron(producer, 9)).Parts.Last();
        var key = Assert.Throws<RequestException>(() => model.Graph.WithOutgoing(model.Neuron(producer, 5)));

        Assert.Equal((consumer + ".weight", "[:, 1]"), (value.Tensor, value.Index));
        Assert.Equal([1.0, 5, 9, 13], value.ToDoubles());
        Assert.Contains("is a key unit (0..3 query, 4..7 key, 8..11 value)", key.Message);
    }

    [Theory]
    [InlineData("moe/deepseek_v3.safetensors", "model.layers.1.self_attn.q_a_proj", "model.layers.1.self_attn.q_a_layernorm", "model.layers.1.self_attn.q_b_proj")]
    [InlineData("deepseek2_f32.gguf", "blk.1.attn_q_a", "blk.1.attn_q_a_norm", "blk.1.attn_q_b")]
    public void DeepSeek_s_low_rank_query_unit_goes_out_through_its_norm_into_q_b(string file, string producer, string norm, string consumer)
    {
        // Given DeepSeek-V3 (latent rank of the queries 32) in either naming
        using var model = Model.Open(Fixtures.Path("diff/cross/" + file));

        var edge = Assert.Single(model.Graph.ConsumersOf(model.Layer(producer)));
        var parts = model.Graph.WithOutgoing(model.Neuron(producer, 7)).Parts;

        // Then unit 7 reaches q_b's column 7 through the norm's scale 7
        Assert.Equal((consumer, true), (edge.Consumer.Name, edge.Assumed));
        Assert.Contains(parts, p => p.Tensor == norm + ".weight" && p.Index == "[7]");
        Assert.Equal((consumer + ".weight", "[:, 7]"), (parts[^1].Tensor, parts[^1].Index));
    }

    [Fact]
    public void A_Hugging_Face_LLaMA_s_MLP_unit_goes_out_through_the_down_proj_column_its_GGUF_s_goes_through()
    {
        // Given the tiny LLaMA in Hugging Face naming and its f32 GGUF (make_diff_cross.py: the same values, names mapped)
        using var hf = Model.Open(Fixtures.Path("diff/cross/llama/model.safetensors"));
        using var gguf = Model.Open(Fixtures.Path("diff/cross/llama_f32.gguf"));

        // When unit 9 of block 1's up projection is read with its outgoing weights in each
        var fromHf = hf.Graph.WithOutgoing(hf.Neuron("model.layers.1.mlp.up_proj", 9)).Parts.Last();
        var fromGguf = gguf.Graph.WithOutgoing(gguf.Neuron("blk.1.ffn_up", 9)).Parts.Last();

        // Then both are column 9 of the down projection, the same 32 values, by two conventions
        Assert.Equal(("model.layers.1.mlp.down_proj.weight", "[:, 9]"), (fromHf.Tensor, fromHf.Index));
        Assert.Equal(("blk.1.ffn_down.weight", "[:, 9]"), (fromGguf.Tensor, fromGguf.Index));
        Assert.Equal(fromGguf.ToDoubles(), fromHf.ToDoubles());
    }

    [Fact]
    public void A_consumer_the_shapes_refute_gives_no_edge_and_the_reason_names_the_convention()
    {
        using var model = new CheckpointBuilder()
            .Tensor("encoder.layer.0.intermediate.dense.weight", 16, 4).Tensor("encoder.layer.0.intermediate.dense.bias", 16)
            .Tensor("encoder.layer.0.output.dense.weight", 4, 15).Tensor("encoder.layer.0.output.dense.bias", 4).Model();
        var layer = model.Layer("encoder.layer.0.intermediate.dense");

        var refused = Assert.Throws<RequestException>(() => model.Graph.WithOutgoing(layer.Neuron(0)));

        Assert.Empty(model.Graph.ConsumersOf(layer));
        Assert.Equal("BERT's feed-forward: output.dense(gelu(intermediate.dense(x))), but encoder.layer.0.output.dense (Linear) " +
            "does not read 16 channels of encoder.layer.0.intermediate.dense", model.Graph.WhyNoConsumer(layer));
        Assert.Contains(model.Graph.WhyNoConsumer(layer), refused.Message);
    }

    [Fact]
    public void A_GPT2_c_fc_unit_is_a_row_of_c_proj_stored_in_out()
    {
        using var model = new CheckpointBuilder()
            .Tensor("h.0.mlp.c_fc.weight", 4, 16).Tensor("h.0.mlp.c_fc.bias", 16)
            .Tensor("h.0.mlp.c_proj.weight", 16, 4).Tensor("h.0.mlp.c_proj.bias", 4).Model();

        var outgoing = model.Graph.WithOutgoing(model.Neuron("h.0.mlp.c_fc", 9)).Parts.Last();

        Assert.Equal(("h.0.mlp.c_proj.weight", "[9]", "h.0.mlp.c_proj"), (outgoing.Tensor, outgoing.Index, outgoing.Consumer));
        Assert.Equal([36.0, 37, 38, 39], outgoing.ToDoubles());
    }

    [Fact]
    public void Grouped_query_values_are_not_read_as_a_flatten_into_attn_output()
    {
        // attn_v [2 kv heads × 4, 8] against attn_output [8, 4 heads × 4]: each value feeds two heads, not a block of columns.
        using var model = new CheckpointBuilder().Tensor("blk.0.attn_v.weight", 8, 8).Tensor("blk.0.attn_output.weight", 8, 16).Model();
        var layer = model.Layer("blk.0.attn_v");

        Assert.Empty(model.Graph.ConsumersOf(layer));
        Assert.Contains("does not read 8 channels of blk.0.attn_v", model.Graph.WhyNoConsumer(layer));
    }

    [Fact]
    public void A_two_layer_LSTM_feeds_its_next_sub_layer_through_weight_ih_per_gate_and_itself_through_weight_hh()
    {
        using var model = new CheckpointBuilder()
            .Tensor("rnn.weight_ih_l0", 8, 3).Tensor("rnn.weight_hh_l0", 8, 2)
            .Tensor("rnn.weight_ih_l1", 8, 2).Tensor("rnn.weight_hh_l1", 8, 2).Model();

        var edges = model.Graph.ConsumersOf(model.Layer("rnn.l0"));
        var outgoing = model.Graph.WithOutgoing(model.Neuron("rnn.l0", 1)).Parts.Where(p => p.Direction == PartDirection.Out);

        Assert.Equal([("rnn.l1", false), ("rnn.l0", true)], edges.Select(e => (e.Consumer.Name, e.Feedback)));
        Assert.Equal(["rnn.weight_ih_l1[0:2, 1]", "rnn.weight_ih_l1[2:4, 1]", "rnn.weight_ih_l1[4:6, 1]", "rnn.weight_ih_l1[6:8, 1]",
                "rnn.weight_hh_l0[0:2, 1]", "rnn.weight_hh_l0[2:4, 1]", "rnn.weight_hh_l0[4:6, 1]", "rnn.weight_hh_l0[6:8, 1]"],
            outgoing.Select(p => p.Tensor + p.Index));
        Assert.Equal(["input", "forget", "cell", "output", "input", "forget", "cell", "output"], outgoing.Select(p => p.Gate?.Name));
    }

    [Fact]
    public void A_top_LSTM_sub_layer_without_a_Linear_after_it_has_no_consumer_not_even_its_own_weight_hh()
    {
        using var model = new CheckpointBuilder().Tensor("rnn.weight_ih_l0", 8, 3).Tensor("rnn.weight_hh_l0", 8, 2).Model();
        var layer = model.Layer("rnn.l0");

        Assert.Empty(model.Graph.ConsumersOf(layer));
        Assert.Equal("no Linear is saved right after rnn to read its output", model.Graph.WhyNoConsumer(layer));
    }

    [Fact]
    public void A_bidirectional_top_feeds_the_following_Linear_with_the_reverse_unit_at_H_plus_j()
    {
        using var model = new CheckpointBuilder()
            .Tensor("rnn.weight_ih_l0", 8, 3).Tensor("rnn.weight_hh_l0", 8, 2)
            .Tensor("rnn.weight_ih_l0_reverse", 8, 3).Tensor("rnn.weight_hh_l0_reverse", 8, 2)
            .Tensor("fc.weight", 3, 4).Tensor("fc.bias", 3).Model();

        var edge = model.Graph.ConsumersOf(model.Layer("rnn.l0_reverse"))[0];
        var outgoing = model.Graph.WithOutgoing(model.Neuron("rnn.l0_reverse", 1)).Parts.First(p => p.Direction == PartDirection.Out);

        Assert.Equal(("fc", 2L, 1L, true), (edge.Consumer.Name, edge.Map.Offset, edge.Map.Spread, edge.Assumed));
        Assert.StartsWith("convention: the Linear saved right after rnn, fc, reads its output", edge.Evidence[0]);
        Assert.Equal(("fc.weight", "[:, 3]"), (outgoing.Tensor, outgoing.Index));
    }

    [Fact]
    public void A_consumer_named_for_a_reverse_direction_reads_it_at_H_plus_j_not_as_a_flatten()
    {
        using var model = new CheckpointBuilder()
            .Tensor("rnn.weight_ih_l0", 8, 3).Tensor("rnn.weight_hh_l0", 8, 2)
            .Tensor("rnn.weight_ih_l0_reverse", 8, 3).Tensor("rnn.weight_hh_l0_reverse", 8, 2)
            .Tensor("head.weight", 3, 4).Tensor("head.bias", 3).Tensor("other.weight", 5, 6).Model();

        var edge = model.Edge(model.Layer("rnn.l0_reverse"), "head");

        Assert.Equal(("head", 2L, 1L, false), (edge.Consumer.Name, edge.Map.Offset, edge.Map.Spread, edge.Assumed));
    }

    [Fact]
    public void A_recurrent_layer_named_as_its_own_consumer_is_read_through_its_weight_hh_and_a_Linear_is_refused()
    {
        using var model = new CheckpointBuilder().Tensor("rnn.weight_ih_l0", 4, 3).Tensor("rnn.weight_hh_l0", 4, 4).Tensor("fc.weight", 4, 4).Model();

        var edge = model.Edge(model.Layer("rnn.l0"), "rnn.l0");
        var outgoing = model.Graph.WithOutgoing(model.Neuron("rnn.l0", 2), [edge]).Parts.Last();
        var refused = Assert.Throws<RequestException>(() => model.Edge(model.Layer("fc"), "fc"));

        Assert.Equal(("rnn.weight_hh_l0", "[0:4, 2]", (string?)null), (outgoing.Tensor, outgoing.Index, outgoing.Gate?.Name));
        Assert.Equal("layer 'fc' (Linear) does not read its own output", refused.Message);
    }

    [Fact]
    public void A_projected_LSTM_has_no_consumer_because_its_output_is_not_its_units()
    {
        using var model = new CheckpointBuilder()
            .Tensor("rnn.weight_ih_l0", 8, 3).Tensor("rnn.weight_hh_l0", 8, 1).Tensor("rnn.weight_hr_l0", 1, 2)
            .Tensor("rnn.weight_ih_l1", 8, 1).Tensor("rnn.weight_hh_l1", 8, 1).Tensor("rnn.weight_hr_l1", 1, 2).Model();
        var layer = model.Layer("rnn.l0");

        Assert.Empty(model.Graph.ConsumersOf(layer));
        Assert.Equal("its output is weight_hr's projection of its hidden units, not the units themselves", model.Graph.WhyNoConsumer(layer));
    }

    [Fact]
    public void A_block_saved_with_its_head_feeds_fc_through_bn2_as_a_residual_edge()
    {
        using var model = new CheckpointBuilder()
            .Tensor("conv1.weight", 4, 4, 3, 3).Tensor("bn1.weight", 4).Tensor("bn1.bias", 4).Tensor("bn1.running_mean", 4).Tensor("bn1.running_var", 4)
            .Tensor("conv2.weight", 4, 4, 3, 3).Tensor("bn2.weight", 4).Tensor("bn2.bias", 4).Tensor("bn2.running_mean", 4).Tensor("bn2.running_var", 4)
            .Tensor("fc.weight", 3, 4).Tensor("fc.bias", 3).Model();

        var first = Assert.Single(model.Graph.ConsumersOf(model.Layer("conv1")));
        var second = Assert.Single(model.Graph.ConsumersOf(model.Layer("conv2")));

        Assert.Equal(("conv2", "bn1", false), (first.Consumer.Name, string.Join(",", first.Through.Select(t => t.Name)), first.Residual));
        Assert.Equal(("fc", "bn2", true), (second.Consumer.Name, string.Join(",", second.Through.Select(t => t.Name)), second.Residual));
        Assert.Contains("shortcut", second.Evidence[^1]);
    }

    [Fact]
    public void A_ResNet_block_output_reaches_every_block_up_to_the_next_downsample_through_the_identity_shortcuts()
    {
        var builder = new CheckpointBuilder().Tensor("conv1.weight", 4, 3, 3, 3).Norm("bn1", 4);
        foreach (string block in (string[])["layer1.0", "layer1.1"])
            builder.Tensor($"{block}.conv1.weight", 4, 4, 3, 3).Norm($"{block}.bn1", 4).Tensor($"{block}.conv2.weight", 4, 4, 3, 3).Norm($"{block}.bn2", 4);
        using var model = builder
            .Tensor("layer2.0.conv1.weight", 8, 4, 3, 3).Norm("layer2.0.bn1", 8).Tensor("layer2.0.conv2.weight", 8, 8, 3, 3).Norm("layer2.0.bn2", 8)
            .Tensor("layer2.0.downsample.0.weight", 8, 4, 1, 1).Norm("layer2.0.downsample.1", 8)
            .Tensor("fc.weight", 3, 8).Tensor("fc.bias", 3).Model();

        string Consumers(string layer) => string.Join(" ", model.Graph.ConsumersOf(model.Layer(layer))
            .Select(e => $"{e.Consumer.Name}{(e.Residual ? "+" : "")}({string.Join(",", e.Through.Select(t => t.Name))})"));

        Assert.Equal("layer1.0.conv1(bn1) layer1.1.conv1+(bn1) layer2.0.conv1+(bn1) layer2.0.downsample.0+(bn1)", Consumers("conv1"));
        Assert.Equal("layer1.0.conv2(layer1.0.bn1)", Consumers("layer1.0.conv1"));
        Assert.Equal("layer1.1.conv1+(layer1.0.bn2) layer2.0.conv1+(layer1.0.bn2) layer2.0.downsample.0+(layer1.0.bn2)", Consumers("layer1.0.conv2"));
        Assert.Equal("fc+(layer2.0.bn2)", Consumers("layer2.0.conv2"));
        Assert.Equal("fc+(layer2.0.downsample.1)", Consumers("layer2.0.downsample.0"));
    }

    [Fact]
    public void Without_bn2_a_conv2_before_fc_is_no_block_and_no_residual_edge_is_claimed()
    {
        using var model = new CheckpointBuilder().Tensor("conv2.weight", 4, 4, 3, 3).Tensor("fc.weight", 3, 4).Model();

        Assert.Empty(model.Graph.ConsumersOf(model.Layer("conv2")));
    }
}
