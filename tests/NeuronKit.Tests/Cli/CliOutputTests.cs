using NeuronKit.Cli.Output;

namespace NeuronKit.Tests.Cli;

/// <summary>What `neuron` prints for people, pinned per command under Expectations/.</summary>
public class CliOutputTests
{
    private static string Sample(string file) => Fixtures.Path($"pytorch/{file}");

    [Theory]
    [InlineData("seed_linear.pt", "0", "1")]
    [InlineData("seed_conv.pt", "conv1", "4")]
    [InlineData("seed_lstm.pt", "rnn", "2")]
    [InlineData("kinds.pt", "deconv2d_grouped", "4")]
    [InlineData("kinds.pt", "embedding", "-1")]
    [InlineData("nan_inf.pt", "fc", "0")]
    [InlineData("complex.pt", "fc", "2")]
    [InlineData("complex.pt", "spectral.weights1", "1")]
    [InlineData("complex.pt", "gru", "1")]
    public void Show_prints_each_part_with_its_slice_summary_and_values(string file, string layer, string index)
    {
        var run = CliRun.Of("show", Sample(file), layer, index);

        Assert.Equal(0, run.Exit);
        Expectation.Matches($"show/{Path.GetFileNameWithoutExtension(file)}_{layer}_{index}.txt", run.Stdout);
    }

    [Fact]
    public void Show_json_of_a_complex_neuron_gives_each_value_as_a_re_im_pair_nested_as_the_shape()
    {
        var run = CliRun.Of("show", Sample("complex.pt"), "fc", "1", "--json");

        Assert.Equal(0, run.Exit);
        Expectation.Matches("show/complex_fc_1.json", run.Stdout);
        using var json = System.Text.Json.JsonDocument.Parse(run.Stdout);
        var parts = json.RootElement.GetProperty("parts");
        // weight[1], shape [4]: four pairs; bias[1], a scalar: one pair, its NaN and -inf as the contract's strings
        Assert.Equal("complex128", parts[0].GetProperty("dtype").GetString());
        Assert.Equal(4, parts[0].GetProperty("values").GetArrayLength());
        Assert.All(parts[0].GetProperty("values").EnumerateArray(), pair => Assert.Equal(2, pair.GetArrayLength()));
        Assert.Equal(["NaN", "-Infinity"], parts[1].GetProperty("values").EnumerateArray().Select(v => v.GetString()));
    }

    [Theory]
    [InlineData("seed_lstm.pt")]
    [InlineData("kinds.pt")]
    [InlineData("rnns.pt")]
    [InlineData("training.pt")]
    [InlineData("single_conv.pt")]
    [InlineData("single_lstm.pt")]
    [InlineData("quantized_dynamic.pt")]
    [InlineData("quantized_static.pt")]
    public void Layers_lists_every_layer_with_kind_neurons_tensors_layout_and_evidence(string file)
    {
        var run = CliRun.Of("layers", Sample(file));

        Assert.Equal(0, run.Exit);
        Expectation.Matches($"layers/{Path.GetFileNameWithoutExtension(file)}.txt", run.Stdout);
    }

    [Fact]
    public void Tensors_lists_complex_tensors_with_their_dtype_and_pair_sized_bytes()
    {
        var run = CliRun.Of("tensors", Sample("complex.pt"));

        Assert.Equal(0, run.Exit);
        Expectation.Matches("tensors/complex.txt", run.Stdout);
    }

    [Fact]
    public void Tensors_lists_every_tensor_as_stored()
    {
        var run = CliRun.Of("tensors", Sample("views.pt"));

        Assert.Equal(0, run.Exit);
        Expectation.Matches("tensors/views.txt", run.Stdout);
    }

    [Fact]
    public void Tensors_lists_a_quantized_weight_with_the_stored_tensors_it_is_read_from()
    {
        var run = CliRun.Of("tensors", Fixtures.Path("diff/g_gptq_act.safetensors"));

        Assert.Equal(0, run.Exit);
        Expectation.Matches("tensors/g_gptq_act.txt", run.Stdout);
    }

    [Theory]
    [InlineData("fc", "0")]
    [InlineData("fc_ax1", "1")]
    [InlineData("0", "1", "quantized_dynamic.pt")]
    public void Show_raw_prints_a_quantized_parts_stored_integers_scales_and_zero_points(string layer, string index, string file = "quantized.pt")
    {
        var run = CliRun.Of("show", Sample(file), layer, index, "--raw");

        Assert.Equal(0, run.Exit);
        Expectation.Matches($"show/{Path.GetFileNameWithoutExtension(file)}_{layer}_{index}_raw.txt", run.Stdout);
    }

