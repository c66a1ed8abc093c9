using static NeuronKit.Tests.Layers.CheckpointBuilder;

namespace NeuronKit.Tests.Layers.Kinds;

public class EmbeddingTests
{
    [Theory]
    [InlineData("transformer.wte")]
    [InlineData("embed")]
    [InlineData("model.embed_tokens")]
    [InlineData("bert.embeddings.word_embeddings")]
    [InlineData("tok_embeddings")]
    public void A_bias_free_2d_weight_named_like_an_embedding_is_one_and_unit_j_is_column_j(string module)
    {
        // Given a table of 5 tokens × 3 dims
        using var model = new CheckpointBuilder().Tensor($"{module}.weight", 5, 3).Model();

        var layer = model.Layer(module);
        var weight = Assert.Single(model.Neuron(module, 1).Parts);

        Assert.Equal(("Embedding", 3L, "[num, dim]", false), (layer.Kind, layer.NeuronCount, layer.Layout, layer.Assumed));
        Assert.Contains(layer.Evidence, e => e.Contains("Embedding [num, dim]"));
        Assert.Equal(("weight", "[:, 1]"), (weight.Role.Name, weight.Index));
        Assert.Equal([5L], weight.Shape);
        Assert.Equal(Run(1, 5, 3), weight.ToDoubles());
        Assert.Contains("every token", weight.Note);
    }

    [Fact]
    public void An_embedding_tied_to_a_Linear_head_lists_both_layers_with_the_tie_as_evidence()
    {
        // Given GPT-2's wte and lm_head sharing one storage
        using var model = new CheckpointBuilder().Tensor("transformer.wte.weight", 6, 4).Tied("lm_head.weight", "transformer.wte.weight").Model();

        var embedding = model.Layer("transformer.wte");
        var head = model.Layer("lm_head");

        Assert.Equal(("Embedding", 4L), (embedding.Kind, embedding.NeuronCount));
        Assert.Equal(("Linear", 6L), (head.Kind, head.NeuronCount));
        Assert.Contains(embedding.Evidence, e => e.Contains("shares its storage with lm_head.weight"));
        Assert.Contains(head.Evidence, e => e.Contains("shares its storage with transformer.wte.weight"));
        Assert.Equal(model.Neuron("lm_head", 2).Parts[0].ToDoubles(), Run(8, 4));
    }

    [Fact]
    public void A_module_class_makes_any_module_an_Embedding()
    {
        using var model = new CheckpointBuilder().Tensor("lookup.weight", 5, 3).Class("lookup", "torch.nn.modules.sparse.Embedding").Model();

        Assert.Equal("Embedding", model.Layer("lookup").Kind);
    }

    [Fact]
    public void A_bias_free_2d_weight_with_another_name_is_a_Linear_not_an_Embedding()
    {
        using var model = new CheckpointBuilder().Tensor("fc.weight", 5, 3).Model();

        Assert.Equal("Linear", model.Layer("fc").Kind);
    }
}
