using NeuronKit.Diff;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Diff;

/// <summary>
/// Meta's reference LLaMA checkpoint (tests/fixtures/diff/cross/meta/consolidated.00.pth and its params.json,
/// make_diff_cross.py) against the same model in Hugging Face naming and as llama.cpp's GGUF: Meta's names pair with
/// both, and its q/k rows, in the rotary order llama.cpp also uses, are reordered against Hugging Face's only.
/// </summary>
public class DiffMetaNamesTests
{
    private const string MetaOrder = "Meta q/k order";

    private static readonly string Meta = Fixtures.Path("diff/cross/meta/consolidated.00.pth");
    private static readonly string HuggingFace = Fixtures.Path("diff/cross/llama/model.safetensors");

    [Fact]
    public void Meta_s_names_pair_with_Hugging_Face_s_and_the_q_k_rows_go_through_Meta_s_order()
    {
        using var meta = Model.Open(Meta);
        using var hf = Model.Open(HuggingFace);

        var diff = ModelDiff.Compute(meta, hf);

        Assert.Empty(diff.OnlyInA);
        Assert.Empty(diff.OnlyInB);
        Assert.Equal(21, diff.Layers.Count);
        var names = diff.Layers.ToDictionary(l => l.A.Name, l => l.B.Name);
        Assert.Equal("model.embed_tokens", names["tok_embeddings"]);
        Assert.Equal("model.layers.1.mlp.gate_proj", names["layers.1.feed_forward.w1"]);
        Assert.Equal("model.layers.1.mlp.down_proj", names["layers.1.feed_forward.w2"]);
        Assert.Equal("model.layers.0.post_attention_layernorm", names["layers.0.ffn_norm"]);
        Assert.Equal(["layers.0.attention.wq", "layers.0.attention.wk", "layers.1.attention.wq", "layers.1.attention.wk"],
            diff.Layers.Where(l => l.BOrder is not null).Select(l => l.A.Name));
        Assert.All(diff.Layers.Where(l => l.BOrder is not null), l => Assert.Equal(MetaOrder, l.BOrder!.Name));
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
        // And the other way round
        Assert.All(ModelDiff.Compute(hf, meta).Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
    }

    [Fact]
    public void Meta_s_rows_are_llama_cpp_s_rows_so_against_a_GGUF_nothing_is_reordered()
    {
        using var meta = Model.Open(Meta);
        using var gguf = Model.Open(Fixtures.Path("diff/cross/llama_f32.gguf"));

        var diff = ModelDiff.Compute(meta, gguf);

        Assert.Empty(diff.OnlyInA);
        Assert.Empty(diff.OnlyInB);
        Assert.Equal("blk.0.attn_q", diff.Layers.Single(l => l.A.Name == "layers.0.attention.wq").B.Name);
        Assert.All(diff.Layers, l => Assert.Null(l.BOrder));
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
    }

    [Fact]
    public void Without_params_json_the_Hugging_Face_config_json_gives_the_head_counts()
    {
        // Given the Meta checkpoint alone in a folder (no params.json), against the Hugging Face model beside its config.json
        using var alone = new TempFile("consolidated.00.pth", File.ReadAllBytes(Meta));
        using var meta = Model.Open(alone.Path);
        using var hf = Model.Open(HuggingFace);

        // Then the q/k rows still match
        Assert.All(ModelDiff.Compute(meta, hf).Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
    }

    [Fact]
    public void Without_any_head_count_the_q_k_rows_are_not_guessed()
    {
        // Given the Meta checkpoint and the Hugging Face model each alone in a folder, neither params.json nor config.json
        using var meta = new TempFile("consolidated.00.pth", File.ReadAllBytes(Meta));
        using var hf = new TempFile("model.safetensors", File.ReadAllBytes(HuggingFace));

        var run = CliRun.Of("diff", meta.Path, hf.Path);

        Assert.Equal(3, run.Exit);
        Assert.Equal("error: putting layers.0.attention.wq's rows in Hugging Face's order needs the head count, and neither params.json " +
            "beside consolidated.00.pth nor config.json beside model.safetensors says it", run.Stderr.Trim());
    }
}
