using NeuronKit.Adapters;
using NeuronKit.Diff;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;

namespace NeuronKit.Tests.Adapters;

/// <summary>
/// PEFT LoRA adapters merged over their base (tests/fixtures/diff/lora, make_diff.py's lora_adapters): every weight
/// against numpy's W + scale · ΔW (merged_*.safetensors), and the diff of base and adapter against the diff of base and
/// numpy's merged model.
/// </summary>
public class LoraAdapterTests
{
    private static string Lora(string name) => Fixtures.Path("diff/lora/" + name);

    [Theory]
    [InlineData("adapter", "merged_adapter.safetensors")]
    [InlineData("conv1d", "merged_conv1d.safetensors")]
    public void Every_merged_weight_is_numpy_s_base_plus_scaled_update(string adapter, string merged)
    {
        // Given the base, an adapter (Linear with a rank and an alpha pattern, Conv2d, Embedding, lm_head saved whole; or
        // GPT-2's Conv1D under fan_in_fan_out with rsLoRA), and numpy's merge of the two
        using var @base = Model.Open(Lora("base.safetensors"));
        using var expected = Model.Open(Lora(merged));

        // When the adapter is laid over the base
        using var tuned = LoraAdapter.Open(Lora(adapter)).Over(@base);

        // Then every tensor reads as numpy's, to rounding (the adapted ones computed in float64, the rest as stored)
        Assert.Equal(expected.Checkpoint.Tensors.Select(t => t.Name).Order(), tuned.Checkpoint.Tensors.Select(t => t.Name).Order());
        foreach (var tensor in expected.Checkpoint.Tensors)
        {
            double[] want = tensor.View().ToDoubles(), got = tuned.Checkpoint.Find(tensor.Name)!.View().ToDoubles();
            Assert.Equal(want.Length, got.Length);
            for (int i = 0; i < want.Length; i++)
                Assert.True(Math.Abs(want[i] - got[i]) <= 1e-12 * Math.Max(1, Math.Abs(want[i])), $"{tensor.Name}[{i}]: {got[i]} against numpy's {want[i]}");
        }
    }

    [Theory]
    [InlineData("adapter", "merged_adapter.safetensors")]
    [InlineData("conv1d", "merged_conv1d.safetensors")]
    public void The_diff_of_base_and_adapter_is_the_diff_of_base_and_numpy_s_merged_model(string adapter, string merged)
    {
        using var @base = Model.Open(Lora("base.safetensors"));
        using var expected = Model.Open(Lora(merged));
        using var tuned = LoraAdapter.Open(Lora(adapter)).Over(@base);

        var want = ModelDiff.Compute(@base, expected);
        var got = ModelDiff.Compute(@base, tuned);

        Assert.Equal(want.Layers.Select(l => l.A.Name), got.Layers.Select(l => l.A.Name));
        foreach (var (w, g) in want.Layers.Zip(got.Layers))
            foreach (var (nw, ng) in w.Neurons.Zip(g.Neurons))
            {
                Assert.Equal(nw.L2Delta, ng.L2Delta, 1e-12);
                Assert.Equal(nw.Relative, ng.Relative, 1e-12);
                Assert.Equal(nw.Cosine, ng.Cosine, 1e-12);
                Assert.Equal(nw.MaxAbs, ng.MaxAbs, 1e-12);
                Assert.Equal(nw.Flags, ng.Flags);
            }
        // The adapted layers moved; the layers the adapter leaves alone did not
        string[] adapted = adapter == "conv1d" ? ["transformer.h.0.attn.c_attn"]
            : ["model.layers.0.self_attn.q_proj", "model.layers.0.mlp.up_proj", "model.layers.0.conv", "model.embed_tokens", "lm_head"];
        Assert.All(got.Layers, l => Assert.Equal(adapted.Contains(l.A.Name), l.Neurons.Max(n => n.L2Delta) > 0));
    }

    [Fact]
    public void The_cli_compares_an_adapter_folder_merged_into_the_base_on_either_side()
    {
        var forward = CliRun.Of("diff", Lora("base.safetensors"), Lora("adapter"), "model.layers.0.mlp.up_proj", "--json");
        var backward = CliRun.Of("diff", Lora("adapter"), Lora("base.safetensors"), "model.layers.0.mlp.up_proj", "--json");

        Assert.Equal(0, forward.Exit);
        Assert.Equal(0, backward.Exit);
        Assert.StartsWith("{\"a\":\"base.safetensors\",\"b\":\"adapter_model.safetensors\",", forward.Stdout);
        using var @base = Model.Open(Lora("base.safetensors"));
        using var expected = Model.Open(Lora("merged_adapter.safetensors"));
        double l2 = ModelDiff.Compute(@base, expected, "model.layers.0.mlp.up_proj").Layers[0].Neurons[3].L2Delta;
        using var json = System.Text.Json.JsonDocument.Parse(forward.Stdout);
        Assert.Equal(l2, json.RootElement.GetProperty("layers")[0].GetProperty("stats")[3].GetProperty("l2_delta").GetDouble(), 1e-12);
    }