    [Theory]
    [InlineData("safetensors/fp8.safetensors", "model.layers.0.mlp.up_proj", "note: --raw adds the stored integers of quantized tensors, of GPTQ's, AWQ's, compressed-tensors', BitNet's and MLX's affine packs and of GGUF's q4_0, q4_1, q5_0, q5_1, q8_0, q2_k … q6_k, q2_0, tq1_0 and tq2_0 blocks, and the codes of GGUF's iq4_nl, iq4_xs, mxfp4 and nvfp4, bitsandbytes' NF4 and FP4, MXFP4, NVFP4 and MLX's float modes; model.layers.0.mlp.up_proj.weight is stored as float8_e4m3fn·weight_scale and shown as the values it decodes to ('neuron tensors' lists the file's tensors it is read from)")]
    [InlineData("gguf/tiny_nl_quants.gguf", "blk.1.attn_q", "note: --raw adds the stored integers of quantized tensors, of GPTQ's, AWQ's, compressed-tensors', BitNet's and MLX's affine packs and of GGUF's q4_0, q4_1, q5_0, q5_1, q8_0, q2_k … q6_k, q2_0, tq1_0 and tq2_0 blocks, and the codes of GGUF's iq4_nl, iq4_xs, mxfp4 and nvfp4, bitsandbytes' NF4 and FP4, MXFP4, NVFP4 and MLX's float modes; blk.1.attn_q.weight is stored as q1_0 and shown as the values it decodes to")]
    [InlineData("pytorch/seed_linear.pt", "0", "note: --raw adds the stored integers of quantized tensors; this neuron's parts are stored as plain values")]
    public void Show_raw_says_when_a_neuron_has_no_stored_integers_to_add(string file, string layer, string note)
    {
        var plain = CliRun.Of("show", Fixtures.Path(file), layer, "1");
        var run = CliRun.Of("show", Fixtures.Path(file), layer, "1", "--raw");

        Assert.Equal(0, run.Exit);
        Assert.Equal(plain.Stdout, run.Stdout);
        Assert.Equal(note + "\n", run.Stderr);
        Assert.Equal("", CliRun.Of("show", Sample("quantized.pt"), "fc", "0", "--raw").Stderr);
    }

    [Theory]
    [InlineData("/conv/Conv", "1", "qdq_conv_1.txt")]
    [InlineData("/conv/Conv", "1", "qdq_conv_1_raw.txt", "--raw")]
    [InlineData("/fc/MatMul_quant", "0", "dynamic_fc_0_raw.txt", "--raw")]
    public void Show_prints_a_quantized_onnx_layers_parts_as_stored_and_dequantized(string layer, string index, string expectation, params string[] options)
    {
        string file = expectation.StartsWith("qdq", StringComparison.Ordinal) ? "qdq.onnx" : "dynamic.onnx";
        var run = CliRun.Of(["show", Fixtures.Path($"onnx/{file}"), layer, index, .. options]);

        Assert.Equal(0, run.Exit);
        Expectation.Matches($"show/{expectation}", run.Stdout);
    }

    [Theory]
    [InlineData("qdq.onnx")]
    [InlineData("qoperator.onnx")]
    public void Layers_lists_a_quantized_onnx_models_layers_with_their_scales_zero_points_and_evidence(string file)
    {
        var run = CliRun.Of("layers", Fixtures.Path($"onnx/{file}"));

        Assert.Equal(0, run.Exit);
        Expectation.Matches($"layers/{Path.GetFileNameWithoutExtension(file)}.txt", run.Stdout);
    }

    [Fact]
    public void Tensors_lists_a_quantized_tensor_by_its_stored_dtype_and_bytes()
    {
        var run = CliRun.Of("tensors", Sample("quantized.pt"));

        Assert.Equal(0, run.Exit);
        Expectation.Matches("tensors/quantized.txt", run.Stdout);
    }

    [Theory]
    [InlineData("show", "pytorch/quantized.pt", "fc_ax1", "1", "--raw")]
    [InlineData("show", "onnx/qdq.onnx", "/conv/Conv", "1", "--raw")]
    [InlineData("layers", "onnx/qdq.onnx")]
    [InlineData("layers", "pytorch/kinds.pt")]
    [InlineData("layers", "pytorch/rnns.pt")]
    [InlineData("tensors", "pytorch/views.pt")]
    [InlineData("stats", "stats/stats.pt")]
    [InlineData("show", "pytorch/seed_lstm.pt", "rnn", "2")]
    [InlineData("formats")]
    [InlineData("--help")]
    [InlineData("stats", "--help")]
    [InlineData("show")]
    public void No_line_printed_ends_in_a_blank(params string[] args)
    {
        var run = CliRun.Of([.. args.Select(a => a.Contains('/') && Path.HasExtension(a) ? Fixtures.Path(a) : a)]);

        Assert.NotEqual("", run.Stdout + run.Stderr);
        Assert.DoesNotContain((run.Stdout + run.Stderr).Split('\n'), line => line.EndsWith(' '));
    }

    [Fact]
    public void Help_describes_every_command_with_its_optional_arguments_in_brackets()
    {
        var run = CliRun.Of("--help");

        Assert.Equal(0, run.Exit);
        foreach (var command in new[] { "layers <FILE>", "show <FILE> <LAYER> <INDEX>", "edit <FILE> [<LAYER> [<INDEX>]]", "prune <FILE> [<LAYER> [<INDICES>]]", "stats <FILE> [<LAYER>]", "tensors <FILE>", "formats" })
            Assert.Contains($"\n  {command}  ", run.Stdout);
        Expectation.Matches("neuron/help.txt", run.Stdout);
    }

