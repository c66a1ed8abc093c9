using System.Text.Json;
using Google.Protobuf;
using NeuronKit.Tests.Cli;
using Onnx;

namespace NeuronKit.Tests.Formats.Onnx;

/// <summary>
/// An RMSNorm torch.onnx wrote before opset 23 (Llama's: Cast, Pow, ReduceMean, Add, Sqrt, Div of 1, Mul, Cast, Mul by the
/// weight; T5's without the cast back) reads as one RMSNormalization node: decomposed_norm/rms13.onnx and t5_rms13.onnx
/// are Linear(5, 4) → RMSNorm(4) → ReLU → Linear(4, 3) (make_decomposed_norm.py, which checked the answers against the
/// module); their prunes run in ONNX Runtime in PruneOnnxTests. Nodes that compute something else stay nodes.
/// </summary>
public class DecomposedRmsNormTests
{
    private static readonly JsonElement Rms =
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path("decomposed_norm/expected.json"))).RootElement.GetProperty("rms");

    private static readonly string Llama = Fixtures.Path(Rms.GetProperty("input").GetString()!);

    [Theory]
    [InlineData("rms13.onnx", "Cast, Pow, ReduceMean, Add, Sqrt, Div, Mul, Cast_1, Mul_1")]
    [InlineData("t5_rms13.onnx", "Cast, Pow, ReduceMean, Add, Sqrt, Div, Mul, Mul_1")]
    public void The_nodes_list_as_one_RMSNorm_whose_evidence_names_them(string file, string nodes)
    {
        using var model = global::NeuronKit.Model.Open(Fixtures.Path("decomposed_norm/" + file));

        var norm = model.Layer("/norm/RMSNormalization");

        Assert.Equal(["/fc1/Gemm", "/norm/RMSNormalization", "/fc2/Gemm"], model.Layers.Select(l => l.Name));
        Assert.Equal(("RMSNorm", 4L, "[C]", false), (norm.Kind, norm.NeuronCount, norm.Layout, norm.Assumed));
        Assert.Equal($"ONNX nodes '/norm/Cast' to '/norm/Mul_1' ({nodes}) compute an RMSNormalization over the last axis, " +
            "as torch.onnx writes one before opset 23", norm.Evidence[0]);
    }

    public static TheoryData<string, long> Queries()
    {
        var cases = new TheoryData<string, long>();
        foreach (var c in Rms.GetProperty("same").EnumerateArray()) cases.Add(c.GetProperty("layer").GetString()!, c.GetProperty("neuron").GetInt64());
        return cases;
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public void A_channel_passes_its_entry_of_the_RMSNorm_on_to_the_next_layer_as_in_the_module(string layer, long j)
    {
        var run = CliRun.Of("show", Llama, layer, $"{j}", "--outgoing", "--json");

        Assert.True(run.Exit == 0, run.Stderr);
        DecomposedLayerNormTests.AssertPartsAre(Rms.GetProperty("same").EnumerateArray().Single(c => c.GetProperty("layer").GetString() == layer), run.Stdout);
    }

    [Theory]
    [InlineData(false, "(Cast, Pow, ReduceMean, Add, Sqrt, Div, Mul, Cast_1, Mul_1)")]
    [InlineData(true, "(Cast, Pow, ReduceMean, Add, Sqrt, Div, Cast_1, Mul_1)")]
    public void A_reciprocal_of_the_root_or_a_division_by_it_reads_as_the_Div_of_1_does(bool divides, string nodes)
    {
        // Given rms13.onnx with Reciprocal(root) for Div(1, root), or x' / root for x' · Div(1, root)
        using var file = Changed(model =>
        {
            var div = model.Graph.Node.Single(n => n.OpType == "Div");
            var times = model.Graph.Node.Single(n => n.Name == "/norm/Mul");
            if (divides)
            {
                div.Input[0] = times.Input[0];
                model.Graph.Node.Remove(times);
                model.Graph.Node.Single(n => n.Name == "/norm/Cast_1").Input[0] = div.Output[0];
                return;
            }
            div.OpType = "Reciprocal";
            div.Input.RemoveAt(0);
        });
        using var model = global::NeuronKit.Model.Open(file.Path);

        // Then the nodes are one RMSNorm still, its channel j reaching fc2's column j
        Assert.Contains(nodes, model.Layer("/norm/RMSNormalization").Evidence[0]);
        Assert.Equal("[:, 1]", model.Graph.WithOutgoing(model.Neuron("/fc1/Gemm", 1)).Parts.Last().Index);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_cast_read_elsewhere_too_stays_a_node_and_the_norm_reads_its_output(bool givenOut)
    {
        // Given rms13.onnx whose first Cast's output the graph gives out, or an Identity reads too
        using var file = Changed(model =>
        {
            string cast = model.Graph.Node.First(n => n.OpType == "Cast").Output[0];
            if (givenOut)
            {
                model.Graph.Output.Add(new ValueInfoProto { Name = cast });
                return;
            }
            var copy = new NodeProto { Name = "/copy", OpType = "Identity" };
            copy.Input.Add(cast);
            copy.Output.Add("copy");
            model.Graph.Node.Add(copy);
            model.Graph.Output.Add(new ValueInfoProto { Name = "copy" });
        });
        using var model = global::NeuronKit.Model.Open(file.Path);

        var fused = model.Checkpoint.Graph.Nodes.Single(n => n.OpType == "RMSNormalization");

        Assert.Equal("/norm/Cast_output_0", fused.Inputs[0]);
        Assert.Contains(model.Checkpoint.Graph.Nodes, n => n.OpType == "Cast" && n.Name == "/norm/Cast");
    }

    public static TheoryData<string> NotRmsNorms() => ["cube", "mean over the first axis", "root given out", "no weight"];

    [Theory]
    [MemberData(nameof(NotRmsNorms))]
    public void Nodes_that_compute_something_else_or_are_read_elsewhere_stay_nodes(string change)
    {
        using var file = Changed(model =>
        {
            switch (change)
            {
                case "cube":
                    var exponent = model.Graph.Node.Single(n => n.OpType == "Constant" && n.Output[0] == model.Graph.Node.Single(p => p.OpType == "Pow").Input[1]);
                    exponent.Attribute.Single(a => a.Name == "value").T.RawData = ByteString.CopyFrom(BitConverter.GetBytes(3f));
                    break;
                case "mean over the first axis":
                    var axes = model.Graph.Node.Single(n => n.OpType == "ReduceMean").Attribute.Single(a => a.Name == "axes");
                    axes.Ints.Clear();
                    axes.Ints.Add(0);
                    break;
                case "root given out": model.Graph.Output.Add(new ValueInfoProto { Name = model.Graph.Node.Single(n => n.OpType == "Sqrt").Output[0] }); break;
                case "no weight":
                    var last = model.Graph.Node.Single(n => n.Name == "/norm/Mul_1");
                    last.OpType = "Add";
                    last.Input[0] = last.Input[1];
                    break;
            }
        });

        using var model = global::NeuronKit.Model.Open(file.Path);

        Assert.DoesNotContain(model.Checkpoint.Graph.Nodes, n => n.OpType == "RMSNormalization");
        Assert.DoesNotContain(model.Layers, l => l.Kind == "RMSNorm" && !l.Assumed);
    }

    // rms13.onnx with `change` made to it.
    private static TempFile Changed(Action<ModelProto> change)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Llama));
        change(model);
        return new TempFile("rms.onnx", model.ToByteArray());
    }
}
