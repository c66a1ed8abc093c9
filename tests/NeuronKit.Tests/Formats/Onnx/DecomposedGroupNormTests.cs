using System.Text.Json;
using Google.Protobuf;
using NeuronKit.Edits;
using NeuronKit.Tests.Cli;
using Onnx;

namespace NeuronKit.Tests.Formats.Onnx;

/// <summary>
/// A GroupNorm torch.onnx wrote before opset 18 as Reshape, InstanceNormalization (ones and zeros, one per group), Shape,
/// Reshape, Mul and Add reads as one GroupNormalization node whose weight and bias are the per-channel Mul and Add
/// constants: decomposed_norm/group13.onnx is Conv2d(3, 12) → GroupNorm(3, 12) → ReLU → Conv2d(12, 4, 1) at opset 13
/// (make_decomposed_norm.py, which checked the answers against the module); group_cat13.onnx puts a Concat of two convs
/// before a GroupNorm(4, 8). Their prunes run in ONNX Runtime in
/// PruneOnnxTests; here, the one that would leave groups of unequal sizes is refused, and nodes that compute something
/// else stay nodes.
/// </summary>
public class DecomposedGroupNormTests
{
    private static readonly JsonElement Group =
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path("decomposed_norm/expected.json"))).RootElement.GetProperty("group");

    private static readonly string File13 = Fixtures.Path(Group.GetProperty("input").GetString()!);

    [Fact]
    public void The_six_nodes_list_as_one_GroupNorm_whose_neurons_are_the_channels_and_the_evidence_names_them()
    {
        using var model = global::NeuronKit.Model.Open(File13);

        var norm = model.Layer("/norm/GroupNormalization");

        Assert.Equal(["/conv1/Conv", "/norm/GroupNormalization", "/conv2/Conv"], model.Layers.Select(l => l.Name));
        Assert.Equal(("GroupNorm", 12L, "[C, 1, 1]"), (norm.Kind, norm.NeuronCount, norm.Layout));
        Assert.Equal("ONNX nodes '/norm/Reshape' to '/norm/Add' (Reshape, InstanceNormalization, Shape, Reshape_1, Mul, Add) compute " +
            "a GroupNormalization of 3 groups, as torch.onnx writes one before opset 18", norm.Evidence[0]);
        Assert.Equal(3, model.Checkpoint.Graph.Nodes.Single(n => n.OpType == "GroupNormalization").Int("num_groups", 0));
    }

    public static TheoryData<string, long> Queries()
    {
        var cases = new TheoryData<string, long>();
        foreach (var c in Group.GetProperty("same").EnumerateArray()) cases.Add(c.GetProperty("layer").GetString()!, c.GetProperty("neuron").GetInt64());
        return cases;
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public void A_channel_passes_its_entry_of_the_GroupNorm_on_to_the_next_conv_as_in_the_module(string layer, long j)
    {
        var run = CliRun.Of("show", File13, layer, $"{j}", "--outgoing", "--json");

        Assert.True(run.Exit == 0, run.Stderr);
        DecomposedLayerNormTests.AssertPartsAre(Group.GetProperty("same").EnumerateArray().Single(c => c.GetProperty("layer").GetString() == layer), run.Stdout);
    }

    [Fact]
    public void A_prune_that_would_leave_the_groups_of_unequal_sizes_is_refused_saying_what_would_work()
    {
        var refused = Group.GetProperty("refused");

        var run = CliRun.Of(["prune", File13, .. refused.GetProperty("args").EnumerateArray().Select(a => a.GetString()!)]);

        Assert.Equal(refused.GetProperty("exit").GetInt32(), run.Exit);
        Assert.Contains(refused.GetProperty("contains").GetString()!, run.Stderr);
        Assert.Contains("hint: remove as many of its channels from each group (the same one of each: 0, 4, 8), or whole groups (group 0 is its channels 0..3)", run.Stderr);
    }

    [Fact]
    public void After_a_Concat_the_groups_are_counted_in_the_norm_s_channels_not_the_layer_s_units()
    {
        // Given group_cat13.onnx: cat([a(x), b(x)], 1) → GroupNorm(4, 8), b's unit j the norm's channel 4 + j
        var refused = Group.GetProperty("cat_refused");

        // When b's unit 1 is pruned alone
        var run = CliRun.Of(["prune", Fixtures.Path(refused.GetProperty("input").GetString()!), .. refused.GetProperty("args").EnumerateArray().Select(a => a.GetString()!)]);

        // Then the reason names the group it falls in, 2, and the others untouched
        Assert.Equal(refused.GetProperty("exit").GetInt32(), run.Exit);
        Assert.Contains(refused.GetProperty("contains").GetString()!, run.Stderr);
    }

    [Fact]
    public void A_prune_of_whole_groups_says_the_norm_has_fewer_and_that_of_as_many_of_each_that_it_is_approximate()
    {
        using var model = global::NeuronKit.Model.Open(File13);
        var conv = model.Layer("/conv1/Conv");

        var whole = ModelPrune.Plan(model, [(conv, [4, 5, 6, 7])]);
        var each = ModelPrune.Plan(model, [(conv, [1, 5, 9])]);

        Assert.Equal(["'/norm/GroupNormalization' (GroupNorm) has 1 group fewer (3 → 2): each group left is normalised over its channels as before"],
            whole.Notes);
        Assert.Equal(["/norm/Constant_1_output_0", "/norm/Constant_2_output_0"],
            whole.Cuts.Where(c => c.Tensor.Shape.Count == 1 && c.Tensor.Shape[0] == 3).Select(c => c.Tensor.Name).Order());
        Assert.Single(each.Notes, n => n.Contains("computes only approximately"));
        Assert.DoesNotContain(each.Cuts, c => c.Tensor.Name.StartsWith("/norm/Constant", StringComparison.Ordinal));
    }

    [Fact]
    public void Whole_groups_are_refused_where_the_ones_of_the_InstanceNormalization_are_read_elsewhere_too()
    {
        // Given group13.onnx with the InstanceNormalization's ones also given out through an Identity
        using var file = Changed(model =>
        {
            var identity = new NodeProto { Name = "/copy", OpType = "Identity" };
            identity.Input.Add(InstanceNorm(model).Input[1]);
            identity.Output.Add("ones");
            model.Graph.Node.Add(identity);
            model.Graph.Output.Add(new ValueInfoProto { Name = "ones" });
        });
        using var model = global::NeuronKit.Model.Open(file.Path);
        var conv = model.Layer("/conv1/Conv");

        // When whole groups go, then the ones cannot shrink; as many of each group need no change of them
        var error = Assert.Throws<RequestException>(() => ModelPrune.Plan(model, [(conv, [4, 5, 6, 7])]));
        Assert.Contains("'/norm/GroupNormalization' loses whole groups, so its '/norm/InstanceNormalization' would read a new scale, " +
            "but /norm/Constant_1_output_0 is read by other nodes too", error.Message);
        Assert.Single(ModelPrune.Plan(model, [(conv, [1, 5, 9])]).Notes);
    }

    public static TheoryData<string> NotGroupNorms() => ["scale of twos", "bias of halves", "batch of 1", "mean given out", "affine=False"];

    [Theory]
    [MemberData(nameof(NotGroupNorms))]
    public void Nodes_that_compute_something_else_or_are_read_elsewhere_stay_nodes(string change)
    {
        using var file = Changed(model =>
        {
            var norm = InstanceNorm(model);
            switch (change)
            {
                case "scale of twos": SetFloats(Constant(model, norm.Input[1]), 2); break;
                case "bias of halves": SetFloats(Constant(model, norm.Input[2]), 0.5f); break;
                case "batch of 1":
                    var shape = Constant(model, model.Graph.Node.Single(n => n.Output.Contains(norm.Input[0])).Input[1]);
                    shape.RawData = ByteString.CopyFrom(new long[] { 1, 3, -1 }.SelectMany(BitConverter.GetBytes).ToArray());
                    break;
                case "mean given out": model.Graph.Output.Add(new ValueInfoProto { Name = norm.Output[0] }); break;
                case "affine=False":
                    foreach (var parameter in model.Graph.Initializer.Where(i => i.Name.StartsWith("onnx::", StringComparison.Ordinal)))
                    {
                        parameter.Dims.Clear();
                        parameter.Dims.Add([1, 1, 1]);
                        parameter.RawData = ByteString.CopyFrom(BitConverter.GetBytes(1f));
                    }
                    break;
            }
        });

        using var model = global::NeuronKit.Model.Open(file.Path);

        Assert.DoesNotContain(model.Checkpoint.Graph.Nodes, n => n.OpType == "GroupNormalization");
        Assert.Contains(model.Checkpoint.Graph.Nodes, n => n.OpType == "InstanceNormalization");
        Assert.DoesNotContain(model.Layers, l => l.Kind == "GroupNorm");
    }

    // group13.onnx with `change` made to it.
    private static TempFile Changed(Action<ModelProto> change)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(File13));
        change(model);
        return new TempFile("group.onnx", model.ToByteArray());
    }

    private static NodeProto InstanceNorm(ModelProto model) => model.Graph.Node.Single(n => n.OpType == "InstanceNormalization");

    // The tensor of the Constant node that writes `value`.
    private static TensorProto Constant(ModelProto model, string value) =>
        model.Graph.Node.Single(n => n.OpType == "Constant" && n.Output.Contains(value)).Attribute.Single(a => a.Name == "value").T;

    private static void SetFloats(TensorProto tensor, float value) =>
        tensor.RawData = ByteString.CopyFrom(Enumerable.Repeat(value, (int)tensor.Dims[0]).SelectMany(BitConverter.GetBytes).ToArray());
}
