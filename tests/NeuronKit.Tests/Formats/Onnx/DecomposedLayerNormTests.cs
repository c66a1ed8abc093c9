using System.Text.Json;
using System.Text.Json.Nodes;
using NeuronKit.Tests.Cli;
using Onnx;
using static NeuronKit.Tests.Formats.Onnx.OnnxModelBuilder;

namespace NeuronKit.Tests.Formats.Onnx;

/// <summary>
/// A LayerNorm torch.onnx wrote before opset 17 as nine nodes (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add)
/// reads as the one LayerNormalization node opset 17 writes: decomposed_norm/block13.onnx and block17.onnx are one module
/// exported at both (make_decomposed_norm.py, which checked the parts against the module), so they must list the same
/// layers and give the same answers; their prunes run in ONNX Runtime in PruneOnnxTests. A run whose values are read
/// elsewhere, or that is not a LayerNorm's, stays nodes.
/// </summary>
public class DecomposedLayerNormTests
{
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("decomposed_norm/expected.json"))).RootElement;

    private static string Norm(string file) => Fixtures.Path("decomposed_norm/" + file);

    [Fact]
    public void The_nine_nodes_list_as_the_layers_opset_17_s_operator_gives_and_the_evidence_names_them()
    {
        // When both files' layers are listed
        var decomposed = JsonNode.Parse(CliRun.Of("layers", Norm("block13.onnx"), "--json").Stdout)!["layers"]!.AsArray();
        var whole = JsonNode.Parse(CliRun.Of("layers", Norm("block17.onnx"), "--json").Stdout)!["layers"]!.AsArray();

        // Then they are the same layers, tensors and consumers; only the evidence of the norm says how it was written
        Assert.Equal(["/fc1/Gemm", "/norm/LayerNormalization", "/fc2/Gemm"], decomposed.Select(l => l!["name"]!.GetValue<string>()));
        foreach (var layers in new[] { decomposed, whole })
            foreach (var layer in layers)
            {
                layer!.AsObject().Remove("evidence");
                foreach (var consumer in layer["consumers"]?.AsArray() ?? []) consumer!.AsObject().Remove("evidence");
            }
        Assert.Equal(whole.ToJsonString(), decomposed.ToJsonString());
        using var model = global::NeuronKit.Model.Open(Norm("block13.onnx"));
        Assert.Equal(("LayerNorm", "ONNX nodes '/norm/ReduceMean' to '/norm/Add_1' (ReduceMean, Sub, Pow, ReduceMean_1, Add, Sqrt, Div, Mul, Add_1) " +
            "compute a LayerNormalization over the last axis, as torch.onnx writes one before opset 17"),
            (model.Layer("/norm/LayerNormalization").Kind, model.Layer("/norm/LayerNormalization").Evidence[0]));
    }

    public static TheoryData<string, long> Same()
    {
        var cases = new TheoryData<string, long>();
        foreach (var c in Expected.GetProperty("same").EnumerateArray()) cases.Add(c.GetProperty("layer").GetString()!, c.GetProperty("neuron").GetInt64());
        return cases;
    }

    [Theory]
    [MemberData(nameof(Same))]
    public void A_neuron_s_outgoing_answer_is_opset_17_s_and_PyTorch_s(string layer, long j)
    {
        // When
        var decomposed = CliRun.Of("show", Norm("block13.onnx"), layer, $"{j}", "--outgoing", "--json");
        var whole = CliRun.Of("show", Norm("block17.onnx"), layer, $"{j}", "--outgoing", "--json");

        // Then the answers are one, but for the file's name, and their parts on the way and out are the module's
        Assert.Equal((0, 0), (decomposed.Exit, whole.Exit));
        Assert.Equal(whole.Stdout.Replace("block17.onnx", "block13.onnx"), decomposed.Stdout);
        AssertPartsAre(Expected.GetProperty("same").EnumerateArray().Single(c => c.GetProperty("layer").GetString() == layer), decomposed.Stdout);
    }

    // The values of an outgoing answer's parts on the way and out, flat, are a query's "through" and "out" (the module's).
    internal static void AssertPartsAre(JsonElement query, string answer)
    {
        var parts = JsonDocument.Parse(answer).RootElement.GetProperty("parts").EnumerateArray().ToList();
        float[] Values(string direction) => [.. parts.Where(p => p.GetProperty("direction").GetString() == direction).SelectMany(p => Flat(p.GetProperty("values")))];
        float[] Want(string key) => query.TryGetProperty(key, out var values) ? [.. Flat(values)] : [];
        Assert.Equal(Want("through"), Values("through"));
        Assert.Equal(Want("out"), Values("out"));
    }

    private static IEnumerable<float> Flat(JsonElement values) =>
        values.ValueKind == JsonValueKind.Array ? values.EnumerateArray().SelectMany(Flat) : [(float)values.GetDouble()];

    [Fact]
    public void A_run_whose_mean_the_graph_also_gives_out_stays_nodes_and_a_prune_across_it_is_refused_as_before()
    {
        var unfused = Expected.GetProperty("unfused");

        var run = CliRun.Of(["prune", Fixtures.Path(unfused.GetProperty("input").GetString()!), .. unfused.GetProperty("args").EnumerateArray().Select(a => a.GetString()!)]);

        Assert.Equal(unfused.GetProperty("exit").GetInt32(), run.Exit);
        Assert.Contains(unfused.GetProperty("contains").GetString()!, run.Stderr);
    }

    // x → fc (Gemm, 4 units) → the nine nodes over `axes`, squaring by Pow(d, exponent), scaled by a scale of `scale`'s shape → y.
    private static TempFile Decomposed(long[] axes, float exponent, long[] scale)
    {
        NodeProto Node(string op, string name, string[] inputs, string output, long[]? axesOf = null)
        {
            var node = new NodeProto { Name = name, OpType = op };
            node.Input.Add(inputs);
            node.Output.Add(output);
            if (axesOf is not null) node.Attribute.Add(new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints, Ints = { axesOf } });
            return node;
        }
        TensorProto Scalar(string name, float value) => new() { Name = name, DataType = (int)TensorProto.Types.DataType.Float, FloatData = { value } };
        var model = OnnxModelBuilder.Model(
            [Gemm("/fc/Gemm", "W", "h"), Node("ReduceMean", "/ln/ReduceMean", ["h"], "m", axes), Node("Sub", "/ln/Sub", ["h", "m"], "d"),
             Node("Pow", "/ln/Pow", ["d", "two"], "p"), Node("ReduceMean", "/ln/ReduceMean_1", ["p"], "v", axes), Node("Add", "/ln/Add", ["v", "eps"], "ve"),
             Node("Sqrt", "/ln/Sqrt", ["ve"], "s"), Node("Div", "/ln/Div", ["d", "s"], "n"), Node("Mul", "/ln/Mul", ["n", "ln.weight"], "g"),
             Node("Add", "/ln/Add_1", ["g", "ln.bias"], "y")],
            Raw("W", 4, 5), Scalar("two", exponent), Scalar("eps", 1e-5f), Raw("ln.weight", scale), Raw("ln.bias", scale));
        return new TempFile("decomposed.onnx", model.Bytes());
    }

    [Fact]
    public void A_LayerNorm_over_the_last_two_axes_is_one_node_whose_axis_is_minus_2()
    {
        using var file = Decomposed([-2, -1], 2, [3, 4]);
        using var model = global::NeuronKit.Model.Open(file.Path);

        var norm = model.Layer("/ln/LayerNormalization");

        Assert.Equal(("LayerNorm", 3L), (norm.Kind, norm.NeuronCount));
        Assert.Contains("over the last 2 axes", norm.Evidence[0]);
        Assert.Equal(-2, model.Checkpoint.Graph.Nodes.Single(n => n.OpType == "LayerNormalization").Int("axis", -1));
    }

    public static TheoryData<long[], float, long[]> NotLayerNorms() => new()
    {
        { [-1], 3, [4] },        // a cube is no variance
        { [-2, -1], 2, [4] },    // a scale of fewer axes than the means take
        { [0], 2, [4] },         // a positive axis, the input's rank unknown: which axes it is, is not known
    };

    [Theory]
    [MemberData(nameof(NotLayerNorms))]
    public void Nodes_that_compute_something_else_stay_nodes(long[] axes, float exponent, long[] scale)
    {
        using var file = Decomposed(axes, exponent, scale);
        using var model = global::NeuronKit.Model.Open(file.Path);

        Assert.DoesNotContain(model.Checkpoint.Graph.Nodes, n => n.OpType == "LayerNormalization");
        Assert.Equal(10, model.Checkpoint.Graph.Nodes.Count);
    }
}
