using System.Text.Json;
using NeuronKit.Diff;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Diff;

/// <summary>
/// DeepSeek-V3 against its llama.cpp GGUFs (tests/fixtures/diff/cross, make_diff_cross.py's deepseek2): multi-head
/// latent attention's kv_b_proj, which the converter splits per head into attn_k_b (the key rows, transposed) and attn_v_b
/// (the value rows); the router's selection bias, which it keeps as exp_probs_b; routed and shared experts. And GLM-4.5,
/// whose mixture is DeepSeek-V3's.
/// </summary>
public class DiffDeepSeekTests
{
    private static readonly string DeepSeek = Fixtures.Path("diff/cross/moe/deepseek_v3.safetensors");
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("diff/cross/expected.json"))).RootElement.GetProperty("deepseek2");

    private static string Cross(string file) => Fixtures.Path("diff/cross/" + file);

    [Fact]
    public void DeepSeek_V3_pairs_every_layer_with_its_GGUF_kv_b_proj_with_the_two_halves_it_was_split_into()
    {
        // Given DeepSeek-V3 in Hugging Face naming and its f32 GGUF
        using var hf = Model.Open(DeepSeek);
        using var gguf = Model.Open(Cross("deepseek2_f32.gguf"));

        // When they are compared, both ways
        var forward = ModelDiff.Compute(hf, gguf);
        var backward = ModelDiff.Compute(gguf, hf);

        // Then every layer pairs and nothing differs: kv_b_proj's rows are attn_k_b's columns and attn_v_b's rows, head by
        // head (random weights would differ anywhere a row were mismatched)
        foreach (var diff in (ModelDiff[])[forward, backward])
        {
            Assert.Empty(diff.OnlyInA);
            Assert.Empty(diff.OnlyInB);
            Assert.Empty(diff.Mismatched);
            Assert.Equal(Expected.GetProperty("layers").GetInt32(), diff.Layers.Count);
            Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
        }
        var names = forward.Layers.ToDictionary(l => l.A.Name, l => l.B.Name);
        Assert.Equal("blk.1.attn_k_b + blk.1.attn_v_b", names["model.layers.1.self_attn.kv_b_proj"]);
        Assert.Equal(96, forward.Layers.Single(l => l.A.Name == "model.layers.1.self_attn.kv_b_proj").Neurons.Count);
        Assert.Equal("blk.0.attn_q_a", names["model.layers.0.self_attn.q_a_proj"]);
        Assert.Equal("blk.0.attn_kv_a_norm", names["model.layers.0.self_attn.kv_a_layernorm"]);
        Assert.Equal("blk.1.ffn_gate_inp", names["model.layers.1.mlp.gate"]);
        Assert.Equal("blk.1.exp_probs_b.bias", names["model.layers.1.mlp.gate.e_score_correction_bias"]);
        Assert.Equal("blk.1.ffn_down_exps.3", names["model.layers.1.mlp.experts.3.down_proj"]);
        Assert.Equal("blk.1.ffn_up_shexp", names["model.layers.1.mlp.shared_experts.up_proj"]);
        Assert.Equal("blk.0.ffn_gate", names["model.layers.0.mlp.gate_proj"]);
        Assert.Contains(backward.Layers, l => l.A.Name == "blk.0.attn_k_b + blk.0.attn_v_b" && l.B.Name == "model.layers.0.self_attn.kv_b_proj");
    }

    [Fact]
    public void Quantized_halves_give_each_kv_b_proj_row_numpys_quantization_error()
    {
        // Given DeepSeek-V3 against its Q8_0 GGUF (attn_k_b quantized along the key rows it stores transposed)
        using var hf = Model.Open(DeepSeek);
        using var gguf = Model.Open(Cross("deepseek2_q8_0.gguf"));

        // When they are compared
        var diff = ModelDiff.Compute(hf, gguf);

        // Then each quantized layer's rows are what numpy computed from ggml's decoding (kv_b_proj rebuilt from both
        // halves), and the layers llama.cpp keeps in f32 (norms, the router, its selection bias) are unchanged
        var expected = Expected.GetProperty("deepseek2_q8_0.gguf").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        Assert.Contains("model.layers.0.self_attn.kv_b_proj", expected.Keys);
        Assert.Equal(30, expected.Count);
        foreach (var layer in diff.Layers)
        {
            if (!expected.TryGetValue(layer.A.Name, out var want))
            {
                Assert.All(layer.Neurons, n => Assert.Equal(0, n.L2Delta));
                continue;
            }
            var rows = want.GetProperty("stats").EnumerateArray().ToList();
            Assert.Equal(rows.Count, layer.Neurons.Count);
            foreach (var (n, row) in layer.Neurons.Zip(rows))
            {
                Close(row.GetProperty("l2_delta").GetDouble(), n.L2Delta);
                Close(row.GetProperty("cosine").GetDouble(), n.Cosine);
                Close(row.GetProperty("max_abs").GetDouble(), n.MaxAbs);
            }
            Assert.Contains(layer.Neurons, n => n.L2Delta > 0);
        }
    }

    [Fact]
    public void An_older_GGUF_that_kept_kv_b_whole_pairs_it_by_name()
    {
        // Given the GGUF as converters wrote it before the split: attn_kv_b as it was
        using var hf = Model.Open(DeepSeek);
        using var gguf = Model.Open(Cross("deepseek2_kv_b.gguf"));

        var diff = ModelDiff.Compute(hf, gguf);

        Assert.Empty(diff.OnlyInA);
        Assert.Empty(diff.OnlyInB);
        Assert.Equal("blk.0.attn_kv_b", diff.Layers.Single(l => l.A.Name == "model.layers.0.self_attn.kv_b_proj").B.Name);
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
    }

    [Fact]
    public void A_value_row_of_one_head_is_the_joined_layer_s_neuron_past_that_head_s_key_rows()
    {
        // Given the GGUF as A, asked for value row 3 of head 1 (heads of 32 key rows and 16 value rows)
        var run = CliRun.Of("diff", Cross("deepseek2_q8_0.gguf"), DeepSeek, "blk.0.attn_v_b.1", "3", "--json");

        // Then it is neuron 83 (48 + 32 + 3) of the joined layer, paired with the checkpoint's kv_b_proj
        Assert.Equal(0, run.Exit);
        var layer = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("layers")[0];
        Assert.Equal(("blk.0.attn_k_b + blk.0.attn_v_b", "model.layers.0.self_attn.kv_b_proj"),
            (layer.GetProperty("name").GetString(), layer.GetProperty("b_name").GetString()));
        Assert.Equal(83, layer.GetProperty("stats")[0].GetProperty("neuron").GetInt64());
    }

    [Fact]
    public void A_key_row_is_a_column_of_attn_k_b_shown_beside_the_checkpoint_s_row()
    {
        // When one key row of head 1 is asked for by the checkpoint's name
        var run = CliRun.Of("diff", DeepSeek, Cross("deepseek2_f32.gguf"), "model.layers.1.self_attn.kv_b_proj", "50");

        // Then B's part is column 2 of head 1's attn_k_b, equal to the row
        Assert.Equal(0, run.Exit);
        Assert.Contains("(in B: blk.1.attn_k_b.weight[1, :, 2])", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("‖Δ‖ 0, relative 0%, cosine 1., max |Δ| 0", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_neuron_of_attn_k_b_is_no_one_neuron_of_kv_b_proj_and_the_error_says_which_to_ask_for()
    {
        var run = CliRun.Of("diff", Cross("deepseek2_q8_0.gguf"), DeepSeek, "blk.0.attn_k_b.1", "3");

        Assert.Equal(2, run.Exit);
        Assert.Equal("error: neuron 3 of blk.0.attn_k_b.1 is latent dimension 3 of head 1's key projection: one weight of each of " +
            "that head's 32 key rows of blk.0.attn_k_b + blk.0.attn_v_b, no one neuron of it\nhint: ask for the layer it was split " +
            "from, kv_b_proj, by its Hugging Face name: head 1's key row i is its neuron 48 + i", run.Stderr.Trim());
    }

    [Fact]
    public void GLM_4_5_pairs_LLaMA_s_attention_and_DeepSeek_s_mixture_with_its_GGUF()
    {
        // Given GLM-4.5 (glm4moe) and its f32 GGUF: attention with biases, one norm after attention, DeepSeek-V3's router
        using var hf = Model.Open(Fixtures.Path("diff/cross/moe/glm4moe.safetensors"));
        using var gguf = Model.Open(Cross("glm4moe_f32.gguf"));
        int layers = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("diff/cross/expected.json"))).RootElement
            .GetProperty("glm4moe").GetProperty("layers").GetInt32();

        foreach (var diff in (ModelDiff[])[ModelDiff.Compute(hf, gguf), ModelDiff.Compute(gguf, hf)])
        {
            // Then every layer pairs both ways, unpermuted, and nothing differs
            Assert.Empty(diff.OnlyInA);
            Assert.Empty(diff.OnlyInB);
            Assert.Empty(diff.Mismatched);
            Assert.Equal(layers, diff.Layers.Count);
            Assert.All(diff.Layers, l => Assert.Null(l.BOrder));
            Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal((0, 0.0), (n.L2Delta, n.BiasDelta ?? 0)));
        }
        var names = ModelDiff.Compute(hf, gguf).Layers.ToDictionary(l => l.A.Name, l => l.B.Name);
        Assert.Equal("blk.1.post_attention_norm", names["model.layers.1.post_attention_layernorm"]);
        Assert.Equal("blk.0.attn_q", names["model.layers.0.self_attn.q_proj"]);
        Assert.Equal("blk.1.exp_probs_b.bias", names["model.layers.1.mlp.gate.e_score_correction_bias"]);
        Assert.Equal("blk.1.ffn_gate_exps.2", names["model.layers.1.mlp.experts.2.gate_proj"]);
        Assert.Equal("blk.1.ffn_down_shexp", names["model.layers.1.mlp.shared_experts.down_proj"]);
    }

    private static void Close(double want, double actual) => DiffMixtureOfExpertsTests.Close(want, actual);
}
