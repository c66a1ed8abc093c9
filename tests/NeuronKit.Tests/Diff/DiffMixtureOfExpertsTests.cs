using System.Globalization;
using System.Text.Json;
using NeuronKit.Diff;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Diff;

/// <summary>
/// Mixtures of experts across formats (tests/fixtures/diff/cross/moe, make_diff_cross.py): Hugging Face keeps each
/// expert a Linear of its own, llama.cpp's converter stacks a block's experts into one tensor [experts, out, in], read as
/// one sub-layer per expert; a tiny Mixtral (GGUF architecture llama) in f32 and Q8_0, and a tiny Qwen2-MoE with a
/// shared expert.
/// </summary>
public class DiffMixtureOfExpertsTests
{
    private static readonly string Mixtral = Fixtures.Path("diff/cross/moe/mixtral.safetensors");
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("diff/cross/expected.json"))).RootElement.GetProperty("moe");

    private static string Cross(string file) => Fixtures.Path("diff/cross/" + file);

    [Fact]
    public void A_Hugging_Face_Mixtral_pairs_each_expert_with_its_slice_of_the_GGUF_s_stacked_tensors()
    {
        // Given the Hugging Face Mixtral and its f32 GGUF
        using var hf = Model.Open(Mixtral);
        using var gguf = Model.Open(Cross("mixtral_f32.gguf"));

        // When they are compared
        var diff = ModelDiff.Compute(hf, gguf);

        // Then every layer pairs: the router with ffn_gate_inp, expert E's w1, w2, w3 with sub-layer E of ffn_gate_exps,
        // ffn_down_exps, ffn_up_exps; attention through the q/k permutation; nothing changed
        Assert.Empty(diff.OnlyInA);
        Assert.Empty(diff.OnlyInB);
        Assert.Empty(diff.Mismatched);
        Assert.Equal(Expected.GetProperty("layers").GetProperty("mixtral").GetInt32(), diff.Layers.Count);
        var names = diff.Layers.ToDictionary(l => l.A.Name, l => l.B.Name);
        Assert.Equal("blk.1.ffn_gate_inp", names["model.layers.1.block_sparse_moe.gate"]);
        Assert.Equal("blk.1.ffn_gate_exps.3", names["model.layers.1.block_sparse_moe.experts.3.w1"]);
        Assert.Equal("blk.0.ffn_down_exps.2", names["model.layers.0.block_sparse_moe.experts.2.w2"]);
        Assert.Equal("blk.0.ffn_up_exps.0", names["model.layers.0.block_sparse_moe.experts.0.w3"]);
        Assert.Equal(4, diff.Layers.Count(l => l.BOrder is not null));
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
    }

    [Theory]
    [InlineData("mixtral_q8_0.gguf")]
    [InlineData("mixtral_mxfp4.gguf")]   // the experts in MXFP4, as gpt-oss's GGUFs store them
    public void Quantized_experts_differ_by_numpys_quantization_error_of_each_row(string file)
    {
        // Given the Mixtral against its GGUF with every expert quantized (to Q8_0, or to MXFP4)
        using var hf = Model.Open(Mixtral);
        using var gguf = Model.Open(Cross(file));

        // When they are compared
        var diff = ModelDiff.Compute(hf, gguf);

        // Then each expert's rows are what numpy computed from ggml's decoding of that expert's slice
        var expected = Expected.GetProperty(file).EnumerateArray().ToList();
        Assert.Equal(2 * 3 * 4, expected.Count);
        foreach (var want in expected)
        {
            var layer = diff.Layers.Single(l => l.A.Name == want.GetProperty("name").GetString());
            Assert.Equal(want.GetProperty("b_name").GetString(), layer.B.Name);
            foreach (var (n, row) in layer.Neurons.Zip(want.GetProperty("stats").EnumerateArray()))
            {
                Close(row.GetProperty("l2_delta").GetDouble(), n.L2Delta);
                Close(row.GetProperty("cosine").GetDouble(), n.Cosine);
                Close(row.GetProperty("max_abs").GetDouble(), n.MaxAbs);
            }
            Assert.All(layer.Neurons, n => Assert.True(n.L2Delta > 0));
        }
    }

    [Fact]
    public void A_Qwen2_MoE_pairs_its_experts_and_its_shared_expert()
    {
        // Given a Qwen2-MoE with a shared expert and its GGUF
        using var hf = Model.Open(Fixtures.Path("diff/cross/moe/qwen2moe.safetensors"));
        using var gguf = Model.Open(Cross("qwen2moe_f32.gguf"));

        // When they are compared
        var diff = ModelDiff.Compute(hf, gguf);

        // Then everything pairs under qwen2moe's names, unpermuted, unchanged
        Assert.Empty(diff.OnlyInA);
        Assert.Empty(diff.OnlyInB);
        Assert.Equal(Expected.GetProperty("layers").GetProperty("qwen2moe").GetInt32(), diff.Layers.Count);
        var names = diff.Layers.ToDictionary(l => l.A.Name, l => l.B.Name);
        Assert.Equal("blk.0.ffn_gate_inp", names["model.layers.0.mlp.gate"]);
        Assert.Equal("blk.1.ffn_up_exps.3", names["model.layers.1.mlp.experts.3.up_proj"]);
        Assert.Equal("blk.1.ffn_down_shexp", names["model.layers.1.mlp.shared_expert.down_proj"]);
        Assert.Equal("blk.0.ffn_gate_inp_shexp", names["model.layers.0.mlp.shared_expert_gate"]);
        Assert.All(diff.Layers, l => Assert.Null(l.BOrder));
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
    }

    /// <summary>Equal to 1e-9 relative: numpy's float64 against the diff's sums in another order.</summary>
    internal static void Close(double want, double actual) =>
        Assert.True(Math.Abs(actual - want) <= 1e-9 * Math.Abs(want), $"expected {want.ToString("R", CultureInfo.InvariantCulture)}, got {actual.ToString("R", CultureInfo.InvariantCulture)}");

    private static readonly string GptOss = Fixtures.Path("diff/cross/moe/gpt_oss.safetensors");
    private static readonly int GptOssLayers = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("diff/cross/expected.json")))
        .RootElement.GetProperty("gpt_oss").GetProperty("layers").GetInt32();

    [Fact]
    public void A_gpt_oss_checkpoint_pairs_its_fused_gate_up_with_the_two_layers_llama_cpp_split_it_into()
    {
        // Given gpt-oss as its checkpoint stores it (experts in MXFP4, gate and up rows interleaved) and its GGUF, whose
        // converter split gate_up_proj into ffn_gate_exps (even rows) and ffn_up_exps (odd rows), MXFP4 repacked
        using var hf = Model.Open(GptOss);
        using var gguf = Model.Open(Cross("gpt_oss.gguf"));

        // When they are compared, both ways
        var forward = ModelDiff.Compute(hf, gguf);
        var backward = ModelDiff.Compute(gguf, hf);

        // Then every layer pairs, the sinks and the router too, and not one value differs: the repack is lossless and
        // gate_up's neuron 2k is ffn_gate_exps' neuron k, 2k + 1 ffn_up_exps'
        foreach (var diff in (ModelDiff[])[forward, backward])
        {
            Assert.Empty(diff.OnlyInA);
            Assert.Empty(diff.OnlyInB);
            Assert.Empty(diff.Mismatched);
            Assert.Equal(GptOssLayers, diff.Layers.Count);
            Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal((0, 0.0), (n.L2Delta, n.BiasDelta ?? 0)));
        }
        var names = forward.Layers.ToDictionary(l => l.A.Name, l => l.B.Name);
        Assert.Equal("blk.0.ffn_gate_exps.1 + blk.0.ffn_up_exps.1", names["model.layers.0.mlp.experts.gate_up_proj.1"]);
        Assert.Equal("blk.0.ffn_down_exps.0", names["model.layers.0.mlp.experts.down_proj.0"]);
        // The sinks are one logit per head in both files, no norm: a tensor of its own on each side
        Assert.Equal("blk.0.attn_sinks.weight", names["model.layers.0.self_attn.sinks"]);
        Assert.Equal("Tensor", gguf.Layers.Single(l => l.Name == "blk.0.attn_sinks.weight").Kind);
        Assert.Equal("blk.0.ffn_gate_inp", names["model.layers.0.mlp.router"]);
        Assert.Equal("blk.0.post_attention_norm", names["model.layers.0.post_attention_layernorm"]);
        Assert.Equal(64, forward.Layers.Single(l => l.A.Name == "model.layers.0.mlp.experts.gate_up_proj.0").Neurons.Count);
        Assert.Contains(backward.Layers, l => l.A.Name == "blk.0.ffn_gate_exps.0 + blk.0.ffn_up_exps.0" && l.B.Name == "model.layers.0.mlp.experts.gate_up_proj.0");
    }

    [Fact]
    public void A_gpt_oss_GGUF_with_fused_gate_up_rows_pairs_them_through_its_halves()
    {
        // Given the GGUF written with --fuse-gate-up-exps: one ffn_gate_up_exps, every gate row before every up row
        using var hf = Model.Open(GptOss);
        using var gguf = Model.Open(Cross("gpt_oss_fused.gguf"));

        foreach (var diff in (ModelDiff[])[ModelDiff.Compute(hf, gguf), ModelDiff.Compute(gguf, hf)])
        {
            // Then each expert's rows pair through the halves order, and nothing differs
            Assert.Empty(diff.Mismatched);
            Assert.Empty(diff.OnlyInA);
            var experts = diff.Layers.Where(l => l.A.Name.Contains("gate_up", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, experts.Count);
            Assert.All(experts, l => Assert.Equal("llama.cpp gate/up halves", l.BOrder?.Name));
            Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
        }
    }

    [Fact]
    public void A_neuron_of_one_half_is_the_joined_layer_s_neuron_it_became()
    {
        // Given the split GGUF as A, asked for unit 3 of expert 1's up projection
        var run = CliRun.Of("diff", Cross("gpt_oss.gguf"), GptOss, "blk.0.ffn_up_exps.1", "3", "--json");

        // Then that unit is neuron 7 (2·3 + 1) of the joined layer, compared with row 7 of the checkpoint's gate_up_proj[1]
        Assert.Equal(0, run.Exit);
        var layer = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("layers")[0];
        Assert.Equal("blk.0.ffn_gate_exps.1 + blk.0.ffn_up_exps.1", layer.GetProperty("name").GetString());
        Assert.Equal(7, layer.GetProperty("stats")[0].GetProperty("neuron").GetInt64());
        Assert.Equal(0, layer.GetProperty("stats")[0].GetProperty("l2_delta").GetDouble());
    }

    [Theory]
    [InlineData(64, true)]
    [InlineData(64, false)]
    [InlineData(6, true)]
    public void The_gate_up_halves_order_is_a_permutation_whose_inverse_is_the_other_direction(long rows, bool toLlamaCpp)
    {
        var order = NeuronOrder.GateUpHalves(rows, toLlamaCpp);
        var back = NeuronOrder.GateUpHalves(rows, !toLlamaCpp);

        Assert.Equal(Enumerable.Range(0, (int)rows).Select(j => (long)j), Enumerable.Range(0, (int)rows).Select(j => order.BIndex(j)).Order());
        Assert.All(Enumerable.Range(0, (int)rows), j => Assert.Equal(j, back.BIndex(order.BIndex(j))));
        // Hugging Face row 2k + 1 (up k) is llama.cpp row rows/2 + k
        Assert.Equal(rows / 2 + 1, toLlamaCpp ? order.BIndex(3) : back.BIndex(3));
    }

    [Fact]
    public void A_Llama_4_pairs_its_fused_experts_with_the_halves_llama_cpp_split_them_into()
    {
        // Given a Llama 4 as Llama4ForConditionalGeneration saves its language model (fused experts [experts, in, out],
        // the gate's outputs first; a shared expert; a plain MLP in block 1) and its GGUF
        using var hf = Model.Open(Fixtures.Path("diff/cross/moe/llama4.safetensors"));
        using var gguf = Model.Open(Cross("llama4.gguf"));
        int layers = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("diff/cross/expected.json"))).RootElement
            .GetProperty("llama4").GetProperty("layers").GetInt32();

        var forward = ModelDiff.Compute(hf, gguf);
        var backward = ModelDiff.Compute(gguf, hf);

        // Then every layer pairs both ways and nothing differs: gate_up's neuron k is ffn_gate_exps' k, 16 + k ffn_up_exps' k
        foreach (var diff in (ModelDiff[])[forward, backward])
        {
            Assert.Empty(diff.OnlyInA);
            Assert.Empty(diff.OnlyInB);
            Assert.Empty(diff.Mismatched);
            Assert.Equal(layers, diff.Layers.Count);
            Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
        }
        var names = forward.Layers.ToDictionary(l => l.A.Name, l => l.B.Name);
        const string Block0 = "language_model.model.layers.0.feed_forward.";
        Assert.Equal("blk.0.ffn_gate_exps.1 + blk.0.ffn_up_exps.1", names[Block0 + "experts.gate_up_proj.1"]);
        Assert.Equal("blk.0.ffn_down_exps.0", names[Block0 + "experts.down_proj.0"]);
        Assert.Equal("blk.0.ffn_gate_inp", names[Block0 + "router"]);
        Assert.Equal("blk.0.ffn_up_shexp", names[Block0 + "shared_expert.up_proj"]);
        Assert.Equal("blk.1.ffn_gate", names["language_model.model.layers.1.feed_forward.gate_proj"]);
        Assert.Equal("blk.0.ffn_norm", names["language_model.model.layers.0.post_attention_layernorm"]);
    }

    [Fact]
    public void A_neuron_of_the_second_half_is_the_joined_layer_s_neuron_after_the_first_half()
    {
        // Given the Llama 4 GGUF as A, asked for unit 3 of expert 1's up projection (16 units each half)
        var run = CliRun.Of("diff", Cross("llama4.gguf"), Fixtures.Path("diff/cross/moe/llama4.safetensors"), "blk.0.ffn_up_exps.1", "3", "--json");

        // Then that unit is neuron 19 (16 + 3) of the joined layer, paired with the checkpoint's gate_up_proj.1
        Assert.Equal(0, run.Exit);
        var layer = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("layers")[0];
        Assert.Equal(("blk.0.ffn_gate_exps.1 + blk.0.ffn_up_exps.1", "language_model.model.layers.0.feed_forward.experts.gate_up_proj.1"),
            (layer.GetProperty("name").GetString(), layer.GetProperty("b_name").GetString()));
        Assert.Equal(19, layer.GetProperty("stats")[0].GetProperty("neuron").GetInt64());
    }
}
