using System.Globalization;
using System.Text.Json;
using NeuronKit.Diff;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Diff;

/// <summary>
/// <c>neuron diff</c> of a Hugging Face model against the GGUF llama.cpp's converter writes for architectures other than
/// LLaMA (tests/fixtures/diff/cross, make_diff_cross.py): Gemma 2, whose norms the converter stores as w + 1 under names
/// of its own, Gemma 3, whose embedding it cuts to the tokenizer's vocabulary, Gemma, whose <c>ffn_norm</c> is another
/// module, Phi-3, whose fused projections stay fused, and GPT-2, whose Conv1D weights the converter transposes.
/// </summary>
public class DiffLlamaCppArchitectureTests
{
    private const string GemmaShift = "llama.cpp's +1 on gemma2 norm weights";

    private static readonly string Gemma2 = Fixtures.Path("diff/cross/gemma2/model.safetensors");
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("diff/cross/expected.json"))).RootElement;

    private static string Cross(string file) => Fixtures.Path("diff/cross/" + file);

    [Fact]
    public void A_Hugging_Face_Gemma_2_pairs_with_its_GGUF_by_gemma2_s_names_and_its_norms_are_compared_less_the_converter_s_1()
    {
        // Given the Hugging Face model and the GGUF written from it as Gemma2Model does (norm weights + 1 in float32)
        using var hf = Model.Open(Gemma2);
        using var gguf = Model.Open(Cross("gemma2_f32.gguf"));

        // When they are compared
        var diff = ModelDiff.Compute(hf, gguf);

        // Then every layer pairs, the norms after their gemma2 names (not LLaMA's ffn_norm for post_attention_layernorm)
        Assert.Empty(diff.OnlyInA);
        Assert.Empty(diff.OnlyInB);
        Assert.Empty(diff.Mismatched);
        Assert.Equal(24, diff.Layers.Count);
        var names = diff.Layers.ToDictionary(l => l.A.Name, l => l.B.Name);
        Assert.Equal("blk.1.post_attention_norm", names["model.layers.1.post_attention_layernorm"]);
        Assert.Equal("blk.1.ffn_norm", names["model.layers.1.pre_feedforward_layernorm"]);
        Assert.Equal("blk.1.post_ffw_norm", names["model.layers.1.post_feedforward_layernorm"]);
        Assert.Equal("output_norm", names["model.norm"]);
        // And only the norms' values were shifted, by exactly 1; the matrices match value for value
        var norms = diff.Layers.Where(l => l.A.Name.EndsWith("norm", StringComparison.Ordinal)).ToList();
        Assert.Equal(9, norms.Count);
        Assert.All(norms, l => Assert.Equal(new ValueShift(GemmaShift, 1), l.BShift));
        Assert.All(diff.Layers.Except(norms), l => Assert.Null(l.BShift));
        Assert.All(diff.Layers.Except(norms).SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
        // And what is left of each norm weight is what numpy finds rounding w + 1 to float32 lost
        var expected = Expected.GetProperty("gemma2").EnumerateArray().ToDictionary(l => l.GetProperty("name").GetString()!);
        Assert.Equal(expected.Keys.Order(), norms.Select(l => l.A.Name).Order());
        foreach (var layer in norms)
        {
            var want = expected[layer.A.Name];
            Assert.Equal(want.GetProperty("b_name").GetString(), layer.B.Name);
            var rows = want.GetProperty("stats").EnumerateArray().ToList();
            Assert.Equal(rows.Count, layer.Neurons.Count);
            foreach (var (n, row) in layer.Neurons.Zip(rows))
            {
                // Each neuron is one weight, so its change is exactly |(w + 1) − 1 − w|, a double of a few float32 ulps.
                Assert.Equal(row.GetProperty("l2_delta").GetDouble(), n.L2Delta);
                Assert.Equal(row.GetProperty("max_abs").GetDouble(), n.MaxAbs);
                Assert.Equal(row.GetProperty("relative").GetDouble(), n.Relative, 1e-12);
            }
        }
        Assert.Contains(norms.SelectMany(l => l.Neurons), n => n.L2Delta > 0);
    }

    [Fact]
    public void The_GGUF_as_A_has_the_Hugging_Face_norms_compared_plus_1()
    {
        // Given the two files the other way round
        using var gguf = Model.Open(Cross("gemma2_f32.gguf"));
        using var hf = Model.Open(Gemma2);

        // When they are compared
        var diff = ModelDiff.Compute(gguf, hf);

        // Then B's (Hugging Face) norm weights are compared with 1 added, and differ by the same amounts
        var norm = diff.Layers.Single(l => l.A.Name == "blk.0.ffn_norm");
        Assert.Equal("model.layers.0.pre_feedforward_layernorm", norm.B.Name);
        Assert.Equal(-1, norm.BShift!.Amount);
        var want = Expected.GetProperty("gemma2").EnumerateArray().Single(l => l.GetProperty("b_name").GetString() == "blk.0.ffn_norm");
        Assert.Equal(want.GetProperty("stats").EnumerateArray().Select(r => r.GetProperty("l2_delta").GetDouble()), norm.Neurons.Select(n => n.L2Delta));
    }

    [Fact]
    public void Gemma_s_ffn_norm_is_the_norm_after_attention_not_Gemma_2_s_pre_feed_forward_norm()
    {
        // Given block 0's two norms in a GGUF of architecture gemma
        using var hf = Model.Open(Gemma2);
        using var gemma = Model.Open(Cross("gemma_block0.gguf"));

        // When it is compared with the Gemma 2 model's Hugging Face names
        var diff = ModelDiff.Compute(hf, gemma);

        // Then ffn_norm pairs with post_attention_layernorm, as gemma's tensor map says, shifted by 1 too
        Assert.Equal([("model.layers.0.input_layernorm", "blk.0.attn_norm"), ("model.layers.0.post_attention_layernorm", "blk.0.ffn_norm")],
            diff.Layers.Select(l => (l.A.Name, l.B.Name)));
        Assert.All(diff.Layers, l => Assert.Equal(1, l.BShift!.Amount));
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.True(n.MaxAbs < 1e-7, $"neuron {n.Index}: {n.MaxAbs}"));
    }

    [Fact]
    public void A_Phi_3_pairs_its_fused_projections_with_the_GGUF_s_and_matches_row_for_row()
    {
        // Given a Phi-3 with fused qkv_proj and gate_up_proj, and its GGUF
        using var hf = Model.Open(Fixtures.Path("diff/cross/phi3/model.safetensors"));
        using var gguf = Model.Open(Cross("phi3_f32.gguf"));

        // When they are compared
        var diff = ModelDiff.Compute(hf, gguf);

        // Then every layer pairs under phi3's names, unshifted and unpermuted, and nothing changed
        Assert.Empty(diff.OnlyInA);
        Assert.Empty(diff.OnlyInB);
        Assert.Equal(Expected.GetProperty("phi3").GetProperty("layers").GetInt32(), diff.Layers.Count);
        var names = diff.Layers.ToDictionary(l => l.A.Name, l => l.B.Name);
        Assert.Equal("blk.0.attn_qkv", names["model.layers.0.self_attn.qkv_proj"]);
        Assert.Equal("blk.1.ffn_up", names["model.layers.1.mlp.gate_up_proj"]);
        Assert.Equal("output", names["lm_head"]);
        Assert.All(diff.Layers, l => Assert.Null(l.BOrder ?? (object?)l.BShift));
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
        // q, k and v rows together: (4 heads + 2 · 2 key/value heads) · 8.
        Assert.Equal(64, diff.Layers.Single(l => l.A.Name == "model.layers.0.self_attn.qkv_proj").Neurons.Count);
    }

    [Theory]
    [InlineData("olmo2", "blk.1.post_ffw_norm", "model.layers.1.post_feedforward_layernorm")]   // a norm after the MLP, none before
    [InlineData("olmo2", "blk.0.attn_k_norm", "model.layers.0.self_attn.k_norm")]              // over the whole k projection
    [InlineData("seed_oss", "blk.0.post_attention_norm", "model.layers.0.post_attention_layernorm")]
    public void OLMo_2_and_Seed_OSS_pair_by_their_own_names(string architecture, string gguf, string huggingFace)
    {
        // Given a tiny model of the architecture and its GGUF
        using var hf = Model.Open(Fixtures.Path($"diff/cross/{architecture}/model.safetensors"));
        using var file = Model.Open(Cross($"{architecture}_f32.gguf"));

        // When they are compared
        var diff = ModelDiff.Compute(hf, file);

        // Then every layer pairs under the architecture's names, unpermuted, and nothing changed
        Assert.Empty(diff.OnlyInA);
        Assert.Empty(diff.OnlyInB);
        Assert.Equal(Expected.GetProperty("olmo2_seed_oss").GetProperty("layers").GetProperty(architecture).GetInt32(), diff.Layers.Count);
        Assert.Equal(gguf, diff.Layers.Single(l => l.A.Name == huggingFace).B.Name);
        Assert.All(diff.Layers, l => Assert.Null(l.BOrder ?? (object?)l.BShift));
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
    }

    [Theory]
    [InlineData("model.safetensors", "transformer.")]
    [InlineData("headless.safetensors", "")]
    public void A_GPT_2_pairs_with_its_GGUF_column_for_row_with_or_without_its_base_model_s_prefix(string file, string prefix)
    {
        // Given GPT-2's tensors as GPT2LMHeadModel names them (transformer.h.N.…) or as GPT2Model does (h.N.…), its
        // Conv1D weights stored (in, out), and the GGUF with those weights transposed
        using var hf = Model.Open(Fixtures.Path("diff/cross/gpt2/" + file));
        using var gguf = Model.Open(Cross("gpt2_f32.gguf"));

        // When they are compared
        var diff = ModelDiff.Compute(hf, gguf);

        // Then every layer pairs under gpt2's names, column j of a Conv1D weight with row j, and nothing changed
        Assert.Empty(diff.OnlyInA);
        Assert.Empty(diff.OnlyInB);
        Assert.Empty(diff.Mismatched);
        Assert.Equal(Expected.GetProperty("gpt2").GetProperty("layers").GetInt32(), diff.Layers.Count);
        var names = diff.Layers.ToDictionary(l => l.A.Name, l => l.B.Name);
        Assert.Equal("blk.1.attn_qkv", names[prefix + "h.1.attn.c_attn"]);
        Assert.Equal("blk.0.ffn_down", names[prefix + "h.0.mlp.c_proj"]);
        Assert.Equal("position_embd", names[prefix + "wpe"]);
        Assert.Equal("output_norm", names[prefix + "ln_f"]);
        var qkv = diff.Layers.Single(l => l.B.Name == "blk.0.attn_qkv");
        Assert.Equal(("(in, out)", 96L), (qkv.A.Layout, qkv.A.NeuronCount));
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
        // And the biases (every layer's but the embeddings') too
        Assert.All(diff.Layers.Where(l => l.Kind != "Embedding").SelectMany(l => l.Neurons), n => Assert.Equal(0, n.BiasDelta));
    }

    [Fact]
    public void The_JSON_says_which_layers_were_compared_less_the_converter_s_shift()
    {
        // Given the Gemma 2 pair's JSON
        var run = CliRun.Of("diff", Gemma2, Cross("gemma2_f32.gguf"), "--json", "--top", "0");

        // When it is read
        Assert.Equal(0, run.Exit);
        var layers = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("layers").EnumerateArray().ToDictionary(l => l.GetProperty("name").GetString()!);

        // Then a norm carries b_values, a projection does not
        var norm = layers["model.layers.0.post_feedforward_layernorm"];
        Assert.Equal(["name", "kind", "neurons", "summary", "stats", "b_name", "b_values"], norm.EnumerateObject().Select(p => p.Name));
        Assert.Equal(GemmaShift, norm.GetProperty("b_values").GetString());
        Assert.Equal(["name", "kind", "neurons", "summary", "stats", "b_name"], layers["model.layers.0.self_attn.q_proj"].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void With_an_index_a_norm_weight_is_shown_as_stored_and_its_difference_less_1()
    {
        // Given weight 4 of block 0's input norm
        var run = CliRun.Of("diff", Gemma2, Cross("gemma2_f32.gguf"), "model.layers.0.input_layernorm", "4");

        // Then the header says the shift, and the one row (the weight, a scalar part) shows A, B as stored (w + 1) and B − 1 − A
        Assert.Equal(0, run.Exit);
        Assert.Contains($"(in B: blk.0.attn_norm neuron 4, its values less {GemmaShift})", run.Stdout);
        Assert.Contains("B − 1 − A", run.Stdout);
        var row = run.Stdout.Split('\n').Single(l => l.TrimStart().StartsWith("[]")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        double a = double.Parse(row[1], CultureInfo.InvariantCulture), b = double.Parse(row[2], CultureInfo.InvariantCulture);
        Assert.Equal(1, b - a, 1e-6);
        Assert.True(Math.Abs(double.Parse(row[3], CultureInfo.InvariantCulture)) < 1e-7);
    }

    [Fact]
    public void A_Gemma_3_GGUF_s_embedding_compares_over_the_rows_its_converter_kept()
    {
        // Given the Gemma model against a gemma3 GGUF whose token_embd keeps the first 13 of its 16 rows, as llama.cpp's
        // Gemma 3 converter keeps the tokenizer's vocabulary
        using var hf = Model.Open(Gemma2);
        using var gguf = Model.Open(Cross("gemma3_trimmed.gguf"));

        foreach (var diff in (ModelDiff[])[ModelDiff.Compute(hf, gguf), ModelDiff.Compute(gguf, hf)])
        {
            // Then the embedding pairs, each of its 32 neurons compared over those 13 rows, and nothing else is left out
            Assert.Empty(diff.Mismatched);
            Assert.Empty(diff.OnlyInA);
            Assert.Empty(diff.OnlyInB);
            var embedding = diff.Layers.Single(l => l.A.Kind == "Embedding");
            Assert.Equal((13L, "the first 13 of 16 embedding rows: llama.cpp's gemma3 converter keeps the tokenizer's vocabulary"),
                (embedding.Kept!.Rows, embedding.Kept.Name));
            Assert.All(embedding.Neurons, n => Assert.Equal(0, n.L2Delta));
            Assert.Equal(32, embedding.Neurons.Count);
        }
    }

    [Fact]
    public void Only_the_kept_rows_excuse_an_embedding_s_shape()
    {
        // Given the trimmed embedding's pair
        using var hf = Model.Open(Gemma2);
        using var gguf = Model.Open(Cross("gemma3_trimmed.gguf"));
        var pair = ModelDiff.Pair(hf, gguf, "model.embed_tokens");

        // Then its layers alone differ in shape, and the pair, which knows the rows both keep, does not
        Assert.Equal(13, pair.Kept?.Rows);
        Assert.NotNull(LayerDiff.FindMismatch(pair.A, pair.B));
        Assert.Null(LayerDiff.FindMismatch(pair));
        Assert.NotNull(LayerDiff.FindMismatch(pair with { Kept = new KeptRows(12, "not the rows either file keeps") }));
    }

    [Fact]
    public void The_kept_rows_are_said_in_json_and_beside_one_neuron()
    {
        var json = CliRun.Of("diff", Gemma2, Cross("gemma3_trimmed.gguf"), "model.embed_tokens", "--json", "--top", "0");
        var neuron = CliRun.Of("diff", Cross("gemma3_trimmed.gguf"), Gemma2, "token_embd", "5");

        Assert.Equal(0, json.Exit);
        Assert.Equal("the first 13 of 16 embedding rows: llama.cpp's gemma3 converter keeps the tokenizer's vocabulary",
            JsonDocument.Parse(json.Stdout).RootElement.GetProperty("layers")[0].GetProperty("b_kept").GetString());
        Assert.Equal(0, neuron.Exit);
        Assert.Contains("(in B: model.embed_tokens neuron 5, over the first 13 of 16 embedding rows", neuron.Stdout);
        Assert.Contains("token_embd.weight[:, 5]  weight · [13] float32  (in B: model.embed_tokens.weight[:, 5])", neuron.Stdout);
        Assert.Contains("  [12]", neuron.Stdout);
        Assert.DoesNotContain("  [13]", neuron.Stdout);
    }
}
