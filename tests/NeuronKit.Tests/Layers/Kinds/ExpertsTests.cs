using System.Text.Json;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Layers.Kinds;

/// <summary>
/// llama.cpp's stacked experts (tests/fixtures/diff/cross/mixtral_q8_0.gguf, make_diff_cross.py): one tensor
/// [experts, out, in] per projection and block, read as one Linear sub-layer per expert, whose outgoing weights are
/// its own expert's ffn_down columns, and which a prune refuses to cut out of the stack. And Hugging Face's fused
/// experts (tests/fixtures/safetensors, make_safetensors_numpy.py): gate_up_proj and down_proj, whose pair settles
/// whether the experts are [experts, in, out] (gpt-oss) or [experts, out, in] (transformers 5's Mixtral).
/// </summary>
public class ExpertsTests
{
    private static string Cross(string file) => Fixtures.Path("diff/cross/" + file);

    [Fact]
    public void A_stacked_experts_tensor_is_read_as_one_Linear_sub_layer_per_expert()
    {
        // Given the Mixtral GGUF's block 1 up-projections, [4 experts, 32 out, 32 in]
        using var gguf = Model.Open(Cross("mixtral_q8_0.gguf"));

        // When its layers are listed
        var experts = gguf.Layers.Where(l => l.Module == "blk.1.ffn_up_exps").ToList();

        // Then each expert is a Linear of 32 neurons, and expert 2's neuron 5 is row 5 of weight[2], decoded as ggml does
        Assert.Equal(["blk.1.ffn_up_exps.0", "blk.1.ffn_up_exps.1", "blk.1.ffn_up_exps.2", "blk.1.ffn_up_exps.3"], experts.Select(l => l.Name));
        Assert.All(experts, l => Assert.Equal(("Linear", 32L, false), (l.Kind, l.NeuronCount, l.Assumed)));
        var part = Assert.Single(gguf.Neuron("blk.1.ffn_up_exps.2", 5).Parts);
        Assert.Equal(("blk.1.ffn_up_exps.weight", "[2, 5]"), (part.Tensor, part.Index));
        // And asking for the stacked tensor by its own name lists its experts
        var error = Assert.Throws<RequestException>(() => gguf.Layer("blk.1.ffn_up_exps"));
        Assert.StartsWith("'blk.1.ffn_up_exps' has 4 sub-layers: blk.1.ffn_up_exps.0", error.Message);
    }

    [Fact]
    public void An_expert_s_bias_is_its_row_of_a_bias_per_expert()
    {
        // Given stacked up-projections with a bias [4 experts, 32], bias[E, j] = 100·E + j
        using var gguf = Model.Open(Cross("experts_bias.gguf"));

        // When unit 5 of expert 2 is read
        var neuron = gguf.Neuron("blk.0.ffn_up_exps.2", 5);

        // Then its bias is entry [2, 5], as Linear's bias is entry j
        Assert.Equal(["weight", "bias"], neuron.Parts.Select(p => p.Role.Name));
        Assert.Equal("[2, 5]", neuron.Parts[1].Index);
        Assert.Equal([205.0], neuron.Parts[1].ToDoubles());
    }