    [Fact]
    public void A_llama_cpp_adapter_merges_into_its_GGUF_base_as_alpha_over_rank_times_B_A()
    {
        // Given a GGUF base (ffn_up in Q8_0) and a llama.cpp LoRA adapter over it (alpha 8; ranks 4 and 2)
        using var @base = Model.Open(Lora("base.gguf"));
        using var expected = Model.Open(Lora("merged_gguf.safetensors"));

        // When the adapter is laid over the base
        using var tuned = LoraAdapter.Open(Lora("adapter.gguf")).Over(@base);

        // Then each weight is numpy's: ggml's dequantization of the base plus alpha / r · B·A; the embedding as it was
        foreach (var tensor in expected.Checkpoint.Tensors)
        {
            double[] want = tensor.View().ToDoubles(), got = tuned.Checkpoint.Find(tensor.Name)!.View().ToDoubles();
            Assert.Equal(want.Length, got.Length);
            for (int i = 0; i < want.Length; i++)
                Assert.True(Math.Abs(want[i] - got[i]) <= 1e-12 * Math.Max(1, Math.Abs(want[i])), $"{tensor.Name}[{i}]: {got[i]} against numpy's {want[i]}");
        }
        Assert.Equal("q8_0 + LoRA r2", tuned.Checkpoint.Find("blk.0.ffn_up.weight")!.StoredAs);
        var run = CliRun.Of("diff", Lora("base.gguf"), Lora("adapter.gguf"), "--csv");
        Assert.Equal(0, run.Exit);
        Assert.Equal(1 + 32 + 32 + 8, run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Two_adapters_are_compared_factor_by_factor_as_they_are()
    {
        // Given two adapters (two steps of a LoRA run: here the same one twice)
        var run = CliRun.Of("diff", Lora("adapter"), Lora("adapter"), "--csv");

        // Then nothing is merged: every row is one of the adapter's own layers (lora_A, lora_B, the modules it saves whole)
        Assert.Equal(0, run.Exit);
        var layers = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')[0]).Distinct().ToList();
        Assert.Contains("base_model.model.model.layers.0.mlp.up_proj.lora_A", layers);
        Assert.All(layers, l => Assert.StartsWith("base_model.model.", l));
    }

    [Fact]
    public void An_adapter_over_a_model_without_its_modules_names_the_module()
    {
        var run = CliRun.Of("diff", Fixtures.Path("diff/a.pt"), Lora("adapter"));

        Assert.Equal(3, run.Exit);
        Assert.StartsWith("error: adapter_model.safetensors ", run.Stderr);
        Assert.Contains("but the base a.pt has no tensor", run.Stderr);
    }

    [Theory]
    [InlineData(null, "holds LoRA weights, but no adapter_config.json is beside it")]
    [InlineData("{\"peft_type\": \"LORA\", \"r\": 2, \"lora_alpha\": 4, \"use_dora\": true}", "is a DoRA adapter (use_dora)")]
    [InlineData("{\"peft_type\": \"IA3\"}", "adapter_config.json is a IA3 adapter; NeuronKit merges LoRA adapters only")]
    [InlineData("{\"peft_type\": \"LORA\", \"lora_alpha\": 4}", "adapter_config.json has no rank 'r'")]
    [InlineData("{\"peft_type\": \"LORA\", \"r\": \"two\"}", "adapter_config.json has 'r' \"two\", not a number")]
    [InlineData("{\"r\": 2, ", "adapter_config.json is not JSON")]
    public void A_config_NeuronKit_cannot_merge_is_refused_saying_why(string? config, string message)
    {
        using var folder = new TempFolder();
        File.Copy(Lora("adapter/adapter_model.safetensors"), Path.Combine(folder.Path, "adapter_model.safetensors"));
        if (config is not null) File.WriteAllText(Path.Combine(folder.Path, "adapter_config.json"), config);

        var run = CliRun.Of("diff", Lora("base.safetensors"), folder.Path);

        Assert.Equal(3, run.Exit);
        Assert.Contains(message, run.Stderr);
    }

    [Theory]
    [InlineData("model.layers.0.self_attn.q_proj", 4.0 / 4)]    // rank_pattern's q_proj: r 4, alpha 4
    [InlineData("model.layers.0.mlp.up_proj", 1.0 / 2)]         // alpha_pattern's regex: alpha 1
    [InlineData("model.layers.10.mlp.up_proj", 4.0 / 2)]        // the regex names layer 0 only
    [InlineData("model.layers.0.self_attn.k_proj", 4.0 / 2)]    // neither: alpha / r
    public void Scales_follow_PEFT_s_patterns_first_match_first(string module, double scale)
    {
        var config = LoraConfig.Parse("adapter_config.json", """
            {"r": 2, "lora_alpha": 4, "rank_pattern": {"q_proj": 4, "self_attn.q_proj": 8},
             "alpha_pattern": {"layers\\.0\\.mlp\\.up_proj": 1, "(": 9}}
            """);

        Assert.Equal(scale, config.Scale(module));
    }

    [Fact]
    public void RsLoRA_scales_by_the_square_root_of_the_rank()
    {
        var config = LoraConfig.Parse("adapter_config.json", """{"r": 16, "lora_alpha": 8, "use_rslora": true}""");

        Assert.Equal(2.0, config.Scale("any.module"));
    }
}
