using System.Text.Json;
using NeuronKit.Tests.Cli;
using static NeuronKit.Tests.Activations.ActivationFixtures;

namespace NeuronKit.Tests.Activations;

/// <summary><c>neuron act</c> on models exported by torch.onnx.export, against what PyTorch's forward hooks saw.</summary>
public sealed class ActCommandTests
{
    // float32 arithmetic in a different order (ONNX Runtime's kernels against PyTorch's): a few ulps of values near 1.
    private const double Tolerance = 1e-5;

    public static TheoryData<int> Cases() => CaseIndices();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_expected_activation_is_what_pytorch_computed(int index)
    {
        // Given
        var c = Section("cases")[index];
        var args = new List<string> { "act", Path(c.GetProperty("model").GetString()!), c.GetProperty("layer").GetString()!, c.GetProperty("index").GetInt64().ToString() };
        foreach (var input in c.GetProperty("inputs").EnumerateArray()) args.AddRange(["--input", Input(input.GetString()!)]);
        if (c.GetProperty("post").GetBoolean()) args.Add("--post");
        args.Add("--json");

        // When
        var run = CliRun.Of([.. args]);

        // Then
        Assert.True(run.Exit == 0, run.Stderr);
        var actual = Json(run.Stdout);
        var expect = c.GetProperty("expect");
        Assert.Equal(expect.GetProperty("layer").GetString(), actual.GetProperty("layer").GetString());
        Assert.Equal(expect.GetProperty("neuron").GetInt64(), actual.GetProperty("neuron").GetInt64());
        var expected = expect.GetProperty("activations");
        var got = actual.GetProperty("activations");
        Assert.Equal(expected.GetArrayLength(), got.GetArrayLength());
        for (int i = 0; i < expected.GetArrayLength(); i++)
        {
            Assert.Equal(expected[i].GetProperty("input").GetString(), got[i].GetProperty("input").GetString());
            Assert.Equal(Shape(expected[i].GetProperty("shape")), Shape(got[i].GetProperty("shape")));
            foreach (string key in (string[])["values", "mean", "max"])
                AssertClose(expected[i].GetProperty(key), got[i].GetProperty(key), Tolerance, $"activations[{i}].{key}");
        }
    }

    [Fact]
    public void The_json_has_exactly_the_contracts_keys_and_nests_values_as_their_shape()
    {
        // When
        var scalar = Json(CliRun.Of("act", Path("mlp.onnx"), "/net/net.0/Gemm", "5", "--input", Path("mlp_x.npy"), "--json").Stdout);
        var map = Json(CliRun.Of("act", Path("cnn.onnx"), "/conv0/Conv", "2", "--input", Path("cnn_x.npy"), "--json").Stdout);

        // Then
        foreach (var report in new[] { scalar, map })
        {
            Assert.Equal(["layer", "neuron", "activations"], report.EnumerateObject().Select(p => p.Name));
            Assert.Equal(["input", "shape", "values", "mean", "max"], report.GetProperty("activations")[0].EnumerateObject().Select(p => p.Name));
        }
        Assert.Equal(JsonValueKind.Number, scalar.GetProperty("activations")[0].GetProperty("values").ValueKind);
        var rows = map.GetProperty("activations")[0].GetProperty("values");
        Assert.Equal(8, rows.GetArrayLength());
        Assert.All(rows.EnumerateArray(), row => Assert.Equal(8, row.GetArrayLength()));
    }

    [Fact]
    public void A_negative_index_counts_from_the_end_and_the_json_gives_the_resolved_one()
    {
        var last = Json(CliRun.Of("act", Path("cnn.onnx"), "/conv1/Conv", "-1", "--input", Path("cnn_x.npy"), "--json").Stdout);
        var four = Json(CliRun.Of("act", Path("cnn.onnx"), "/conv1/Conv", "4", "--input", Path("cnn_x.npy"), "--json").Stdout);

        Assert.Equal(4, last.GetProperty("neuron").GetInt64());
        Assert.Equal(four.GetProperty("activations").ToString(), last.GetProperty("activations").ToString());
    }

