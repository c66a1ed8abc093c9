using System.Text.Json;
using NeuronKit.Diff;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Formats.Safetensors;
using NeuronKit.Tests.Layers;

namespace NeuronKit.Tests.Diff;

/// <summary>
/// Layers in both files that cannot be compared neuron by neuron because one file lacks a tensor or the kinds differ:
/// what the listing, the JSON and the error say of each side.
/// </summary>
public class DiffMismatchTests
{
    [Fact]
    public void A_bias_one_file_lacks_is_reported_as_missing_there_not_as_a_shape()
    {
        // Given a Linear(3, 4) with its bias and the same without one
        using var withBias = new CheckpointBuilder().Tensor("fc.weight", 4, 3).Tensor("fc.bias", 4).Model();
        using var without = new CheckpointBuilder().Tensor("fc.weight", 4, 3).Model();

        // When each is compared with the other
        var aLacks = LayerDiff.FindMismatch(without.Layer("fc"), withBias.Layer("fc"));
        var bLacks = LayerDiff.FindMismatch(withBias.Layer("fc"), without.Layer("fc"));

        // Then the bias is named, with its shape on the side that has it and none on the other
        Assert.Equal(("bias", null, "4"), (aLacks!.Role, aLacks.AShape, string.Join(",", aLacks.BShape!)));
        Assert.Equal(("bias", "4", null), (bLacks!.Role, string.Join(",", bLacks.AShape!), bLacks.BShape));
        Assert.Null(bLacks.Neurons);
        Assert.Equal(("tensors", "bias [4] in A, none in B"), (bLacks.What, bLacks.Detail));
    }

    [Fact]
    public void Layers_of_different_kinds_are_reported_by_their_kinds_and_weights()
    {
        // Given a Linear(3, 4) and a Conv2d of four 1×1 filters over 3 channels (the same neurons, read otherwise)
        using var linear = new CheckpointBuilder().Tensor("fc.weight", 4, 3).Tensor("fc.bias", 4).Model();
        using var conv = new CheckpointBuilder().Tensor("fc.weight", 4, 3, 1, 1).Tensor("fc.bias", 4).Model();

        // When they are compared
        var mismatch = LayerDiff.FindMismatch(linear.Layer("fc"), conv.Layer("fc"));

        // Then the kinds differ, each with its neurons and its weight's shape
        Assert.Equal(("Linear", "Conv2d"), (mismatch!.AKind, mismatch.BKind));
        Assert.Equal(("weight", "4,3", "4,3,1,1"), (mismatch.Role, string.Join(",", mismatch.AShape!), string.Join(",", mismatch.BShape!)));
        Assert.Equal((4L, 4L), mismatch.Neurons);
        Assert.Equal("kinds", mismatch.What);
        Assert.Equal("Linear of 4 neurons in A, weight [4, 3]; Conv2d of 4 in B, weight [4, 3, 1, 1]", mismatch.Detail);
    }

