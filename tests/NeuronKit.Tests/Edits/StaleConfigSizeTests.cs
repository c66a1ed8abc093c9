using NeuronKit.Edits;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Formats.Safetensors;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// A prune of a Hugging Face model says when the config.json beside it gives a size the prune changed, which transformers
/// would refuse the pruned copy for (a GGUF prune rewrites its own metadata).
/// </summary>
public class StaleConfigSizeTests
{
    private const string Mlp = "model.layers.{0}.mlp.";

    // A LLaMA MLP of 16 units in each of two blocks (hidden size 8), beside the config.json given.
    private static string Llama(TempFolder folder, string config)
    {
        var tensors = new List<(string Name, int Rows, int Columns)>();
        foreach (int block in (int[])[0, 1])
            tensors.AddRange([(string.Format(Mlp, block) + "gate_proj.weight", 16, 8), (string.Format(Mlp, block) + "up_proj.weight", 16, 8),
                (string.Format(Mlp, block) + "down_proj.weight", 8, 16)]);
        string path = Path.Combine(folder.Path, "model.safetensors");
        File.WriteAllBytes(path, SafetensorsBytes.Matrices(tensors));
        File.WriteAllText(Path.Combine(folder.Path, "config.json"), config);
        return path;
    }

    [Fact]
    public void Pruning_every_block_alike_says_which_size_the_pruned_copy_s_config_must_give()
    {
        // Given a LLaMA whose config says intermediate_size 16 (and a hidden size no prune here changes)
        using var folder = new TempFolder();
        string model = Llama(folder, """{"model_type": "llama", "hidden_size": 8, "intermediate_size": 16, "num_attention_heads": 16}""");

        // When units 3 and 5 of both blocks' MLPs are pruned
        var run = CliRun.Of("prune", model, "--neurons", string.Format(Mlp, 0) + "gate_proj:3,model.layers.0.mlp.gate_proj:5,model.layers.1.mlp.up_proj:3,model.layers.1.mlp.up_proj:5",
            "-o", Path.Combine(folder.Path, "pruned.safetensors"));

        // Then the copy is written, and a note says that config.json must now say 14
        Assert.Equal(0, run.Exit);
        var note = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("note: config.json beside the file says intermediate_size 16, the size of model.layers.0.mlp.gate_proj and 3 more layers " +
            "before the prune (14 now): transformers builds the model from it and refuses other shapes, so give the pruned copy a config.json " +
            "that says intermediate_size 14", note);
    }

    [Fact]
    public void Pruning_one_block_says_no_one_config_can_give_both_sizes()
    {
        // Given the same LLaMA, its config nested as a multimodal model's text_config
        using var folder = new TempFolder();
        string model = Llama(folder, """{"model_type": "llava", "text_config": {"intermediate_size": 16}}""");

        // When unit 3 of block 1's MLP is pruned
        using var opened = Model.Open(model);
        var prune = ModelPrune.Plan(opened, [(opened.Layer(string.Format(Mlp, 1) + "up_proj"), [3L])]);

        // Then the stale size names both sizes the blocks now have
        var stale = Assert.Single(StaleConfigSize.Of(prune));
        Assert.Equal(("text_config.intermediate_size", 16L), (stale.Key, stale.Size));
        Assert.Equal([string.Format(Mlp, 1) + "up_proj", string.Format(Mlp, 1) + "gate_proj"], stale.Layers);
        Assert.Equal([15L, 16L], stale.Now);
        var run = CliRun.Of("prune", model, string.Format(Mlp, 1) + "up_proj", "3", "--dry-run");
        Assert.Contains("(15 or 16 now): transformers builds every layer at one size, so it cannot load the pruned copy unless each layer loses as many neurons", run.Stderr);
    }

    [Fact]
    public void A_fused_gate_and_up_projection_s_units_are_counted_as_its_config_counts_them()
    {
        // Given the tiny Phi-3 (intermediate_size 64: gate_up_proj's 128 rows are gate | up)
        using var model = Model.Open(Fixtures.Path("diff/cross/phi3/model.safetensors"));

        // When unit 3 of block 0's MLP goes (gate row 3, up row 67)
        var prune = ModelPrune.Plan(model, [(model.Layer("model.layers.0.mlp.gate_up_proj"), [3L])]);

        // Then the config's 64 is stale: block 0 has 63 units now, block 1 still 64
        var stale = Assert.Single(StaleConfigSize.Of(prune));
        Assert.Equal(("intermediate_size", 64L), (stale.Key, stale.Size));
        Assert.Equal(["model.layers.0.mlp.gate_up_proj"], stale.Layers);
        Assert.Equal([63L, 64L], stale.Now);
    }

    [Theory]
    [InlineData("""{"model_type": "llama", "intermediate_size": 32}""")]   // no size the prune changes
    [InlineData("""{"intermediate_size": "16"}""")]                        // not a number
    [InlineData("""[16]""")]                                               // not an object
    [InlineData("""{"intermediate_size": 16""")]                           // not JSON: no config to speak of
    public void A_config_that_gives_no_changed_size_says_nothing(string config)
    {
        using var folder = new TempFolder();
        string model = Llama(folder, config);

        var run = CliRun.Of("prune", model, string.Format(Mlp, 0) + "gate_proj", "3", "--dry-run");

        Assert.Equal(0, run.Exit);
        Assert.Equal("", run.Stderr);
    }
}
