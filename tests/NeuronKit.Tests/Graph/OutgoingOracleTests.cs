using System.Text.Json;
using NeuronKit.Neurons;
using NeuronKit.Tests.Oracle;

namespace NeuronKit.Tests.Graph;

/// <summary>
/// Outgoing weights against tests/fixtures/graph/expected_outgoing.json, whose every answer make_graph.py proved by a
/// forward pass (zeroing neuron j's value where its consumers read it equals zeroing exactly these slices), for every file
/// of the oracle: a Sequential's numbered children, the name conventions (the residual block, the LSTM, GPT-2's MLP and
/// attention, llama.cpp), ONNX graph edges (recurrent producers and a Transpose too) and consumers the user names
/// (<c>--consumer</c>, a query's "asked").
/// </summary>
public class OutgoingOracleTests
{
    private static readonly Lazy<JsonElement> Root = new(() =>
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path(Path.Combine("graph", "expected_outgoing.json")))).RootElement);

    public static TheoryData<string, string, long> Queries()
    {
        var data = new TheoryData<string, string, long>();
        foreach (var q in Root.Value.GetProperty("queries").EnumerateArray())
            data.Add(q.GetProperty("file").GetString()!, q.GetProperty("layer").GetString()!, q.GetProperty("index").GetInt64());
        return data;
    }

    // Stats read the consumers the file gives; a query whose consumers the user names (asked) is not theirs.
    public static TheoryData<string, string, long> FoundQueries()
    {
        var data = new TheoryData<string, string, long>();
        foreach (var q in Root.Value.GetProperty("queries").EnumerateArray().Where(q => !q.TryGetProperty("asked", out _)))
            data.Add(q.GetProperty("file").GetString()!, q.GetProperty("layer").GetString()!, q.GetProperty("index").GetInt64());
        return data;
    }

    public static TheoryData<string, string, long, string> Errors()
    {
        var data = new TheoryData<string, string, long, string>();
        foreach (var e in Root.Value.GetProperty("errors").EnumerateArray())
            data.Add(e.GetProperty("file").GetString()!, e.GetProperty("layer").GetString()!, e.GetProperty("index").GetInt64(),
                e.GetProperty("contains").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public void Outgoing_parts_are_the_slices_a_forward_pass_proved(string file, string layer, long index)
    {
        var expected = Root.Value.GetProperty("queries").EnumerateArray().Single(q =>
            q.GetProperty("file").GetString() == file && q.GetProperty("layer").GetString() == layer && q.GetProperty("index").GetInt64() == index);
        using var model = Model.Open(Fixtures.Path(Path.Combine("graph", file)));

        var producer = model.Layer(layer);
        var edges = expected.TryGetProperty("asked", out var asked)
            ? model.Edges(producer, [.. asked.EnumerateArray().Select(a => a.GetString()!)])
            : model.Graph.ConsumersOf(producer);

        var neuron = model.Graph.WithOutgoing(producer.Neuron(index), edges);

        Assert.Equal(expected.GetProperty("consumers").EnumerateArray().Select(c => (c.GetProperty("consumer").GetString(),
                string.Join(",", c.GetProperty("through").EnumerateArray().Select(t => t.GetString())),
                c.GetProperty("map").GetProperty("offset").GetInt64(), c.GetProperty("map").GetProperty("spread").GetInt64(),
                c.GetProperty("map").GetProperty("groups").GetInt64(), c.GetProperty("residual").GetBoolean())),
            edges.Select(e => ((string?)e.Consumer.Name, string.Join(",", e.Through.Select(t => t.Name)), e.Map.Offset, e.Map.Spread, e.Groups, e.Residual)));
        var outgoing = neuron.Parts.Where(p => p.Direction != PartDirection.In).ToList();
        var want = expected.GetProperty("parts").EnumerateArray().ToList();
        Assert.Equal(want.Count, outgoing.Count);
        foreach (var (part, w) in outgoing.Zip(want))
        {
            Assert.Equal((w.GetProperty("tensor").GetString(), w.GetProperty("role").GetString(), w.GetProperty("index").GetString(),
                    w.GetProperty("direction").GetString(), w.GetProperty("consumer").GetString()),
                (part.Tensor, part.Role.Name, part.Index, part.Direction.ToString().ToLowerInvariant(), part.Consumer));
            Assert.Equal(w.GetProperty("gate").ValueKind == JsonValueKind.Null ? null : w.GetProperty("gate").GetString(), part.Gate?.Name);
            Assert.Equal(w.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()), part.Shape);
            Assert.Equal(OracleQuery.Flatten(w.GetProperty("values")), part.ToDoubles());
        }
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public void The_last_layer_has_no_known_consumer(string file, string layer, long index, string contains)
    {
        using var model = Model.Open(Fixtures.Path(Path.Combine("graph", file)));

        var refused = Assert.Throws<RequestException>(() => model.Graph.WithOutgoing(model.Neuron(layer, index)));

        Assert.Contains(contains, refused.Message);
    }

    [Theory]
    [MemberData(nameof(FoundQueries))]
    public void Stats_give_the_L2_norm_of_those_slices_as_the_neurons_outgoing_norm(string file, string layer, long index)
    {
        var expected = Root.Value.GetProperty("queries").EnumerateArray().Single(q =>
            q.GetProperty("file").GetString() == file && q.GetProperty("layer").GetString() == layer && q.GetProperty("index").GetInt64() == index);
        double[] outgoing = [.. expected.GetProperty("parts").EnumerateArray()
            .Where(p => p.GetProperty("direction").GetString() == "out").SelectMany(p => OracleQuery.Flatten(p.GetProperty("values")))];
        using var model = Model.Open(Fixtures.Path(Path.Combine("graph", file)));

        var stats = NeuronKit.Stats.ModelStats.Compute(model, [model.Layer(layer)], new NeuronKit.Stats.StatsOptions { Outgoing = true });

        var neuron = stats.Layers.Single().Neurons[(int)model.Neuron(layer, index).Index];
        Assert.Equal(Math.Sqrt(outgoing.Sum(v => v * v)), neuron.OutgoingL2!.Value, 12);
        Assert.Equal(outgoing.All(v => v == 0), neuron.Unused);
    }
}
