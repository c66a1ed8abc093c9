using System.Text.Json;
using NeuronKit.Graph;
using NeuronKit.Neurons;
using NeuronKit.Tests.Oracle;

namespace NeuronKit.Tests.Graph;

/// <summary>
/// Outgoing weights against tests/fixtures/graph/expected_outgoing.json and keras/expected_outgoing.json, whose every
/// answer make_graph.py and make_keras.py proved by a forward pass (zeroing neuron j's value where its consumers read it
/// equals zeroing exactly these slices), for every file of the oracles: a Sequential's numbered children, the name
/// conventions (the residual block, the LSTM, GPT-2's MLP and attention, llama.cpp, Phi-3's fused projections, grouped-query attention's shared value heads), ONNX graph edges (recurrent producers
/// and a Transpose too), a Keras Sequential config's order (channels last, gates in column blocks) and consumers the user
/// names (<c>--consumer</c>, a query's "asked").
/// </summary>
public class OutgoingOracleTests
{
    // The fixture folders with an expected_outgoing.json.
    private static readonly string[] Folders = ["graph", "keras"];

    private static readonly Dictionary<string, JsonElement> Roots = Folders.ToDictionary(f => f, f =>
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path(Path.Combine(f, "expected_outgoing.json")))).RootElement);

    public static TheoryData<string, string, string, long> Queries() => Keyed("queries", _ => true);

    // Stats read the consumers the file gives; a query whose consumers the user names (asked) is not theirs.
    public static TheoryData<string, string, string, long> FoundQueries() => Keyed("queries", q => !q.TryGetProperty("asked", out _));

    public static TheoryData<string, string, string, long, string> Errors()
    {
        var data = new TheoryData<string, string, string, long, string>();
        foreach (string folder in Folders)
            foreach (var e in Roots[folder].GetProperty("errors").EnumerateArray())
                data.Add(folder, e.GetProperty("file").GetString()!, e.GetProperty("layer").GetString()!, e.GetProperty("index").GetInt64(),
                    e.GetProperty("contains").GetString()!);
        return data;
    }

    private static TheoryData<string, string, string, long> Keyed(string list, Func<JsonElement, bool> keep)
    {
        var data = new TheoryData<string, string, string, long>();
        foreach (string folder in Folders)
            foreach (var q in Roots[folder].GetProperty(list).EnumerateArray().Where(keep))
                data.Add(folder, q.GetProperty("file").GetString()!, q.GetProperty("layer").GetString()!, q.GetProperty("index").GetInt64());
        return data;
    }

    private static JsonElement Query(string folder, string file, string layer, long index) =>
        Roots[folder].GetProperty("queries").EnumerateArray().Single(q =>
            q.GetProperty("file").GetString() == file && q.GetProperty("layer").GetString() == layer && q.GetProperty("index").GetInt64() == index);

    [Fact]
    public void Every_oracle_proved_its_answers()
    {
        Assert.All(Folders, f => Assert.NotEmpty(Roots[f].GetProperty("queries").EnumerateArray()));
        Assert.NotEmpty(Roots["keras"].GetProperty("proofs").EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public void Outgoing_parts_are_the_slices_a_forward_pass_proved(string folder, string file, string layer, long index)
    {
        var expected = Query(folder, file, layer, index);
        using var model = Model.Open(Fixtures.Path(Path.Combine(folder, file)));

        var producer = model.Layer(layer);
        var edges = expected.TryGetProperty("asked", out var asked)
            ? model.Edges(producer, [.. asked.EnumerateArray().Select(a => a.GetString()!)])
            : model.Graph.ConsumersOf(producer);

        var neuron = model.Graph.WithOutgoing(producer.Neuron(index), edges);

        Assert.Equal(expected.GetProperty("consumers").EnumerateArray().Select(c => (c.GetProperty("consumer").GetString(),
                string.Join(",", c.GetProperty("through").EnumerateArray().Select(t => t.GetString())),
                c.GetProperty("map").GetProperty("offset").GetInt64(), c.GetProperty("map").GetProperty("spread").GetInt64(),
                c.GetProperty("map").GetProperty("groups").GetInt64(),
                c.GetProperty("map").TryGetProperty("fold", out var fold) ? fold.GetInt64() : (long?)null,
                c.GetProperty("map").TryGetProperty("shared_heads", out var heads)
                    ? new SharedHeads(heads.GetProperty("size").GetInt64(), heads.GetProperty("times").GetInt64()) : null,
                c.GetProperty("residual").GetBoolean())),
            edges.Select(e => ((string?)e.Consumer.Name, string.Join(",", e.Through.Select(t => t.Name)), e.Map.Offset, e.Map.Spread, e.Groups,
                e.Map.Fold, e.Map.Heads, e.Residual)));
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
    public void The_last_layer_has_no_known_consumer(string folder, string file, string layer, long index, string contains)
    {
        using var model = Model.Open(Fixtures.Path(Path.Combine(folder, file)));

        var refused = Assert.Throws<RequestException>(() => model.Graph.WithOutgoing(model.Neuron(layer, index)));

        Assert.Contains(contains, refused.Message);
    }

    [Theory]
    [MemberData(nameof(FoundQueries))]
    public void Stats_give_the_L2_norm_of_those_slices_as_the_neurons_outgoing_norm(string folder, string file, string layer, long index)
    {
        var expected = Query(folder, file, layer, index);
        double[] outgoing = [.. expected.GetProperty("parts").EnumerateArray()
            .Where(p => p.GetProperty("direction").GetString() == "out").SelectMany(p => OracleQuery.Flatten(p.GetProperty("values")))];
        using var model = Model.Open(Fixtures.Path(Path.Combine(folder, file)));

        var stats = NeuronKit.Stats.ModelStats.Compute(model, [model.Layer(layer)], new NeuronKit.Stats.StatsOptions { Outgoing = true });

        var neuron = stats.Layers.Single().Neurons[(int)model.Neuron(layer, index).Index];
        Assert.Equal(Math.Sqrt(outgoing.Sum(v => v * v)), neuron.OutgoingL2!.Value, 12);
        Assert.Equal(outgoing.All(v => v == 0), neuron.Unused);
    }
}
