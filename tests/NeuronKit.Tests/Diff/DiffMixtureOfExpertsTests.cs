using System.Globalization;
using System.Text.Json;
using NeuronKit.Diff;

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

    private static void Close(double want, double actual) =>
        Assert.True(Math.Abs(actual - want) <= 1e-9 * Math.Abs(want), $"expected {want.ToString("R", CultureInfo.InvariantCulture)}, got {actual.ToString("R", CultureInfo.InvariantCulture)}");
}
