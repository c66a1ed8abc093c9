using NeuronKit.Diff;
using NeuronKit.Formats;
using NeuronKit.Tensors;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;

namespace NeuronKit.Tests.Formats.Safetensors;

/// <summary>
/// Hugging Face's MXFP4 checkpoints (gpt-oss): a parameter stored as NAME_blocks and NAME_scales is read as NAME, its
/// values transformers' dequantization (tests/fixtures/safetensors/gpt_oss_*.safetensors, make_safetensors_numpy.py;
/// the values themselves are checked by the fixture oracle's queries and every neuron's statistics).
/// </summary>
public class SafetensorsMxfp4Tests
{
    private static string Fixture(string name) => Fixtures.Path(Path.Combine("safetensors", name));

    private const string Experts = "model.layers.0.mlp.experts";

    [Fact]
    public void A_blocks_and_scales_pair_is_one_float32_tensor_stored_as_mxfp4()
    {
        // Given gpt-oss's experts as its checkpoint stores them: gate_up_proj_blocks [2, 64, 1, 16] and _scales [2, 64, 1]
        using var checkpoint = CheckpointFormats.Open(Fixture("gpt_oss_mxfp4.safetensors"));

        // When its tensors are listed
        var gateUp = checkpoint.Tensors.Single(t => t.Name == $"{Experts}.gate_up_proj");

        // Then the pair is one tensor [2, 64, 32] of float32 values stored as mxfp4, its size the two tensors' bytes;
        // neither half is listed on its own
        Assert.Equal([2L, 64, 32], gateUp.Shape);
        Assert.Equal((DType.Float32, "mxfp4", 2 * 64 * 16 + 2 * 64L), (gateUp.DType, gateUp.StoredAs, gateUp.ByteSize));
        Assert.DoesNotContain(checkpoint.Tensors, t => t.Name.EndsWith("_blocks", StringComparison.Ordinal) || t.Name.EndsWith("_scales", StringComparison.Ordinal));
        Assert.Equal(7, checkpoint.Tensors.Count);
    }

    [Fact]
    public void The_mxfp4_experts_are_transformers_dequantized_copy_neuron_for_neuron()
    {
        // Given the MXFP4 checkpoint and the bf16 copy of what transformers holds after dequantizing it, [experts, in, out]
        using var mxfp4 = Model.Open(Fixture("gpt_oss_mxfp4.safetensors"));
        using var bf16 = Model.Open(Fixture("gpt_oss_bf16.safetensors"));

        // When they are compared
        var diff = ModelDiff.Compute(mxfp4, bf16);

        // Then every expert pairs across the two layouts, and not one value differs
        Assert.Empty(diff.Mismatched);
        Assert.Empty(diff.OnlyInA);
        Assert.Equal(2 * 2 + 2, diff.Layers.Count);
        var expert = diff.Layers.Single(l => l.A.Name == $"{Experts}.gate_up_proj.1");
        Assert.Equal(("[experts, out, in]: this expert's (out, in)", "[experts, in, out]: this expert's (in, out)"), (expert.A.Layout, expert.B.Layout));
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
        Assert.Equal(0, diff.Changed);
    }

    [Fact]
    public void Blocks_whose_scales_do_not_fit_stay_two_uint8_tensors()
    {
        // Given w_blocks [32, 1, 16] beside w_scales [31, 1]: one scale short
        using var checkpoint = CheckpointFormats.Open(Fixture("mxfp4_unpaired.safetensors"));

        // Then neither is read as MXFP4
        Assert.Equal(["w_blocks", "w_scales"], checkpoint.Tensors.Select(t => t.Name).Order());
        Assert.All(checkpoint.Tensors, t => Assert.Equal((DType.UInt8, null), (t.DType, t.StoredAs)));
    }

    [Fact]
    public void Editing_an_mxfp4_expert_is_refused_and_editing_another_layer_of_the_file_works()
    {
        using var folder = new TempFolder();
        string file = Fixture("gpt_oss_mxfp4.safetensors");

        var refused = CliRun.Of("edit", file, $"{Experts}.down_proj.0", "0", "--zero", "-o", Path.Combine(folder.Path, "a.safetensors"));
        var edited = CliRun.Of("edit", file, "model.layers.0.mlp.router", "0", "--zero", "-o", Path.Combine(folder.Path, "b.safetensors"));

        Assert.Equal(2, refused.Exit);
        Assert.Contains($"{Experts}.down_proj is stored as MXFP4 blocks and scales ({Experts}.down_proj_blocks, {Experts}.down_proj_scales): " +
            "NeuronKit does not quantize edited values back into MXFP4", refused.Stderr);
        Assert.False(File.Exists(Path.Combine(folder.Path, "a.safetensors")));
        Assert.Equal(0, edited.Exit);
        using var after = Model.Open(Path.Combine(folder.Path, "b.safetensors"));
        Assert.All(after.Neuron("model.layers.0.mlp.router", 0).Parts, p => Assert.All(p.ToDoubles(), v => Assert.Equal(0, v)));
        using var before = Model.Open(file);
        Assert.Equal(0, ModelDiff.Compute(before, after, $"{Experts}.gate_up_proj.1").Changed);
    }

    [Fact]
    public void Pruning_a_file_with_mxfp4_tensors_is_refused_naming_them()
    {
        using var folder = new TempFolder();

        var run = CliRun.Of("prune", Fixture("gpt_oss_mxfp4.safetensors"), "model.layers.0.post_attention_layernorm", "3",
            "--consumer", "model.layers.0.mlp.router", "-o", Path.Combine(folder.Path, "out.safetensors"));

        Assert.Equal(2, run.Exit);
        Assert.Contains("stores model.layers.0.mlp.experts.down_proj as mxfp4 (its values decoded from more than one tensor)", run.Stderr);
        Assert.Contains("prune rewrites safetensors files whose tensors are stored as they are read", run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }
}
