using static NeuronKit.Tests.Layers.CheckpointBuilder;

namespace NeuronKit.Tests.Layers.Kinds;

public class MultiheadAttentionTests
{
    [Fact]
    public void A_packed_in_projection_gives_rows_j_E_plus_j_and_2E_plus_j_and_out_proj_is_its_own_Linear()
    {
        // Given MultiheadAttention(E = 2): in_proj_weight [6, 2], in_proj_bias [6], out_proj [2, 2] + [2]
        using var model = new CheckpointBuilder()
            .Tensor("attn.in_proj_weight", 6, 2).Tensor("attn.in_proj_bias", 6)
            .Tensor("attn.out_proj.weight", 2, 2).Tensor("attn.out_proj.bias", 2).Model();

        var attention = model.Layer("attn");
        var neuron = attention.Neuron(1);

        Assert.Equal(["attn", "attn.out_proj"], model.Layers.Select(l => l.Name));
        Assert.Equal(("MultiheadAttention", 2L, false), (attention.Kind, attention.NeuronCount, attention.Assumed));
        Assert.Equal(("Linear", "(out, in)"), (model.Layer("attn.out_proj").Kind, model.Layer("attn.out_proj").Layout));
        Assert.Equal(["q", "q", "k", "k", "v", "v"], neuron.Parts.Select(p => p.Gate?.Name));
        Assert.Equal(["in_proj_weight", "in_proj_bias", "in_proj_weight", "in_proj_bias", "in_proj_weight", "in_proj_bias"],
            neuron.Parts.Select(p => p.Role.Name));
        Assert.Equal(["[1]", "[1]", "[3]", "[3]", "[5]", "[5]"], neuron.Parts.Select(p => p.Index));
        Assert.Equal(Run(10, 2), neuron.Parts[4].ToDoubles());
        Assert.Contains("row 2·2 + 1 = 5", neuron.Parts[4].Note);
    }

    [Fact]
    public void Separate_projections_and_bias_k_and_bias_v_are_parts_of_their_gate()
    {
        // Given MultiheadAttention(E = 2, kdim = 3, vdim = 4, add_bias_kv = True)
        using var model = new CheckpointBuilder()
            .Tensor("attn.q_proj_weight", 2, 2).Tensor("attn.k_proj_weight", 2, 3).Tensor("attn.v_proj_weight", 2, 4)
            .Tensor("attn.in_proj_bias", 6).Tensor("attn.bias_k", 1, 1, 2).Tensor("attn.bias_v", 1, 1, 2).Model();

        var neuron = model.Neuron("attn", 1);

        Assert.Equal(["q_proj_weight", "in_proj_bias", "k_proj_weight", "in_proj_bias", "bias_k", "v_proj_weight", "in_proj_bias", "bias_v"],
            neuron.Parts.Select(p => p.Role.Name));
        Assert.Equal(["q", "q", "k", "k", "k", "v", "v", "v"], neuron.Parts.Select(p => p.Gate?.Name));
        Assert.Equal(["[1]", "[1]", "[1]", "[3]", "[0, 0, 1]", "[1]", "[5]", "[0, 0, 1]"], neuron.Parts.Select(p => p.Index));
        Assert.Equal(Run(3, 3), neuron.Part("k_proj_weight")!.ToDoubles());
        Assert.Equal([1.0], neuron.Part("bias_v")!.ToDoubles());
        Assert.Empty(neuron.Part("bias_v")!.Shape);
    }
}