    [Fact]
    public void Many_experts_are_listed_first_and_last_in_text_and_all_in_JSON()
    {
        // Given 8 experts of an up- and a down-projection
        var text = CliRun.Of("layers", Cross("experts_many.gguf"));
        var json = CliRun.Of("layers", Cross("experts_many.gguf"), "--json");

        // Then the table, the evidence and the consumers show expert 0 and expert 7 with the 6 between counted
        Assert.Equal(0, text.Exit);
        var lines = text.Stdout.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Equal(2, lines.Count(l => l == "… 6 more"));
        Assert.Equal(2, lines.Count(l => l == "… blk.0.ffn_up_exps.1 to .6: 6 more of the same")); // evidence and consumers
        Assert.Single(lines, l => l == "… blk.0.ffn_down_exps.1 to .6: 6 more of the same"); // evidence: ffn_down's consumer is unknown
        Assert.DoesNotContain(lines, l => l.StartsWith("blk.0.ffn_up_exps.3", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("blk.0.ffn_up_exps.7 → blk.0.ffn_down_exps.7*", StringComparison.Ordinal));
        // And the JSON lists all 16
        Assert.Equal(16, JsonDocument.Parse(json.Stdout).RootElement.GetProperty("layers").GetArrayLength());
    }

    [Fact]
    public void An_expert_s_unit_feeds_the_same_expert_s_down_projection()
    {
        // Given unit 3 of expert 1's up-projection in block 0
        var run = CliRun.Of("show", Cross("mixtral_q8_0.gguf"), "blk.0.ffn_up_exps.1", "3", "--outgoing", "--json");

        // Then its outgoing weights are column 3 of expert 1's ffn_down, not another expert's
        Assert.Equal(0, run.Exit);
        var outgoing = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("parts").EnumerateArray()
            .Single(p => p.GetProperty("direction").GetString() == "out");
        Assert.Equal(("blk.0.ffn_down_exps.weight", "[1, :, 3]", "blk.0.ffn_down_exps.1"),
            (outgoing.GetProperty("tensor").GetString(), outgoing.GetProperty("index").GetString(), outgoing.GetProperty("consumer").GetString()));
    }

    [Fact]
    public void Pruning_one_expert_s_unit_is_refused_with_the_way_out()
    {
        using var output = new TempFile("pruned.gguf", []);

        var run = CliRun.Of("prune", Cross("mixtral_q8_0.gguf"), "blk.0.ffn_up_exps.1", "3", "-o", output.Path);

        Assert.Equal(2, run.Exit);
        Assert.Equal("error: 'blk.0.ffn_up_exps.1' is one expert of blk.0.ffn_up_exps, a tensor that stacks every expert's weight: " +
            "removing its rows would change every expert's shape\nhint: ablate with neuron edit blk.0.ffn_up_exps.1 J --zero --outgoing instead",
            run.Stderr.Trim());
    }

    [Fact]
    public void DeepSeek_s_per_head_attn_k_b_and_attn_v_b_are_one_Linear_per_head()
    {
        // Given the DeepSeek GGUF's block 0 attn_k_b [2 heads, 32 latent, 32 key] and attn_v_b [2 heads, 16 value, 32 latent]
        using var gguf = Model.Open(Cross("deepseek2_q8_0.gguf"));

        var heads = gguf.Layers.Where(l => l.Module is "blk.0.attn_k_b" or "blk.0.attn_v_b").ToList();

        // Then each head is a Linear (not a convolution, as its 3-D weight alone would suggest): attn_k_b's neurons are
        // its latent dimensions, attn_v_b's its value rows; neuron j of head 1 is row j of weight[1]
        Assert.Equal(["blk.0.attn_k_b.0", "blk.0.attn_k_b.1", "blk.0.attn_v_b.0", "blk.0.attn_v_b.1"], heads.Select(l => l.Name));
        Assert.All(heads, l => Assert.Equal(("Linear", "[heads, out, in]: this head's (out, in)", false), (l.Kind, l.Layout, l.Assumed)));
        Assert.Equal([32L, 32, 16, 16], heads.Select(l => l.NeuronCount));
        var part = Assert.Single(gguf.Neuron("blk.0.attn_v_b.1", 5).Parts);
        Assert.Equal(("blk.0.attn_v_b.weight", "[1, 5]", "head 1 of 2: row 5 of weight[1]"), (part.Tensor, part.Index, part.Note));
        // And a head's numbers are which head it is, not a sequence: attn_k_b.0 does not feed attn_k_b.1
        Assert.Empty(gguf.Graph.ConsumersOf(gguf.Layer("blk.0.attn_k_b.0")));
    }

    [Fact]
    public void Pruning_one_head_s_unit_is_refused_as_an_expert_s_is()
    {
        using var output = new TempFile("pruned.gguf", []);

        var run = CliRun.Of("prune", Cross("deepseek2_f32.gguf"), "blk.0.attn_v_b.1", "3", "-o", output.Path);

        Assert.Equal(2, run.Exit);
        Assert.Equal("error: 'blk.0.attn_v_b.1' is one head of blk.0.attn_v_b, a tensor that stacks every head's weight: " +
            "removing its rows would change every head's shape\nhint: ablate with neuron edit blk.0.attn_v_b.1 J --zero instead", run.Stderr.Trim());
    }

    [Fact]
    public void DeepSeek_s_router_is_a_Linear_and_its_selection_bias_a_layer_of_its_own()
    {
        // Given DeepSeek-V3's router: mlp.gate.weight [4 experts, 32] beside e_score_correction_bias [4]
        using var hf = Model.Open(Cross("moe/deepseek_v3.safetensors"));

        var router = hf.Layer("model.layers.1.mlp.gate");
        var selection = hf.Layer("model.layers.1.mlp.gate.e_score_correction_bias");

        // Then the router is a Linear, a row per expert, with no bias (the selection bias only ranks the experts)
        Assert.Equal(("Linear", 4L, false), (router.Kind, router.NeuronCount, router.Assumed));
        Assert.Equal(["weight"], hf.Neuron("model.layers.1.mlp.gate", 2).Parts.Select(p => p.Role.Name));
        Assert.Contains("selection bias", router.Evidence[0], StringComparison.Ordinal);
        Assert.Equal(4, selection.NeuronCount);
    }

    [Theory]
    [InlineData("gpt_oss_bf16.safetensors", "[experts, in, out]: this expert's (in, out)", 64, 32, "[1, :, 5]")]
    [InlineData("mixtral_fused.safetensors", "[experts, out, in]: this expert's (out, in)", 16, 16, "[1, 5]")]
    public void Fused_experts_are_one_Linear_per_expert_in_the_order_their_pair_allows(string file, string layout, long gateUp, long down, string index)
    {
        // Given a fused experts module: gate_up_proj [2, 32, 64] and down_proj [2, 32, 32] (x @ W), or
        // [2, 16, 16] and [2, 16, 8] (F.linear)
        using var model = Model.Open(Fixtures.Path("safetensors/" + file));

        // When its layers are listed
        var experts = model.Layers.Where(l => l.Name.StartsWith("model.layers.0.mlp.experts.", StringComparison.Ordinal)).ToList();

        // Then each projection of each expert is a Linear sub-layer in the one order the pair fits, neuron j its output j
        Assert.Equal(["model.layers.0.mlp.experts.down_proj.0", "model.layers.0.mlp.experts.down_proj.1",
            "model.layers.0.mlp.experts.gate_up_proj.0", "model.layers.0.mlp.experts.gate_up_proj.1"], experts.Select(l => l.Name).Order());
        Assert.All(experts, l => Assert.Equal(("Linear", layout, false), (l.Kind, l.Layout, l.Assumed)));
        Assert.Equal((gateUp, down), (model.Layer("model.layers.0.mlp.experts.gate_up_proj.1").NeuronCount, model.Layer("model.layers.0.mlp.experts.down_proj.0").NeuronCount));
        Assert.Equal(index, model.Neuron("model.layers.0.mlp.experts.gate_up_proj.1", 5).Parts[0].Index);
    }

    [Fact]
    public void A_fused_pair_that_fits_neither_order_is_not_read_as_experts()
    {
        // Given an experts module whose gate_up_proj [2, 6, 4] and down_proj [2, 5, 3] fit neither order
        byte[] data = new byte[(2 * 6 * 4 + 2 * 5 * 3) * 4];
        string header = """{"m.experts.gate_up_proj":{"dtype":"F32","shape":[2,6,4],"data_offsets":[0,192]},"m.experts.down_proj":{"dtype":"F32","shape":[2,5,3],"data_offsets":[192,312]}}""";
        using var file = new TempFile("odd.safetensors", Formats.Safetensors.SafetensorsBytes.Build(header, data));

        using var model = Model.Open(file.Path);

        // Then no layer is an expert
        Assert.DoesNotContain(model.Layers, l => l.Implementation is NeuronKit.Layers.Kinds.Experts);
    }

    [Fact]
    public void Pruning_one_fused_expert_s_unit_is_refused_with_the_way_out()
    {
        using var output = new TempFile("pruned.safetensors", []);

        var run = CliRun.Of("prune", Fixtures.Path("safetensors/mixtral_fused.safetensors"), "model.layers.0.mlp.experts.gate_up_proj.1", "3",
            "--consumer", "model.layers.0.mlp.experts.down_proj.1", "-o", output.Path);

        Assert.Equal(2, run.Exit);
        Assert.StartsWith("error: 'model.layers.0.mlp.experts.gate_up_proj.1' is one expert of model.layers.0.mlp.experts.gate_up_proj, " +
            "a tensor that stacks every expert's weight", run.Stderr);
    }
}
