using System.Text.Json;
using NeuronKit.Stats;
using NeuronKit.Tests.Cli;
using NeuronKit.Views.Reports;

namespace NeuronKit.Tests.Views;

/// <summary>
/// The reports write the JSON contract byte for byte as the CLI's own writers did before they moved to NeuronKit.Views
/// (the files under Cli/Expectations/reports/ were printed by those writers), and read it back.
/// </summary>
public class ReportJsonTests
{
    // Every format's oracle fixtures: recurrent gates and effective biases (bare for an RNN), complex pairs, quantized
    // parts per tensor and per channel, NaN and infinities, GGUF blocks, outgoing parts, edits and prunes.
    public static TheoryData<string, string> Commands() => new()
    {
        { "show_seed_lstm_rnn.l0_0.json", "show pytorch/seed_lstm.pt rnn.l0 0" },
        { "show_complex_gru.l0_0.json", "show pytorch/complex.pt gru.l0 0" },
        { "show_quantized_fc_ax1_0.json", "show pytorch/quantized.pt fc_ax1 0" },
        { "show_nan_inf_fc_0.json", "show pytorch/nan_inf.pt fc 0" },
        { "show_rnns_gru.l0_reverse_-1_outgoing.json", "show pytorch/rnns.pt gru.l0_reverse -1 --outgoing" },
        { "show_gpt2_transformer.h.0.attn.c_attn_0.json", "show safetensors/gpt2.safetensors transformer.h.0.attn.c_attn 0" },
        { "show_rnns_rnn_RNN_0.json", "show onnx/rnns.onnx /rnn/RNN 0" },
        { "show_qdq_conv_Conv_0.json", "show onnx/qdq.onnx /conv/Conv 0" },
        { "show_tiny_q4_0_blk.0.attn_q_0.json", "show gguf/tiny_q4_0.gguf blk.0.attn_q 0" },
        { "show_tiny_k_quants_blk.0.ffn_down_0.json", "show gguf/tiny_k_quants.gguf blk.0.ffn_down 0" },
        { "show_seed_conv_conv1_0.json", "show numpy/seed_conv.npz conv1 0" },
        { "show_seed_lstm.dat_rnn.l0_-1_outgoing.json", "show torchsharp/seed_lstm.dat rnn.l0 -1 --outgoing" },
        { "show_cnn_0_-1_outgoing.json", "show graph/cnn.pt 0 -1 --outgoing" },
        { "layers_quantized_static.pt.json", "layers pytorch/quantized_static.pt" },
        { "layers_kinds.onnx.json", "layers onnx/kinds.onnx" },
        { "layers_tiny_q4_0.gguf.json", "layers gguf/tiny_q4_0.gguf" },
        { "layers_resblock.onnx.json", "layers graph/resblock.onnx" },
        { "layers_rnns.dat.json", "layers torchsharp/rnns.dat" },
        { "layers_dtypes.npz.json", "layers numpy/dtypes.npz" },
        { "layers_gpt2.safetensors.json", "layers safetensors/gpt2.safetensors" },
        { "tensors_quantized_static.pt.json", "tensors pytorch/quantized_static.pt" },
        { "tensors_kinds.onnx.json", "tensors onnx/kinds.onnx" },
        { "tensors_tiny_q4_0.gguf.json", "tensors gguf/tiny_q4_0.gguf" },
        { "tensors_resblock.onnx.json", "tensors graph/resblock.onnx" },
        { "tensors_rnns.dat.json", "tensors torchsharp/rnns.dat" },
        { "tensors_dtypes.npz.json", "tensors numpy/dtypes.npz" },
        { "tensors_gpt2.safetensors.json", "tensors safetensors/gpt2.safetensors" },
        { "edit_mlp.pt_zero_outgoing.json", "edit prune/mlp.pt net.0 0 --zero --outgoing --dry-run" },
        { "edit_cnn.onnx_scale.json", "edit prune/cnn.onnx /net/net.0/Conv 1 --scale 2 --dry-run" },
        { "prune_mlp.safetensors.json", "prune prune/mlp.safetensors net.0 0 --dry-run" },
        { "prune_cnn.onnx.json", "prune prune/cnn.onnx /net/net.0/Conv 0 --dry-run" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void The_CLI_prints_the_JSON_its_old_writers_printed(string expectation, string command)
    {
        // Given a command whose --json output the old writers pinned
        // When the CLI, now writing through ReportJson, runs it
        var run = Run(command);

        // Then it prints the same bytes
        Assert.True(run.Exit == 0, run.Stderr);
        Expectation.Matches($"reports/{expectation}", run.Stdout);
    }

    public static TheoryData<string> CommandLines() => [.. Commands().Select(row => (string)row[1])];

    [Theory]
    [MemberData(nameof(CommandLines))]
    public void A_report_read_back_from_the_CLI_s_JSON_writes_the_same_JSON(string command)
    {
        // Given what the CLI printed
        string printed = Run(command).Stdout;

        // When it is read back as its report and written again
        var kind = command.Split(' ')[0];
        string again = kind switch
        {
            "show" => ReportJson.Serialize(ReportJson.Deserialize<ShowReport>(printed)),
            "layers" => ReportJson.Serialize(ReportJson.Deserialize<LayersReport>(printed)),
            "tensors" => ReportJson.Serialize(ReportJson.Deserialize<TensorsReport>(printed)),
            "edit" => ReportJson.Serialize(ReportJson.Deserialize<EditReport>(printed)),
            _ => ReportJson.Serialize(ReportJson.Deserialize<PruneReport>(printed)),
        };

        // Then nothing was lost or reordered
        Assert.Equal(printed, again + "\n");
    }

    [Fact]
    public void A_report_made_from_the_library_is_what_the_CLI_prints()
    {
        // Given a neuron opened through the library
        using var model = Model.Open(Fixtures.PyTorch("seed_lstm.pt"));
        var report = ShowReport.Of(model, model.Neuron("rnn", 2));

        // When it is written to a stream, as a web server would
        using var stream = new MemoryStream();
        ReportJson.Write(stream, report);

        // Then the bytes are the CLI's
        Assert.Equal(CliRun.Of("show", Fixtures.PyTorch("seed_lstm.pt"), "rnn", "2", "--json").Stdout, System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        Assert.Equal(16, report.Parts.Count); // four gates × weight_ih, weight_hh, bias_ih, bias_hh
        Assert.Equal(["input", "forget", "cell", "output"], report.EffectiveBias!.Gates.Select(g => g.Gate));
    }

    [Fact]
    public void NaN_and_infinities_are_written_as_the_contract_s_strings_and_read_back_as_numbers()
    {
        // Given values with NaN and both infinities, nested as a [2, 2] part
        var values = NestedValues.Of([double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1.5], [2, 2]);
        var part = new PartReport
        {
            Tensor = "fc.weight", Role = "weight", Gate = null, Direction = "in", Index = "[0]", Shape = [2, 2], Dtype = "float32", Values = values,
        };
        var report = new ShowReport("m.pt", "pytorch", new LayerIdentity("fc", "Linear", 1), 0, [part], null);

        // When it is written and read back
        string json = ReportJson.Serialize(report);
        var read = ReportJson.Deserialize<ShowReport>(json).Parts[0].Values;

        // Then the JSON has strings where JSON has no numbers, a null gate, and no consumer, quantized or effective_bias
        Assert.Equal("{\"file\":\"m.pt\",\"format\":\"pytorch\",\"layer\":{\"name\":\"fc\",\"kind\":\"Linear\",\"neurons\":1},\"neuron\":0," +
            "\"parts\":[{\"tensor\":\"fc.weight\",\"role\":\"weight\",\"gate\":null,\"direction\":\"in\",\"index\":\"[0]\",\"shape\":[2,2]," +
            "\"dtype\":\"float32\",\"values\":[[\"NaN\",\"Infinity\"],[\"-Infinity\",1.5]]}]}", json);
        Assert.Equal([2L, 2L], read.Shape);
        Assert.Equal([double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1.5], read.Real!);
    }

    [Theory]
    [InlineData("[[1,2],[3]]")]
    [InlineData("[[1,2],3]")]
    [InlineData("[\"nan\"]")]
    public void Ragged_values_or_other_strings_are_not_read_as_nested_values(string values)
    {
        string json = "{\"file\":\"m.pt\",\"format\":\"pytorch\",\"layer\":{\"name\":\"fc\",\"kind\":\"Linear\",\"neurons\":1},\"neuron\":0," +
            "\"parts\":[{\"tensor\":\"fc.weight\",\"role\":\"weight\",\"gate\":null,\"direction\":\"in\",\"index\":\"[0]\",\"shape\":[2]," +
            $"\"dtype\":\"float32\",\"values\":{values}}}]}}";

        Assert.Throws<JsonException>(() => ReportJson.Deserialize<ShowReport>(json));
    }

    private static CliRun Run(string command) =>
        CliRun.Of([.. command.Split(' ').Select(a => File.Exists(Fixtures.Path(a)) ? Fixtures.Path(a) : a), "--json"]);
}