    [Fact]
    public void A_commands_help_is_System_CommandLines_with_its_usage()
    {
        var run = CliRun.Of("stats", "--help");

        Assert.Equal(0, run.Exit);
        Assert.Contains(" stats <FILE> [<LAYER>] [options]\n", run.Stdout);   // after the executable's name
        Assert.Contains("--outlier-k <outlier-k>", run.Stdout);
        Assert.Contains("from its layer's median; an infinite or NaN norm is always one.", string.Join(' ', run.Stdout.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void Version_prints_the_version()
    {
        var run = CliRun.Of("--version");

        Assert.Equal(0, run.Exit);
        Assert.Matches(@"^\d+\.\d+\.\d+", run.Stdout);
    }

    [Fact]
    public void A_missing_argument_is_a_wrong_request_with_exit_code_2()
    {
        var run = CliRun.Of("show", Sample("seed_linear.pt"), "0");

        Assert.Equal(2, run.Exit);
        Assert.StartsWith("error: ", run.Stderr);
        Assert.Contains("hint: see 'neuron show --help'", run.Stderr);
    }

    [Fact]
    public void An_index_out_of_range_says_the_valid_range()
    {
        var run = CliRun.Of("show", Sample("seed_linear.pt"), "0", "5");

        Assert.Equal(2, run.Exit);
        Assert.Equal("error: neuron 5 is out of range for layer '0' (Linear, 5 neurons: 0..4, or -5..-1)\n", run.Stderr);
    }

    [Theory]
    [InlineData("layers", "scalar.npy (numpy): 1 layer\n")]
    [InlineData("tensors", "scalar.npy (numpy): 1 tensor, 4 bytes\n")]
    [InlineData("stats", "scalar.npy (numpy): 1 layer, 1 neuron, 1 weight\n")]
    public void A_header_counting_one_thing_names_it_in_the_singular(string command, string header)
    {
        // Given a file of one scalar: one tensor, one layer, one neuron of one weight
        var run = CliRun.Of(command, Fixtures.Path("numpy/scalar.npy"));

        // Then its header says "1 layer", not "1 layers"
        Assert.Equal(0, run.Exit);
        Assert.StartsWith(header, run.Stdout);
    }

    [Fact]
    public void The_stats_summaries_count_in_the_singular_and_the_plural()
    {
        var run = CliRun.Of("stats", Fixtures.Path("numpy/scalar.npy"));

        Assert.Equal(0, run.Exit);
        Assert.Contains("\nscalar (Tensor, 1 neuron, 1 weight each)\n", run.Stdout);
        Assert.Contains("; 0 dead neurons, 0 duplicates, 0 outliers\n", run.Stdout);
        Assert.EndsWith("; 4 bytes read\n", run.Stdout);
    }

    [Theory]
    [InlineData(0, "0 layers")]
    [InlineData(1, "1 layer")]
    [InlineData(2, "2 layers")]
    [InlineData(1_048_576, "1,048,576 layers")]
    public void A_count_takes_its_noun_in_the_singular_only_for_one(long count, string text) =>
        Assert.Equal(text, Counted.Of(count, "layer"));

    [Fact]
    public void An_index_out_of_range_of_a_one_neuron_layer_says_one_neuron()
    {
        var run = CliRun.Of("show", Fixtures.Path("numpy/scalar.npy"), "scalar", "1");

        Assert.Equal(2, run.Exit);
        Assert.Equal("error: neuron 1 is out of range for layer 'scalar' (Tensor, 1 neuron: 0..0, or -1..-1)\n", run.Stderr);
    }

    [Fact]
    public void An_unknown_layer_suggests_the_closest_names()
    {
        var run = CliRun.Of("show", Sample("seed_lstm.pt"), "fc9", "0");

        Assert.Equal(2, run.Exit);
        Assert.Contains("error: no layer 'fc9'", run.Stderr);
        Assert.Contains("hint: did you mean 'fc'?", run.Stderr);
    }

    [Fact]
    public void Layout_in_out_reads_a_column_instead_of_a_row()
    {
        // Given a square Linear weight that the file cannot settle
        var run = CliRun.Of("show", Sample("nan_inf.pt"), "fc", "1", "--layout", "in,out", "--json");

        // Then the override takes column 1
        Assert.Equal(0, run.Exit);
        Assert.Contains("\"index\":\"[:, 1]\"", run.Stdout);
    }

    [Fact]
    public void A_kind_that_does_not_fit_the_tensors_is_a_wrong_request()
    {
        var run = CliRun.Of("show", Sample("seed_linear.pt"), "0", "1", "--kind", "Conv2d");

        Assert.Equal(2, run.Exit);
        Assert.StartsWith("error: ", run.Stderr);
        Assert.Contains("Conv2d", run.Stderr);
    }

    [Fact]
    public void A_missing_file_is_a_file_error_with_exit_code_3()
    {
        var run = CliRun.Of("layers", Sample("no_such_file.pt"));

        Assert.Equal(3, run.Exit);
        Assert.Contains("does not exist", run.Stderr);
    }
}
