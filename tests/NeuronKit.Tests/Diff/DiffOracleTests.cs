using System.Text.Json;
using NeuronKit.Diff;
using NeuronKit.Tensors;
using NeuronKit.Tests.Cli;
using NeuronKit.Views.Reports;

namespace NeuronKit.Tests.Diff;

/// <summary>
/// <c>neuron diff</c> of the PyTorch-trained pair in tests/fixtures/diff (make_diff.py) against numpy's table in
/// expected.json, every value of every neuron of every layer, for each pairing of the formats the pair was saved in.
/// numpy sums in another order, so values agree to a relative 1e-9; flags, nulls, NaN and Infinity exactly.
/// </summary>
public class DiffOracleTests
{
    private const double Tolerance = 1e-9;

    private static readonly JsonElement Root = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("diff/expected.json"))).RootElement;
    private static readonly JsonElement Expected = Root.GetProperty("layers");
    private static readonly JsonElement Quantized = Root.GetProperty("quantized");

    public static TheoryData<string, string> Pairs() => new()
    {
        { "a.pt", "b.pt" },
        { "a.safetensors", "b.safetensors" },
        { "a.safetensors", "b.pt" },
        { "a.pt", "b_checkpoint.pt" },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Every_neuron_of_every_layer_changed_as_numpy_computes_from_the_two_files(string a, string b)
    {
        // Given the two files
        using var modelA = Model.Open(Fixtures.Path("diff/" + a));
        using var modelB = Model.Open(Fixtures.Path("diff/" + b));

        // When they are compared
        var diff = ModelDiff.Compute(modelA, modelB);

        // Then every layer numpy compared is there, in order, with every neuron's numbers and flags
        Assert.Empty(diff.OnlyInA);
        Assert.Empty(diff.OnlyInB);
        Assert.Empty(diff.Mismatched);
        AssertTable(Expected, diff);
    }

    [Theory]
    [InlineData("q_q8_0.gguf")]
    [InlineData("q_q4_0.gguf")]
    public void A_quantized_copy_differs_from_its_float_original_by_each_neurons_quantization_error(string quantized)
    {
        // Given a float32 model and its GGUF copy, weights quantized by ggml's reference quantizer
        using var original = Model.Open(Fixtures.Path("diff/q.safetensors"));
        using var copy = Model.Open(Fixtures.Path("diff/" + quantized));

        // When they are compared
        var diff = ModelDiff.Compute(original, copy);

        // Then each neuron's change is the error numpy computes from ggml's dequantized values, biases (f32) unchanged
        AssertTable(Quantized.GetProperty(quantized), diff);
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.True(n.L2Delta > 0 && n.BiasDelta == 0));
    }

    [Theory]
    [InlineData("g_gptq.safetensors")]        // symmetric 4-bit, groups of 32, zero points stored less one
    [InlineData("g_gptq_act.safetensors")]    // asymmetric 4-bit, groups in activation order (g_idx)
    [InlineData("g_gptq_int8.safetensors")]   // 8-bit, four a word
    [InlineData("g_awq.safetensors")]         // asymmetric 4-bit, words along the outputs in AWQ's order
    [InlineData("gptq_v2/model.safetensors")] // zero points stored as they are, as the quantize_config.json beside it says
    [InlineData("g_gptq_int3.safetensors")]   // 3-bit: a bit stream down the inputs, a value across two words where it falls so
    [InlineData("g_gptq_int2.safetensors")]   // 2-bit, sixteen a word, groups in activation order
    public void A_GPTQ_or_AWQ_copy_differs_from_its_float_original_by_each_neurons_quantization_error(string quantized)
    {
        // Given a float32 model and its copy as a GPTQ or AWQ tool stores it (qweight, qzeros, scales, float16 biases)
        using var original = Model.Open(Fixtures.Path(quantized.Contains("_int3") || quantized.Contains("_int2") ? "diff/g32.safetensors" : "diff/g.safetensors"));
        using var copy = Model.Open(Fixtures.Path("diff/" + quantized));

        // When they are compared
        var diff = ModelDiff.Compute(original, copy);

        // Then each neuron's change is numpy's (q − z) · scale against the original, its bias's the float16 rounding
        AssertGroupQuantized(quantized, diff);
    }

    [Theory]
    [InlineData("torch_save/gptq_model-4bit-32g.bin", "g_gptq.safetensors")]   // zip, as AutoGPTQ's save_quantized(use_safetensors=False) names it
    [InlineData("torch_save/awq_model.bin", "g_awq.safetensors")]
    [InlineData("torch_save/gptq_act_views.bin", "g_gptq_act.safetensors")]    // words viewed at offsets into one storage, scales strided
    [InlineData("torch_save/sharded", "g_gptq_int3.safetensors")]              // transformers' .bin shards: words in one, scales and g_idx in the other
    public void A_GPTQ_or_AWQ_copy_saved_with_torch_save_reads_as_the_same_copy_in_safetensors(string twin, string quantized)
    {
        // Given a float32 model, and its GPTQ or AWQ copy saved with torch.save and with safetensors
        using var original = Model.Open(Fixtures.Path(quantized.Contains("_int3") ? "diff/g32.safetensors" : "diff/g.safetensors"));
        using var copy = Model.Open(Fixtures.Path("diff/" + twin));
        using var safetensors = Model.Open(Fixtures.Path("diff/" + quantized));

        // When the torch.save copy is compared with the original
        var diff = ModelDiff.Compute(original, copy);

        // Then its table is numpy's for the copy, and every weight and bias is the safetensors copy's, value for value
        AssertGroupQuantized(quantized, diff);
        Assert.Equal(safetensors.Checkpoint.Tensors.Select(t => (t.Name, t.StoredAs)).Order(), copy.Checkpoint.Tensors.Select(t => (t.Name, t.StoredAs)).Order());
        foreach (var tensor in safetensors.Checkpoint.Tensors)
            Assert.Equal(tensor.View().ToDoubles(), copy.Checkpoint.Find(tensor.Name)!.View().ToDoubles());
    }

    private static void AssertGroupQuantized(string quantized, ModelDiff diff)
    {
        var expected = Root.GetProperty("group_quantized").GetProperty(quantized);
        AssertTable(expected, diff);
        Assert.Empty(diff.Mismatched);
        Assert.All(diff.Layers, l => Assert.Equal(expected[0].GetProperty("stored").GetString(), l.B.Tensors[0].Tensor.StoredAs));
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.True(n.L2Delta > 0));
    }

    [Theory]
    [InlineData("q4")]      // 4 bits, eight a word
    [InlineData("q3")]      // 3 bits: values across byte and word boundaries
    [InlineData("q6")]      // 6 bits
    [InlineData("mixed")]   // 4 bits, proj 8 by its own entry in config.json
    [InlineData("moe")]     // a mixture's experts stacked as mlx-lm's SwitchGLU keeps them, one Linear per expert
    [InlineData("mxfp4")]   // E2M1 codes under E8M0 scales, groups of 32, no biases
    [InlineData("nvfp4")]   // E2M1 codes under E4M3 scales, groups of 16
    [InlineData("mxfp8")]   // E4M3 codes under E8M0 scales
    [InlineData("gpt_oss")] // 8-bit affine by default, proj mxfp4 by its own entry (the mode's bits and group size implied)
    public void An_MLX_copy_differs_from_its_float_original_by_each_neurons_quantization_error(string variant)
    {
        // Given a float32 model and its copy as mlx-lm stores it (uint32 words, scales and biases, config.json beside)
        using var original = Model.Open(Fixtures.Path(variant == "moe" ? "diff/mlx/moe_original.safetensors" : "diff/g.safetensors"));
        using var copy = Model.Open(Fixtures.Path($"diff/mlx/{variant}"));

        // When they are compared
        var diff = ModelDiff.Compute(original, copy);

        // Then each neuron's change is numpy's scale · q + bias (or code · scale) against the original; the layer's own bias is unchanged
        var expected = Root.GetProperty("mlx_quantized").GetProperty(variant);
        AssertTable(expected, diff);
        Assert.Empty(diff.OnlyInB);
        Assert.Equal(expected.EnumerateArray().Select(l => l.GetProperty("stored").GetString()), diff.Layers.Select(l => l.B.Tensors[0].Tensor.StoredAs));
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.True(n.L2Delta > 0 && n.BiasDelta is 0 or null));
    }

    [Fact]
    public void MLX_stacked_experts_pair_with_Hugging_Face_s_one_Linear_per_expert()
    {
        // Given a mixture's experts as Hugging Face keeps them (mlp.experts.E.up_proj) and as mlx-lm stacks and quantizes them
        using var hf = Model.Open(Fixtures.Path("diff/mlx/moe_hf.safetensors"));
        using var mlx = Model.Open(Fixtures.Path("diff/mlx/moe"));

        // When they are compared, each way
        var diff = ModelDiff.Compute(hf, mlx);
        var back = ModelDiff.Compute(mlx, hf);

        // Then expert E pairs with switch_mlp.up_proj.E, each neuron's change numpy's quantization error; nothing is left over
        var expected = Root.GetProperty("mlx_quantized").GetProperty("moe");
        Assert.Equal(Enumerable.Range(0, 4).Select(e => $"model.layers.0.mlp.experts.{e}.up_proj"), diff.Layers.Select(l => l.A.Name));
        Assert.Equal(Enumerable.Range(0, 4).Select(e => $"model.layers.0.mlp.switch_mlp.up_proj.{e}"), diff.Layers.Select(l => l.B.Name));
        Assert.Empty(diff.OnlyInA);
        Assert.Empty(diff.OnlyInB);
        foreach (var (layer, rows) in diff.Layers.Zip(expected.EnumerateArray()))
            foreach (var (n, row) in layer.Neurons.Zip(rows.GetProperty("stats").EnumerateArray()))
                Close(row.GetProperty("l2_delta"), n.L2Delta, $"{layer.A.Name}[{n.Index}] l2_delta");
        Assert.Equal(diff.Layers.Select(l => l.Neurons.Sum(n => n.L2Delta)), back.Layers.Select(l => l.Neurons.Sum(n => n.L2Delta)));
    }

    [Theory]
    [InlineData("model.layers.3.mlp.switch_mlp.gate_proj.7", "model.layers.3.mlp.experts.7.gate_proj")]
    [InlineData("model.layers.3.block_sparse_moe.switch_mlp.gate_proj.7", "model.layers.3.block_sparse_moe.experts.7.w1")]
    [InlineData("model.layers.3.block_sparse_moe.switch_mlp.up_proj.0", "model.layers.3.block_sparse_moe.experts.0.w3")]
    [InlineData("model.layers.3.block_sparse_moe.switch_mlp.down_proj.1", "model.layers.3.block_sparse_moe.experts.1.w2")]
    [InlineData("model.layers.3.mlp.switch_mlp.gate_proj", null)]
    [InlineData("model.layers.3.mlp.experts.7.gate_proj", null)]
    public void MLX_expert_names_read_as_Hugging_Face_s(string mlx, string? huggingFace)
    {
        Assert.Equal(huggingFace, MlxNames.HuggingFaceName(mlx));
    }

    [Fact]
    public void MLX_words_without_the_config_that_says_their_bits_stay_as_stored()
    {
        using var folder = new NeuronKit.Tests.Edits.TempFolder();
        File.Copy(Fixtures.Path("diff/mlx/q4/model.safetensors"), Path.Combine(folder.Path, "model.safetensors"));

        using var copy = Model.Open(Path.Combine(folder.Path, "model.safetensors"));

        Assert.Equal(DType.UInt32, copy.Checkpoint.Find("fc.weight")!.DType);
        Assert.NotNull(copy.Checkpoint.Find("fc.scales"));
    }

    [Theory]
    [InlineData("{\"quantization\": {\"group_size\": 32, \"bits\": {}}}")]                 // found by fuzzing: bits not a number
    [InlineData("{\"quantization\": {\"group_size\": 32, \"bits\": 4, \"mode\": \"\xff\"}}")] // found by fuzzing: not UTF-8
    [InlineData("{\"quantization\": {\"group_size\": 48, \"bits\": 4}}")]                 // a group size MLX has not
    [InlineData("{\"quantization\": {\"group_size\": 32, \"bits\": 4, \"mode\": \"mxfp4\"}}")]
    public void MLX_words_beside_a_config_that_does_not_say_their_affine_bits_stay_as_stored(string config)
    {
        using var folder = new NeuronKit.Tests.Edits.TempFolder();
        File.Copy(Fixtures.Path("diff/mlx/q4/model.safetensors"), Path.Combine(folder.Path, "model.safetensors"));
        File.WriteAllBytes(Path.Combine(folder.Path, "config.json"), [.. config.Select(c => (byte)c)]);

        using var copy = Model.Open(folder.Path);

        Assert.Equal(DType.UInt32, copy.Checkpoint.Find("fc.weight")!.DType);
    }

    [Theory]
    [InlineData("diff/g_gptq.safetensors", "fc.weight is stored as GPTQ's packed 4-bit integers times group scales: NeuronKit does not quantize edited values back into them")]
    [InlineData("diff/mlx/q4", "fc.weight is stored as MLX's packed 4-bit integers with group scales and biases: NeuronKit does not quantize edited values back into them")]
    [InlineData("diff/torch_save/gptq_model-4bit-32g.bin", "fc.weight is stored as GPTQ's packed 4-bit integers times group scales: NeuronKit does not quantize edited values back into them")]
    public void Editing_a_GPTQ_or_MLX_weight_is_refused(string fixture, string message)
    {
        using var folder = new NeuronKit.Tests.Edits.TempFolder();

        var run = CliRun.Of("edit", Fixtures.Path(fixture), "fc", "0", "--zero", "-o", Path.Combine(folder.Path, "out" + (fixture.EndsWith(".bin") ? ".bin" : ".safetensors")));

        Assert.Equal(2, run.Exit);
        Assert.Contains(message, run.Stderr);
    }

    private static void AssertTable(JsonElement expectedLayers, ModelDiff diff)
    {
        Assert.Equal(expectedLayers.EnumerateArray().Select(l => l.GetProperty("name").GetString()), diff.Layers.Select(l => l.A.Name));
        foreach (var (layer, expected) in diff.Layers.Zip(expectedLayers.EnumerateArray()))
        {
            Assert.Equal(expected.GetProperty("kind").GetString(), layer.A.Kind);
            var rows = expected.GetProperty("stats").EnumerateArray().ToList();
            Assert.Equal(rows.Count, layer.Neurons.Count);
            foreach (var (n, row) in layer.Neurons.Zip(rows))
            {
                string where = $"{layer.A.Name}[{n.Index}]";
                Assert.Equal(row.GetProperty("neuron").GetInt64(), n.Index);
                Close(row.GetProperty("l2_delta"), n.L2Delta, where + " l2_delta");
                Close(row.GetProperty("relative"), n.Relative, where + " relative");
                Close(row.GetProperty("cosine"), n.Cosine, where + " cosine");
                Close(row.GetProperty("max_abs"), n.MaxAbs, where + " max_abs");
                if (row.GetProperty("bias_delta").ValueKind == JsonValueKind.Null) Assert.Null(n.BiasDelta);
                else Close(row.GetProperty("bias_delta"), n.BiasDelta ?? double.NaN, where + " bias_delta");
                Assert.Equal(row.GetProperty("flags").EnumerateArray().Select(f => f.GetString()), DiffFlagNames.Of(n.Flags));
            }
        }
    }

    [Fact]
    public void The_fixture_pair_has_a_neuron_that_became_dead_one_revived_and_biases_that_changed_sign()
    {
        // Given the pair, whose script forced these changes (so the flag checks above are not vacuous)
        using var modelA = Model.Open(Fixtures.Path("diff/a.pt"));
        using var modelB = Model.Open(Fixtures.Path("diff/b.pt"));

        // When it is compared
        var diff = ModelDiff.Compute(modelA, modelB);

        // Then fc1's neuron 5 became dead, fc2's neuron 1 revived (infinitely changed, leading the most changed), and the LSTM has no single bias
        var fc1 = diff.Layers.Single(l => l.A.Name == "fc1");
        var fc2 = diff.Layers.Single(l => l.A.Name == "fc2");
        Assert.Equal(DiffFlags.BecameDead, fc1.Neurons[5].Flags);
        Assert.True(fc2.Neurons[1].Flags.HasFlag(DiffFlags.Revived));
        Assert.Equal(double.PositiveInfinity, fc2.Neurons[1].Relative);
        Assert.Equal(5, fc1.MostChanged[0]);
        Assert.Equal(1, fc2.MostChanged[0]);
        Assert.True(fc1.Neurons[0].Flags.HasFlag(DiffFlags.BiasSignChanged));
        Assert.Equal((1L, 1L, 4L), (diff.BecameDead, diff.Revived, diff.BiasSignChanged));
        Assert.All(diff.Layers.Single(l => l.A.Name == "rnn.l0").Neurons, n => Assert.Null(n.BiasDelta));
    }

    [Fact]
    public void A_file_against_itself_has_not_changed()
    {
        // Given one file twice
        using var modelA = Model.Open(Fixtures.Path("diff/b.pt"));
        using var modelB = Model.Open(Fixtures.Path("diff/b.safetensors"));

        // When it is compared with itself (the same tensors in another format)
        var diff = ModelDiff.Compute(modelA, modelB);

        // Then nothing changed; the dead neuron's cosine is undefined, every other one is 1
        Assert.Equal(0, diff.Changed);
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
        Assert.All(diff.Layers.SelectMany(l => l.Neurons).Where(n => n.L2B > 0), n => Assert.InRange(n.Cosine, 1 - 1e-12, 1));
        Assert.Empty(diff.Layers.SelectMany(l => l.MostChanged));
    }

    [Fact]
    public void The_JSON_report_says_what_the_library_computed_with_the_contract_keys()
    {
        // Given the pair
        var run = CliRun.Of("diff", Fixtures.Path("diff/a.pt"), Fixtures.Path("diff/b.pt"), "--json");

        // When its JSON is read
        Assert.Equal(0, run.Exit);
        var root = JsonDocument.Parse(run.Stdout).RootElement;

        // Then it has exactly the contract's keys, at every level, and numpy's numbers
        Assert.Equal(["a", "b", "layers", "only_in_a", "only_in_b", "mismatched"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("a.pt", root.GetProperty("a").GetString());
        var layer = root.GetProperty("layers")[2];
        Assert.Equal(["name", "kind", "neurons", "summary", "stats"], layer.EnumerateObject().Select(p => p.Name));
        var row = layer.GetProperty("stats")[1];
        Assert.Equal(["neuron", "l2_delta", "relative", "cosine", "max_abs", "bias_delta", "flags"], row.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Infinity", row.GetProperty("relative").GetString());
        Assert.Equal("NaN", row.GetProperty("cosine").GetString());
        Assert.Equal(["revived", "bias_sign_changed"], row.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Close(Expected[2].GetProperty("stats")[1].GetProperty("l2_delta"), row.GetProperty("l2_delta").GetDouble(), "fc2[1]");
        Assert.Equal(JsonValueKind.Null, root.GetProperty("layers")[3].GetProperty("stats")[0].GetProperty("bias_delta").ValueKind);
    }

    // A number of expected.json (or its "NaN", "Infinity") against the computed one.
    private static void Close(JsonElement expected, double actual, string what)
    {
        double want = expected.ValueKind == JsonValueKind.String ? double.Parse(expected.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : expected.GetDouble();
        if (!double.IsFinite(want))
        {
            Assert.True(want.Equals(actual), $"{what}: expected {want}, got {actual}");
            return;
        }
        Assert.True(Math.Abs(actual - want) <= Tolerance * Math.Abs(want), $"{what}: expected {want:R}, got {actual:R}");
    }
}