    [Fact]
    public void A_whole_model_diff_lists_both_and_goes_on_and_asking_for_either_layer_names_both_sides()
    {
        // Given A with fc (Linear with bias), conv (Linear) and out; B with fc without its bias, conv a Conv2d, out the same
        using var a = File("a.safetensors", ("fc.weight", [4, 3]), ("fc.bias", [4]), ("conv.weight", [4, 3]), ("conv.bias", [4]), ("out.weight", [2, 4]));
        using var b = File("b.safetensors", ("fc.weight", [4, 3]), ("conv.weight", [4, 3, 1, 1]), ("conv.bias", [4]), ("out.weight", [2, 4]));

        // When the whole models are compared, for reading and as JSON, and each layer is asked for
        var text = CliRun.Of("diff", a.Path, b.Path);
        var json = CliRun.Of("diff", a.Path, b.Path, "--json");
        var fc = CliRun.Of("diff", a.Path, b.Path, "fc");
        var conv = CliRun.Of("diff", a.Path, b.Path, "conv");

        // Then both are listed, saying what differs, and out is compared
        Assert.Equal(0, text.Exit);
        Assert.Contains("out (Linear, 2 neurons)", text.Stdout);
        Assert.Contains("kinds differ: conv (Linear of 4 neurons in A, weight [4, 3]; Conv2d of 4 in B, weight [4, 3, 1, 1])\n", text.Stdout);
        Assert.Contains("tensors differ: fc (bias [4] in A, none in B)\n", text.Stdout);

        // And the JSON keeps its keys: the weights' shapes where the kinds differ, null for the bias B has not, and says which
        // tensor the shapes are of and each file's kind
        using var doc = JsonDocument.Parse(json.Stdout);
        var mismatched = doc.RootElement.GetProperty("mismatched").EnumerateArray().Select(m => m.GetRawText()).ToList();
        Assert.Equal(
        [
            """{"name":"conv","a_shape":[4,3],"b_shape":[4,3,1,1],"role":"weight","a_kind":"Linear","b_kind":"Conv2d"}""",
            """{"name":"fc","a_shape":[4],"b_shape":null,"role":"bias","a_kind":"Linear","b_kind":"Linear"}""",
        ], mismatched.Order());
        Assert.Equal(["out"], doc.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("name").GetString()));

        // And asking for either layer is a request error naming both sides
        Assert.Equal((2, 2), (fc.Exit, conv.Exit));
        Assert.StartsWith("error: layer 'fc' differs between the files: B has no bias (A's is [4])\n", fc.Stderr);
        Assert.StartsWith("error: layer 'conv' differs in kind between the files: Linear of 4 neurons in A, weight [4, 3]; " +
            "Conv2d of 4 in B, weight [4, 3, 1, 1]\n", conv.Stderr);
    }

    [Fact]
    public void Csv_rows_leave_the_layers_not_compared_to_notes_on_stderr()
    {
        // Given A with fc (with a bias), conv (a Linear), out and only_a; B with fc without its bias, conv a Conv2d, out, only_b
        using var a = File("a.safetensors", ("fc.weight", [4, 3]), ("fc.bias", [4]), ("conv.weight", [4, 3]), ("conv.bias", [4]), ("out.weight", [2, 4]), ("only_a.weight", [2, 2]));
        using var b = File("b.safetensors", ("fc.weight", [4, 3]), ("conv.weight", [4, 3, 1, 1]), ("conv.bias", [4]), ("out.weight", [2, 4]), ("only_b.weight", [2, 2]));

        var csv = CliRun.Of("diff", a.Path, b.Path, "--csv");

        // Then the CSV holds out's rows alone, and stderr says, as the text does, which layers were not compared and why
        Assert.Equal(0, csv.Exit);
        Assert.Equal(["out", "out"], csv.Stdout.TrimEnd('\n').Split('\n').Skip(1).Select(l => l.Split(',')[0]));
        Assert.Equal(
            "note: only in A: only_a (Linear)\n" +
            "note: only in B: only_b (Linear)\n" +
            "note: tensors differ: fc (bias [4] in A, none in B)\n" +
            "note: kinds differ: conv (Linear of 4 neurons in A, weight [4, 3]; Conv2d of 4 in B, weight [4, 3, 1, 1])\n",
            csv.Stderr);
    }

    // A safetensors file of float32 tensors holding 0.5, 1.5, 2.5, … each.
    private static TempFile File(string name, params (string Tensor, long[] Shape)[] tensors)
    {
        var entries = new List<string>();
        var data = new List<byte>();
        foreach (var (tensor, shape) in tensors)
        {
            int count = (int)shape.Aggregate(1L, (n, d) => n * d);
            entries.Add($"\"{tensor}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{data.Count},{data.Count + count * 4}]}}");
            data.AddRange(SafetensorsBytes.Floats(count));
        }
        return new TempFile(name, SafetensorsBytes.Build("{" + string.Join(",", entries) + "}", [.. data]));
    }
}
