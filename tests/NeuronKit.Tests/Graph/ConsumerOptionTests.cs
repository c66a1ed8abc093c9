using System.Text.Json;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Graph;

/// <summary>
/// <c>--consumer</c> on a recurrent layer, and the neurons that have no outgoing slice at all, from the command line
/// (the slices themselves are proved by the forward pass in OutgoingOracleTests).
/// </summary>
public class ConsumerOptionTests
{
    private static string Graph(string file) => Fixtures.Path(Path.Combine("graph", file));

    private static List<(string Tensor, string Index, string Consumer)> OutParts(string stdout)
    {
        using var json = JsonDocument.Parse(stdout);
        return [.. json.RootElement.GetProperty("parts").EnumerateArray().Where(p => p.GetProperty("direction").GetString() == "out")
            .Select(p => (p.GetProperty("tensor").GetString()!, p.GetProperty("index").GetString()!, p.GetProperty("consumer").GetString()!))];
    }

    [Fact]
    public void A_recurrent_layer_whose_reader_the_file_cannot_tell_is_refused_with_the_hint_to_name_it()
    {
        var run = CliRun.Of("show", Graph("lstm_head_first.pt"), "rnn.l0", "2", "--outgoing");

        Assert.Equal(2, run.Exit);
        Assert.Equal("error: layer 'rnn.l0' has no known consumer: no Linear is saved right after rnn to read its output\n" +
            "hint: name it with --consumer LAYER\n", run.Stderr);
    }

    [Fact]
    public void Naming_the_reader_of_a_recurrent_layer_keeps_its_own_weight_hh_after_it()
    {
        var run = CliRun.Of("show", Graph("lstm_head_first.pt"), "rnn.l0", "2", "--outgoing", "--consumer", "head", "--json");

        Assert.Equal(0, run.Exit);
        Assert.Equal([("head.weight", "[:, 2]", "head"), ("rnn.weight_hh_l0", "[0:4, 2]", "rnn.l0"), ("rnn.weight_hh_l0", "[4:8, 2]", "rnn.l0"),
            ("rnn.weight_hh_l0", "[8:12, 2]", "rnn.l0"), ("rnn.weight_hh_l0", "[12:16, 2]", "rnn.l0")], OutParts(run.Stdout));
    }

    [Fact]
    public void Naming_the_recurrent_layer_itself_gives_its_weight_hh_where_named_and_nothing_the_user_left_out()
    {
        var alone = CliRun.Of("show", Graph("lstm_head_first.pt"), "rnn.l0", "2", "--outgoing", "--consumer", "rnn.l0", "--json");
        var first = CliRun.Of("show", Graph("lstm_head_first.pt"), "rnn.l0", "2", "--outgoing", "--consumer", "rnn.l0", "--consumer", "head", "--json");

        Assert.Equal((0, 0), (alone.Exit, first.Exit));
        Assert.Equal(["rnn.l0"], OutParts(alone.Stdout).Select(p => p.Consumer).Distinct());
        Assert.Equal(["rnn.l0", "head"], OutParts(first.Stdout).Select(p => p.Consumer).Distinct());
    }

    [Fact]
    public void Naming_the_reader_of_an_ONNX_reverse_direction_reads_it_at_H_plus_j_and_keeps_its_own_R()
    {
        using var model = Model.Open(Graph("lstm.onnx"));

        var edges = model.Edges(model.Layer("/rnn/LSTM.reverse"), ["/fc/MatMul"]);
        var outgoing = model.Graph.WithOutgoing(model.Neuron("/rnn/LSTM.reverse", 1), edges).Parts.Where(p => p.Direction == Neurons.PartDirection.Out);

        Assert.Equal([("/fc/MatMul", 4L, false), ("/rnn/LSTM.reverse", 0L, true)], edges.Select(e => (e.Consumer.Name, e.Map.Offset, e.Feedback)));
        Assert.Equal(["[5]", "[1, 0:4, 1]", "[1, 4:8, 1]", "[1, 8:12, 1]", "[1, 12:16, 1]"], outgoing.Select(p => p.Index));
    }

    [Fact]
    public void A_GPT2_query_unit_is_refused_saying_it_acts_through_the_softmax_and_which_units_have_outgoing_weights()
    {
        var run = CliRun.Of("show", Graph("gpt2_attn.safetensors"), "h.0.attn.c_attn", "1", "--outgoing");

        Assert.Equal(2, run.Exit);
        Assert.Equal("error: unit 1 of layer 'h.0.attn.c_attn' is a query unit (0..3 query, 4..7 key, 8..11 value): queries and keys act " +
            "through the attention softmax, which weighs every position's values by them, so no slice of a consumer's weights multiplies " +
            "them; only the value units 8..11 have outgoing weights, in h.0.attn.c_proj\n", run.Stderr);
    }

    [Fact]
    public void A_consumer_named_that_the_file_names_too_keeps_the_mapping_found_for_it()
    {
        var run = CliRun.Of("show", Graph("gpt2_attn.safetensors"), "h.0.attn.c_attn", "9", "--outgoing", "--consumer", "h.0.attn.c_proj", "--json");

        Assert.Equal(0, run.Exit);
        Assert.Equal([("h.0.attn.c_proj.weight", "[1]", "h.0.attn.c_proj")], OutParts(run.Stdout));
    }

    [Fact]
    public void Stats_give_GPT2_query_and_key_units_no_outgoing_norm_and_value_units_their_c_proj_rows()
    {
        var run = CliRun.Of("stats", Graph("gpt2_attn.safetensors"), "h.0.attn.c_attn", "--outgoing", "--json");

        Assert.Equal(0, run.Exit);
        using var json = JsonDocument.Parse(run.Stdout);
        var stats = json.RootElement.GetProperty("layers")[0].GetProperty("stats").EnumerateArray().ToList();
        Assert.All(stats.Take(8), s => Assert.Equal((JsonValueKind.Null, false), (s.GetProperty("outgoing_l2").ValueKind, s.GetProperty("unused").GetBoolean())));
        Assert.All(stats.Skip(8), s => Assert.True(s.GetProperty("outgoing_l2").GetDouble() > 0));
    }

    [Fact]
    public void Layers_json_gives_the_fold_of_a_fused_gate_and_up_projection_and_no_fold_elsewhere()
    {
        var run = CliRun.Of("layers", Graph("phi3_block.safetensors"), "--json");

        Assert.Equal(0, run.Exit);
        using var json = JsonDocument.Parse(run.Stdout);
        var consumers = json.RootElement.GetProperty("layers").EnumerateArray()
            .Where(l => l.GetProperty("consumers").GetArrayLength() > 0)
            .ToDictionary(l => l.GetProperty("name").GetString()!, l => l.GetProperty("consumers")[0]);
        Assert.Equal(6, consumers["model.layers.0.mlp.gate_up_proj"].GetProperty("fold").GetInt64());
        Assert.Equal((-8L, false), (consumers["model.layers.0.self_attn.qkv_proj"].GetProperty("offset").GetInt64(),
            consumers["model.layers.0.self_attn.qkv_proj"].TryGetProperty("fold", out _)));
    }
}
