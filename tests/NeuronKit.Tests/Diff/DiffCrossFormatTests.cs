using System.Globalization;
using System.Text.Json;
using NeuronKit.Diff;
using NeuronKit.Tests.Cli;
using NeuronKit.Views.Reports;

namespace NeuronKit.Tests.Diff;

/// <summary>
/// <c>neuron diff</c> between one model's files in two formats (tests/fixtures/diff/cross, make_diff_cross.py): a
/// Hugging Face LLaMA against the GGUF llama.cpp's converter would write (names mapped, q/k rows permuted, dims
/// reversed), and a PyTorch model against its torch.onnx.export'ed graph. The float copies must match row for row;
/// the Q8_0 copy must differ by numpy's quantization error of each neuron.
/// </summary>
public class DiffCrossFormatTests
{
    private const double Tolerance = 1e-9;
    private const string Permutation = "llama.cpp q/k permutation";

    private static readonly string HuggingFace = Fixtures.Path("diff/cross/llama/model.safetensors");
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("diff/cross/expected.json"))).RootElement;

    private static string Cross(string file) => Fixtures.Path("diff/cross/" + file);

    [Fact]
    public void A_Hugging_Face_llama_and_its_f32_GGUF_match_row_for_row_once_names_and_q_k_rows_are_mapped()
    {
        // Given the Hugging Face model and the GGUF written from it as llama.cpp's converter does
        using var hf = Model.Open(HuggingFace);
        using var gguf = Model.Open(Cross("llama_f32.gguf"));

        // When they are compared
        var diff = ModelDiff.Compute(hf, gguf);

        // Then every layer pairs with its llama.cpp name, and every neuron is unchanged (its cosine exactly 1)
        Assert.Empty(diff.OnlyInA);
        Assert.Empty(diff.OnlyInB);
        Assert.Empty(diff.Mismatched);
        Assert.Equal(21, diff.Layers.Count);
        Assert.Equal(720, diff.NeuronCount);
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n =>
        {
            Assert.Equal(0, n.L2Delta);
            Assert.Equal(0, n.MaxAbs);
            Assert.Equal(1, n.Cosine, 1e-12);
        });
        var attnK = diff.Layers.Single(l => l.A.Name == "model.layers.1.self_attn.k_proj");
        Assert.Equal("blk.1.attn_k", attnK.B.Name);
        // And exactly the q and k projections went through llama.cpp's row permutation
        Assert.Equal(
            ["model.layers.0.self_attn.k_proj", "model.layers.0.self_attn.q_proj", "model.layers.1.self_attn.k_proj", "model.layers.1.self_attn.q_proj"],
            diff.Layers.Where(l => l.BOrder is not null).Select(l => l.A.Name));
        Assert.All(diff.Layers.Where(l => l.BOrder is not null), l => Assert.Equal(Permutation, l.BOrder!.Name));
        Assert.Equal("RMSNorm", diff.Layers.Single(l => l.A.Name == "model.norm").Kind);
    }

    [Fact]
    public void The_GGUF_as_A_pairs_with_the_Hugging_Face_model_as_B_through_the_inverse_permutation()
    {
        // Given the two files the other way round
        using var gguf = Model.Open(Cross("llama_f32.gguf"));
        using var hf = Model.Open(HuggingFace);

        // When they are compared
        var diff = ModelDiff.Compute(gguf, hf);

        // Then A's (llama.cpp) names lead, and every neuron is still unchanged
        Assert.Empty(diff.OnlyInA);
        Assert.Empty(diff.OnlyInB);
        Assert.Equal("model.layers.0.self_attn.q_proj", diff.Layers.Single(l => l.A.Name == "blk.0.attn_q").B.Name);
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
    }

    [Fact]
    public void The_base_model_alone_pairs_by_its_names_without_model_()
    {
        // Given the same tensors as LlamaModel names them (layers.N.…, embed_tokens, norm; no lm_head)
        using var headless = Model.Open(Cross("llama/headless.safetensors"));
        using var gguf = Model.Open(Cross("llama_f32.gguf"));

        // When it is compared with the GGUF
        var diff = ModelDiff.Compute(headless, gguf);

        // Then every layer but the head pairs, through the permutation where it applies, unchanged
        Assert.Empty(diff.OnlyInA);
        Assert.Equal(["output"], diff.OnlyInB.Select(l => l.Name));
        Assert.Equal(20, diff.Layers.Count);
        Assert.Equal("blk.0.attn_q", diff.Layers.Single(l => l.A.Name == "layers.0.self_attn.q_proj").B.Name);
        Assert.Equal("token_embd", diff.Layers.Single(l => l.A.Name == "embed_tokens").B.Name);
        Assert.Equal(4, diff.Layers.Count(l => l.BOrder is not null));
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
    }

    [Theory]
    [InlineData("multimodal_older.safetensors", "language_model.model.layers.0.self_attn.q_proj")]
    [InlineData("multimodal_newer.safetensors", "model.language_model.layers.0.self_attn.q_proj")]
    public void The_language_model_of_a_multimodal_checkpoint_pairs_as_the_text_model(string file, string qProj)
    {
        // Given the text model inside a multimodal checkpoint, under either transformers' naming, beside a vision tower
        using var multimodal = Model.Open(Cross("llama/" + file));
        using var gguf = Model.Open(Cross("llama_f32.gguf"));
        using var text = Model.Open(HuggingFace);

        // When it is compared with the GGUF and with the text model alone
        var withGguf = ModelDiff.Compute(multimodal, gguf);
        var withText = ModelDiff.Compute(multimodal, text);

        // Then every text layer pairs (q/k through the permutation against the GGUF), and only the vision tower is left
        foreach (var diff in (ModelDiff[])[withGguf, withText])
        {
            Assert.Equal(["vision_tower.patch_embed"], diff.OnlyInA.Select(l => l.Name));
            Assert.Empty(diff.OnlyInB);
            Assert.Equal(21, diff.Layers.Count);
            Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
        }
        Assert.Equal("blk.0.attn_q", withGguf.Layers.Single(l => l.A.Name == qProj).B.Name);
        Assert.NotNull(withGguf.Layers.Single(l => l.A.Name == qProj).BOrder);
    }

    [Fact]
    public void A_qwen2_GGUF_pairs_by_the_same_names_without_a_permutation()
    {
        // Given block 0's attention written unpermuted under architecture qwen2, whose rotary embedding is Hugging Face's
        using var hf = Model.Open(HuggingFace);
        using var qwen2 = Model.Open(Cross("qwen2_block0.gguf"));

        // When it is compared with the Hugging Face model
        var diff = ModelDiff.Compute(hf, qwen2);

        // Then its five layers pair by name, row j with row j, unchanged; the rest of A is only in A
        Assert.Equal(["model.layers.0.input_layernorm", "model.layers.0.self_attn.k_proj", "model.layers.0.self_attn.o_proj",
            "model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj"], diff.Layers.Select(l => l.A.Name));
        Assert.All(diff.Layers, l => Assert.Null(l.BOrder));
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
        Assert.Equal(16, diff.OnlyInA.Count);
        Assert.Empty(diff.OnlyInB);
    }

    [Theory]
    [InlineData("granite_block0.gguf")]
    [InlineData("smollm3_block0.gguf")]
    [InlineData("mistral3_block0.gguf")]
    public void Granite_SmolLM3_and_Mistral_3_GGUFs_pair_through_LLaMA_s_q_k_permutation(string file)
    {
        // Given block 0's attention under an architecture whose converter subclasses LLaMA's, q/k rows permuted
        using var hf = Model.Open(HuggingFace);
        using var gguf = Model.Open(Cross(file));

        // When it is compared with the Hugging Face model
        var diff = ModelDiff.Compute(hf, gguf);

        // Then its five layers pair by name, q and k through the permutation (random rows would differ otherwise), unchanged
        Assert.Equal(5, diff.Layers.Count);
        Assert.Equal(["model.layers.0.self_attn.k_proj", "model.layers.0.self_attn.q_proj"], diff.Layers.Where(l => l.BOrder is not null).Select(l => l.A.Name));
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
        Assert.Empty(diff.OnlyInB);
    }

    [Fact]
    public void A_GGUF_of_an_architecture_the_table_does_not_know_keeps_its_names()
    {
        // Given the same tensors under falcon, an architecture whose GGUF names the diff has no table for
        using var hf = Model.Open(HuggingFace);
        using var falcon = Model.Open(Cross("falcon_block0.gguf"));

        // When it is compared with the Hugging Face model
        var diff = ModelDiff.Compute(hf, falcon);

        // Then nothing pairs: every layer is listed as only in its file, none compared under a guessed name
        Assert.Empty(diff.Layers);
        Assert.Equal(21, diff.OnlyInA.Count);
        Assert.Equal(["blk.0.attn_norm", "blk.0.attn_q", "blk.0.attn_k", "blk.0.attn_v", "blk.0.attn_output"], diff.OnlyInB.Select(l => l.Name));
    }

    [Fact]
    public void Without_the_permutation_the_q_and_k_rows_would_not_match()
    {
        // Given the two q projections, row j against row j as stored (the permutation is not a no-op here)
        using var hf = Model.Open(HuggingFace);
        using var gguf = Model.Open(Cross("llama_f32.gguf"));

        // When they are compared without the converter's order
        var plain = LayerDiff.Compute(hf.Layer("model.layers.0.self_attn.q_proj"), gguf.Layer("blk.0.attn_q"));

        // Then most rows differ: only the first and last row of each head stay in place
        Assert.Equal(2 * 4, plain.Neurons.Count(n => n.L2Delta == 0));
    }

    [Fact]
    public void The_Q8_0_GGUF_differs_from_the_Hugging_Face_model_by_numpys_quantization_error_of_each_neuron()
    {
        // Given the Hugging Face model and its GGUF with the matrices quantized to Q8_0
        using var hf = Model.Open(HuggingFace);
        using var gguf = Model.Open(Cross("llama_q8_0.gguf"));

        // When they are compared
        var diff = ModelDiff.Compute(hf, gguf);

        // Then each layer's neurons, in A's order, are what numpy computed from the un-permuted dequantized rows
        var expected = Expected.GetProperty("llama").GetProperty("llama_q8_0.gguf").EnumerateArray().ToDictionary(l => l.GetProperty("name").GetString()!);
        Assert.Equal(expected.Keys.Order(), diff.Layers.Select(l => l.A.Name).Order());
        foreach (var layer in diff.Layers)
        {
            var want = expected[layer.A.Name];
            Assert.Equal(want.GetProperty("b_name").GetString(), layer.B.Name);
            Assert.Equal(want.GetProperty("kind").GetString(), layer.Kind);
            var rows = want.GetProperty("stats").EnumerateArray().ToList();
            Assert.Equal(rows.Count, layer.Neurons.Count);
            foreach (var (n, row) in layer.Neurons.Zip(rows))
            {
                string where = $"{layer.A.Name}[{n.Index}]";
                Close(row.GetProperty("l2_delta"), n.L2Delta, where + " l2_delta");
                Close(row.GetProperty("relative"), n.Relative, where + " relative");
                Close(row.GetProperty("cosine"), n.Cosine, where + " cosine");
                Close(row.GetProperty("max_abs"), n.MaxAbs, where + " max_abs");
                Assert.Null(n.BiasDelta);
                Assert.Equal(row.GetProperty("flags").EnumerateArray().Select(f => f.GetString()), DiffFlagNames.Of(n.Flags));
            }
        }
        // And the norms, kept f32 by llama.cpp, are unchanged while every quantized matrix row changed
        Assert.All(diff.Layers.Where(l => l.Kind == "RMSNorm").SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
        Assert.All(diff.Layers.Where(l => l.Kind != "RMSNorm").SelectMany(l => l.Neurons), n => Assert.True(n.L2Delta > 0));
    }

    [Fact]
    public void A_PyTorch_model_and_its_ONNX_export_pair_by_module_path_and_match_neuron_for_neuron()
    {
        // Given a state dict and the ONNX graph torch.onnx.export made of the same module: conv (Conv), proj (MatMul with
        // a transposed initializer the exporter named onnx::MatMul_24) and fc (Gemm, transB = 1)
        using var pt = Model.Open(Cross("net.pt"));
        using var onnx = Model.Open(Cross("net.onnx"));

        // When they are compared
        var diff = ModelDiff.Compute(pt, onnx);

        // Then each module pairs with its node, and every neuron (column j of the MatMul's [in, out] weight) is unchanged
        Assert.Empty(diff.OnlyInA);
        Assert.Empty(diff.OnlyInB);
        Assert.Empty(diff.Mismatched);
        Assert.Equal([("conv", "/conv/Conv"), ("proj", "/proj/MatMul"), ("fc", "/fc/Gemm")], diff.Layers.Select(l => (l.A.Name, l.B.Name)));
        Assert.Equal("(in, out)", diff.Layers[1].B.Layout);
        Assert.Equal(15, diff.NeuronCount);
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n =>
        {
            Assert.Equal(0, n.L2Delta);
            Assert.Equal(0, n.BiasDelta);
            Assert.Equal(1, n.Cosine, 1e-12);
        });
    }

    [Fact]
    public void Recurrent_modules_pair_with_their_ONNX_nodes_per_layer_and_direction_gate_by_gate()
    {
        // Given an LSTM of 2 bidirectional layers, a GRU and an RNN, saved and exported (one LSTM node per layer, both
        // directions in each, gates i, o, f, c and z, r, h against PyTorch's i, f, g, o and r, z, n)
        using var pt = Model.Open(Cross("rnn.pt"));
        using var onnx = Model.Open(Cross("rnn.onnx"));

        // When they are compared
        var diff = ModelDiff.Compute(pt, onnx);

        // Then each layer and direction pairs with its node's sub-layer
        Assert.Empty(diff.OnlyInA);
        Assert.Empty(diff.OnlyInB);
        Assert.Empty(diff.Mismatched);
        Assert.Equal([("lstm.l0", "/lstm/LSTM.forward"), ("lstm.l0_reverse", "/lstm/LSTM.reverse"), ("lstm.l1", "/lstm/LSTM_1.forward"),
            ("lstm.l1_reverse", "/lstm/LSTM_1.reverse"), ("gru.l0", "/gru/GRU"), ("rnn.l0", "/rnn/RNN")], diff.Layers.Select(l => (l.A.Name, l.B.Name)));
        // And every unit's weights match gate for gate (random weights pair only in the right order), none of them zero
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n =>
        {
            Assert.Equal(0, n.L2Delta);
            Assert.True(n.L2A > 0);
            Assert.Equal(1, n.Cosine, 1e-12);
        });
        // And the other way round too
        Assert.All(ModelDiff.Compute(onnx, pt).Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
    }

    [Fact]
    public void With_an_index_a_GRU_unit_s_reset_gate_row_is_shown_beside_the_ONNX_row_of_the_same_gate()
    {
        // Given unit 1 of the GRU: PyTorch's reset block comes first (row 1), ONNX's second (z, r, h: row 4 + 1)
        var run = CliRun.Of("diff", Cross("rnn.pt"), Cross("rnn.onnx"), "gru.l0", "1");

        // Then its weight_ih row of the reset gate is shown beside W's row 5 of direction 0
        Assert.Equal(0, run.Exit);
        var header = run.Stdout.Split('\n').Single(l => l.StartsWith("gru.weight_ih_l0[1]", StringComparison.Ordinal));
        Assert.Matches(@"^gru\.weight_ih_l0\[1\]  weight_ih \(reset\) · \[10\] float32  \(in B: onnx::GRU_\d+\[0, 5\]\)$", header);
    }

    [Fact]
    public void An_ONNX_GRU_without_linear_before_reset_is_not_compared_with_PyTorch_s()
    {
        // Given the same export with the GRU's linear_before_reset set to 0: its candidate gate applies the reset gate
        // before R, another function than PyTorch's n gate
        using var pt = Model.Open(Cross("rnn.pt"));
        using var onnx = Model.Open(Cross("rnn_gru_lbr0.onnx"));

        // When they are compared
        var diff = ModelDiff.Compute(pt, onnx);

        // Then the GRU is listed as not comparable, naming the gate without a counterpart, and the rest is compared
        var mismatch = Assert.Single(diff.Mismatched);
        Assert.Equal(("gru.l0", "weight_ih (new)"), (mismatch.Name, mismatch.Role));
        Assert.Equal(5, diff.Layers.Count);
    }

    [Fact]
    public void The_JSON_names_the_layer_in_B_and_the_permutation_only_where_they_apply()
    {
        // Given the Hugging Face model against its GGUF
        var run = CliRun.Of("diff", HuggingFace, Cross("llama_q8_0.gguf"), "--json", "--top", "0");

        // When the JSON is read
        Assert.Equal(0, run.Exit);
        var layers = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("layers").EnumerateArray().ToDictionary(l => l.GetProperty("name").GetString()!);

        // Then a q projection says both, a v projection only its name in B
        var q = layers["model.layers.0.self_attn.q_proj"];
        Assert.Equal(["name", "kind", "neurons", "summary", "stats", "b_name", "b_rows"], q.EnumerateObject().Select(p => p.Name));
        Assert.Equal("blk.0.attn_q", q.GetProperty("b_name").GetString());
        Assert.Equal(Permutation, q.GetProperty("b_rows").GetString());
        Assert.Equal(["name", "kind", "neurons", "summary", "stats", "b_name"], layers["model.layers.0.self_attn.v_proj"].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void With_an_index_A_s_neuron_is_shown_beside_the_GGUF_row_it_became()
    {
        // Given neuron 1 of the first q projection: head 0, first half, i = 1, which llama.cpp stores as row 2
        var run = CliRun.Of("diff", HuggingFace, Cross("llama_f32.gguf"), "model.layers.0.self_attn.q_proj", "1");

        // Then the header says where it is in B, and every value is the same on both sides
        Assert.Equal(0, run.Exit);
        Assert.Contains("model.layers.0.self_attn.q_proj (Linear) neuron 1 of 32: model.safetensors → llama_f32.gguf " +
            $"(in B: blk.0.attn_q neuron 2, its rows matched through the {Permutation})", run.Stdout);
        var rows = run.Stdout.Split('\n').Where(l => l.TrimStart().StartsWith('[')).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(32, rows.Count(r => r.Length == 4));
        Assert.All(rows.Where(r => r.Length == 4 && r[0] != "…"), r => Assert.Equal(r[1], r[2]));
        Assert.All(rows.Where(r => r.Length == 4 && r[0] != "…"), r => Assert.Equal(0, double.Parse(r[3], CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void LAYER_may_be_named_as_B_names_it()
    {
        // Given the Hugging Face model as A and its GGUF as B, the layer asked for by its llama.cpp name
        using var hf = Model.Open(HuggingFace);
        using var gguf = Model.Open(Cross("llama_f32.gguf"));

        // When that one layer is compared
        var diff = ModelDiff.Compute(hf, gguf, "blk.1.attn_k");

        // Then it is A's layer that B's name pairs with, rows matched through the permutation, unchanged
        var layer = Assert.Single(diff.Layers);
        Assert.Equal(("model.layers.1.self_attn.k_proj", "blk.1.attn_k"), (layer.A.Name, layer.B.Name));
        Assert.NotNull(layer.BOrder);
        Assert.All(layer.Neurons, n => Assert.Equal(0, n.L2Delta));
    }

    [Fact]
    public void A_layer_named_as_B_names_it_that_A_lacks_is_only_in_B()
    {
        // Given block 0's attention (qwen2_block0.gguf) as A and the whole Hugging Face model as B
        var run = CliRun.Of("diff", Cross("qwen2_block0.gguf"), HuggingFace, "model.layers.1.mlp.up_proj");

        // Then a layer only B has is a request error that says so
        Assert.Equal(2, run.Exit);
        Assert.Equal("error: layer 'model.layers.1.mlp.up_proj' is only in B (model.safetensors), not in A (qwen2_block0.gguf)", run.Stderr.Trim());
    }

    [Fact]
    public void With_B_s_name_and_an_index_the_index_is_A_s()
    {
        // Given neuron 1 of the first q projection asked for by its GGUF name
        var run = CliRun.Of("diff", HuggingFace, Cross("llama_f32.gguf"), "blk.0.attn_q", "1");

        // Then it is A's neuron 1, shown beside the GGUF row it became (2)
        Assert.Equal(0, run.Exit);
        Assert.Contains("model.layers.0.self_attn.q_proj (Linear) neuron 1 of 32: model.safetensors → llama_f32.gguf " +
            $"(in B: blk.0.attn_q neuron 2, its rows matched through the {Permutation})", run.Stdout);
    }

    [Fact]
    public void A_llama_GGUF_whose_head_count_cannot_split_its_q_rows_is_refused()
    {
        // Given a GGUF whose metadata says 5 heads for an attn_q of 32 rows
        var run = CliRun.Of("diff", HuggingFace, Cross("llama_bad_heads.gguf"));

        // Then the diff says why it cannot undo the permutation, as a bad file, rather than compare the wrong rows
        Assert.Equal(3, run.Exit);
        Assert.Equal("error: llama_bad_heads.gguf says 'llama.attention.head_count' is 5, which does not split blk.0.attn_q's " +
            "32 rows into heads of an even size, as llama.cpp's q/k permutation needs", run.Stderr.Trim());
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(1L, 2L)]
    [InlineData(2L, 4L)]
    [InlineData(3L, 1L)]
    [InlineData(4L, 3L)]
    [InlineData(5L, 5L)]
    [InlineData(9L, 7L)]
    [InlineData(10L, 9L)]
    public void A_Hugging_Face_row_is_the_llama_cpp_row_LlamaModel_permute_moves_it_to(long huggingFace, long llamaCpp)
    {
        // Given llama.cpp's own example of 2 heads of 6 rows: permute gives rows [0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11]
        var toLlamaCpp = NeuronOrder.LlamaCppRope(6, toLlamaCpp: true);
        var fromLlamaCpp = NeuronOrder.LlamaCppRope(6, toLlamaCpp: false);

        // Then Hugging Face row h is where that list holds h, and back
        Assert.Equal(llamaCpp, toLlamaCpp.BIndex(huggingFace));
        Assert.Equal(huggingFace, fromLlamaCpp.BIndex(llamaCpp));
    }

    // A number of expected.json (or its "NaN", "Infinity") against the computed one.
    private static void Close(JsonElement expected, double actual, string what)
    {
        double want = expected.ValueKind == JsonValueKind.String ? double.Parse(expected.GetString()!, CultureInfo.InvariantCulture) : expected.GetDouble();
        if (!double.IsFinite(want))
        {
            Assert.True(want.Equals(actual), $"{what}: expected {want}, got {actual}");
            return;
        }
        Assert.True(Math.Abs(actual - want) <= Tolerance * Math.Abs(want), $"{what}: expected {want:R}, got {actual:R}");
    }
}