    [Theory]
    // --post where the conv's output goes to a BatchNorm, not to an activation function
    [InlineData("cnn.onnx /conv0/Conv 2 --input cnn_x.npy --post", "goes to BatchNormalization (/bn/BatchNormalization)")]
    // an input whose shape is not the model's: the message names both
    [InlineData("cnn.onnx /conv0/Conv 2 --input mlp_x.npy", "mlp_x.npy has shape [1, 6], but the model's input 'x' expects [batch, 3, 8, 8]")]
    // a name that is no node of the graph (here the graph's input)
    [InlineData("cnn.onnx x 0 --input cnn_x.npy", "no layer 'x'")]
    [InlineData("cnn.onnx /conv1/Conv 5 --input cnn_x.npy", "/conv1/Conv has 5 neurons")]
    // a BatchNorm has a neuron per channel (4), not one per column of its [8, 8] maps
    [InlineData("cnn.onnx /bn/BatchNormalization 7 --input cnn_x.npy", "/bn/BatchNormalization has 4 neurons")]
    // a model of two inputs needs each file named
    [InlineData("two_inputs.onnx /fc/Gemm 0 --input two_a.npy", "the model takes 2 inputs (a, b)")]
    public void A_wrong_request_exits_2_and_says_what_is_wrong(string command, string message)
    {
        string[] words = command.Split(' ');
        var run = CliRun.Of(["act", .. words.Select((w, i) => i == 0 || (i > 0 && words[i - 1] == "--input") ? Path(w) : w)]);

        Assert.Equal(2, run.Exit);
        Assert.Contains(message, run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public void A_complex_array_as_an_input_is_refused_as_no_float32_tensor()
    {
        // Given a .npy of complex64 values [1, 6] (numpy's header, then (re, im) float32 pairs)
        string header = "{'descr': '<c8', 'fortran_order': False, 'shape': (1, 6), }";
        header = header.PadRight(118 - 1) + "\n";
        byte[] bytes = [0x93, .. "NUMPY"u8, 1, 0, .. BitConverter.GetBytes((ushort)header.Length), .. System.Text.Encoding.ASCII.GetBytes(header), .. new byte[6 * 8]];
        using var file = new TempFile("complex.npy", bytes);

        // When it is given to a model of float32 input
        var run = CliRun.Of("act", Path("mlp.onnx"), "/net/net.0/Gemm", "0", "--input", file.Path);

        // Then it is refused for what it holds, with a hint for an input (not show's, for printing a complex part)
        Assert.Equal(2, run.Exit);
        Assert.Equal("error: complex.npy holds complex64 values; neuron act feeds float32 tensors\n" +
            "hint: save the array's real part, or np.abs of it, as float32\n", run.Stderr);
    }

    [Fact]
    public void A_model_of_a_fixed_batch_of_2_is_not_told_its_first_dimension_may_be_left_out()
    {
        // Given mlp.onnx with its input's batch fixed at 2
        var model = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path("mlp.onnx")));
        var batch = model.Graph.Input[0].Type.TensorType.Shape.Dim[0];
        batch.ClearValue();
        batch.DimValue = 2;
        using var file = new TempFile("batch2.onnx", Google.Protobuf.MessageExtensions.ToByteArray(model));

        // When it is given one item of [1, 6]
        var run = CliRun.Of("act", file.Path, "/net/net.0/Gemm", "0", "--input", Path("mlp_x.npy"));

        // Then the hint asks for the shape it takes, and no more
        Assert.Equal(2, run.Exit);
        Assert.EndsWith("hint: give a float32 array of shape [2, 6]\n", run.Stderr);
    }

    [Fact]
    public void A_model_onnx_runtime_cannot_load_exits_3_with_its_reason()
    {
        // Given: mlp.onnx with an operator no ONNX Runtime has; NeuronKit's own reader still reads it
        var model = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path("mlp.onnx")));
        model.Graph.Node.First(n => n.OpType == "Relu").OpType = "NoSuchActivation";
        using var file = new TempFile("no_such_op.onnx", Google.Protobuf.MessageExtensions.ToByteArray(model));

        // When
        var run = CliRun.Of("act", file.Path, "/net/net.0/Gemm", "0", "--input", Path("mlp_x.npy"));

        // Then
        Assert.Equal(3, run.Exit);
        Assert.Contains("ONNX Runtime cannot load", run.Stderr);
        Assert.Contains("NoSuchActivation", run.Stderr);
    }

    [Fact]
    public void A_picture_that_does_not_decode_is_an_unreadable_file()
    {
        using var file = new TempFile("broken.png", [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);

        var run = CliRun.Of("act", Path("cnn.onnx"), "/conv0/Conv", "0", "--input", file.Path);

        Assert.Equal(3, run.Exit);
        Assert.Contains("broken.png is not a PNG or JPEG picture", run.Stderr);
    }

    [Fact]
    public void A_text_report_names_each_input_with_its_mean_and_max()
    {
        var run = CliRun.Of("act", Path("cnn.onnx"), "/conv1/Conv", "3", "--input", Path("cnn_batch.npy"));

        Assert.Equal(0, run.Exit);
        Assert.Contains("/conv1/Conv, neuron 3: 2 inputs", run.Stdout);
        Assert.Contains("cnn_batch.npy[1]: shape [6, 6], mean ", run.Stdout);
    }
}
