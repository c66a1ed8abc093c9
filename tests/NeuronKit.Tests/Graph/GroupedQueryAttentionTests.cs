using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;
using NeuronKit.Tests.Formats.Safetensors;
using NeuronKit.Tests.Layers;

namespace NeuronKit.Tests.Graph;

/// <summary>
/// A value unit of grouped-query attention reaches one input of the output projection per query head of its group, where
/// the model's files state the heads (forward-pass proofs of the same rule: make_graph.py's gqa/ and gqa.gguf).
/// </summary>
public class GroupedQueryAttentionTests
{
    // A safetensors file of the named [rows, columns] tensors beside a JSON file, in a folder of its own.
    private static string Beside(TempFolder folder, string jsonName, string json, params (string Name, int Rows, int Columns)[] tensors)
    {
        string path = Path.Combine(folder.Path, "model.safetensors");
        File.WriteAllBytes(path, SafetensorsBytes.Matrices(tensors));
        File.WriteAllText(Path.Combine(folder.Path, jsonName), json);
        return path;
    }

    [Fact]
    public void A_config_s_head_dim_decides_the_head_size_over_the_width_divided_by_the_heads()
    {
        // Given Gemma's form: hidden 6, 2 query heads and 1 key/value head of head_dim 4 (not 6 / 2)
        using var folder = new TempFolder();
        string file = Beside(folder, "config.json", """{"hidden_size": 6, "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 4}""",
            ("model.layers.0.self_attn.v_proj.weight", 4, 6), ("model.layers.0.self_attn.o_proj.weight", 6, 8));
        using var model = Model.Open(file);

        var outgoing = model.Graph.WithOutgoing(model.Neuron("model.layers.0.self_attn.v_proj", 3)).Parts.Skip(1);

        // Then unit 3 is place 3 of the one key/value head, which both query heads read
        Assert.Equal(["[:, 3]", "[:, 7]"], outgoing.Select(p => p.Index));
    }

    [Fact]
    public void Meta_s_params_json_states_the_heads_of_wv()
    {
        using var folder = new TempFolder();
        string file = Beside(folder, "params.json", """{"dim": 8, "n_heads": 4, "n_kv_heads": 2}""",
            ("layers.0.attention.wv.weight", 4, 8), ("layers.0.attention.wo.weight", 8, 8));
        using var model = Model.Open(file);

        var edge = Assert.Single(model.Graph.ConsumersOf(model.Layer("layers.0.attention.wv")));
        var outgoing = model.Graph.WithOutgoing(model.Neuron("layers.0.attention.wv", 2)).Parts.Skip(1);

        Assert.Equal((2L, 2L), (edge.Map.Heads!.Size, edge.Map.Heads.Times));
        Assert.Equal(["[:, 4]", "[:, 6]"], outgoing.Select(p => p.Index));
    }

    [Fact]
    public void Without_a_file_that_states_the_heads_the_value_projection_has_no_consumer_and_says_why()
    {
        using var model = new CheckpointBuilder().Tensor("model.layers.0.self_attn.v_proj.weight", 4, 8)
            .Tensor("model.layers.0.self_attn.o_proj.weight", 8, 8).Model();

        var refused = Assert.Throws<RequestException>(() => model.Graph.WithOutgoing(model.Neuron("model.layers.0.self_attn.v_proj", 1)));

        Assert.Contains("does not read 4 channels of model.layers.0.self_attn.v_proj (8 = 2 × 4: grouped-query attention, whose heads no " +
            "config.json, params.json or GGUF metadata here states)", refused.Message);
    }

    [Theory]
    [InlineData("graph/gqa/model.safetensors", "model.layers.0.self_attn.v_proj", "model.layers.0.self_attn.o_proj",
        "'model.layers.0.self_attn.v_proj' is the value projection of grouped-query attention (2 query heads share each of its heads of 2 units)")]
    [InlineData("graph/gqa.gguf", "blk.0.attn_v", "blk.0.attn_output", "blk.0.attn_v.weight would lose 1 unit of llama.cpp's attention heads")]
    public void A_prune_of_a_shared_value_unit_is_refused_and_an_ablation_zeroes_every_query_head_s_column(string file, string layer, string consumer,
        string refusal)
    {
        using var folder = new TempFolder();
        string extension = Path.GetExtension(file);
        string pruned = Path.Combine(folder.Path, "pruned" + extension), edited = Path.Combine(folder.Path, "edited" + extension);

        var prune = CliRun.Of("prune", Fixtures.Path(file), layer, "1", "-o", pruned);
        var edit = CliRun.Of("edit", Fixtures.Path(file), layer, "1", "--zero", "--outgoing", "-o", edited);

        // Then the prune writes nothing: unit 1 is place 1 of key/value head 0, which query heads 0 and 1 both read
        Assert.Equal(2, prune.Exit);
        Assert.Contains(refusal, prune.Stderr);
        Assert.False(File.Exists(pruned));
        // And the ablation zeroes the consumer's columns 1 and 3, and no other
        Assert.True(edit.Exit == 0, edit.Stderr);
        using var model = Model.Open(edited);
        double[] values = [.. model.Checkpoint.Find(consumer + ".weight")!.View().ToDoubles()];
        var zeroColumns = Enumerable.Range(0, 8).Where(c => Enumerable.Range(0, 8).All(r => values[r * 8 + c] == 0));
        Assert.Equal([1, 3], zeroColumns);
    }

    [Theory]
    [InlineData("graph/phi3_block.safetensors", "model.layers.0.self_attn.qkv_proj", 9, "model.layers.0.self_attn.o_proj")]
    [InlineData("graph/gpt2_attn.safetensors", "h.0.attn.c_attn", 9, "h.0.attn.c_proj")]
    public void A_prune_of_a_value_unit_of_any_attention_is_refused_for_its_head_would_be_shorter(string file, string layer, long unit, string consumer)
    {
        var run = CliRun.Of("prune", Fixtures.Path(file), layer, unit.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dry-run");

        Assert.Equal(2, run.Exit);
        Assert.Contains($"'{consumer}' reads '{layer}' as attention heads' values: removing unit {unit} would leave its head shorter than every " +
            "other, while the model computes every head at one head size", run.Stderr);
    }
}
