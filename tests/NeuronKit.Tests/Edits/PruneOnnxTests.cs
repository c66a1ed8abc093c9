using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Formats.Onnx;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// <c>neuron prune</c> on ONNX models writes the files onnx.checker and strict shape inference accepted (make_prune.py
/// pinned their SHA-256), and ONNX Runtime running them computes what the original model computes with the removed
/// neurons ablated, as torch gave it on the same inputs.
/// </summary>
public class PruneOnnxTests
{
    private const string Pinned = "prune/expected_prune_onnx_gguf.json";

    public static TheoryData<string> Cases() =>
        [.. PinnedCases.Read(Pinned).Where(c => c.GetProperty("input").GetString()!.EndsWith(".onnx")).Select(c => c.GetProperty("name").GetString()!)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_pruned_model_runs_in_onnx_runtime_as_the_ablated_original(string name)
    {
        using var folder = new TempFolder();
        var expected = PinnedCases.Named(Pinned, name);

        string output = PinnedCases.Prune(expected, folder, "pruned.onnx");

        if (expected.TryGetProperty("data_sha256", out var data)) Assert.Equal(data.GetString(), PinnedCases.Sha(output + ".data"));
        AssertRunsAs(expected, output, name);
    }

    // A layer concatenated with the model's input (concat_input/, make_concat_input.py): the consumer's input columns are
    // cut past the input's declared channels, or before them, and the pruned model gives what PyTorch's module gives with
    // those columns zeroed.
    private static readonly JsonElement[] ConcatInput =
        [.. JsonDocument.Parse(File.ReadAllText(Fixtures.Path("concat_input/expected.json"))).RootElement.GetProperty("prune").EnumerateArray()];

    public static TheoryData<string> ConcatInputCases() => [.. ConcatInput.Select(c => c.GetProperty("name").GetString()!)];

    [Theory]
    [MemberData(nameof(ConcatInputCases))]
    public void A_layer_concatenated_with_the_model_input_prunes_to_the_module_with_its_columns_zeroed(string name)
    {
        // Given
        using var folder = new TempFolder();
        var expected = ConcatInput.Single(c => c.GetProperty("name").GetString() == name);
        string output = Path.Combine(folder.Path, "pruned.onnx");

        // When
        var run = CliRun.Of(["prune", Fixtures.Path(expected.GetProperty("input").GetString()!),
            .. expected.GetProperty("args").EnumerateArray().Select(a => a.GetString()!), "-o", output]);

        // Then
        Assert.True(run.Exit == 0, run.Stderr);
        AssertRunsAs(expected, output, name);
    }

    // ONNX Runtime runs the pruned model on the case's x and gives its y to 1e-5.
    private static void AssertRunsAs(JsonElement expected, string output, string name)
    {
        float[] x = Floats(expected, "x"), want = Floats(expected, "y");
        using var session = new InferenceSession(output);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, Ints(expected, "x_shape")))]);
        var y = results.Single().AsTensor<float>();
        Assert.Equal(Ints(expected, "y_shape"), y.Dimensions.ToArray());
        for (int i = 0; i < want.Length; i++)
            Assert.True(Math.Abs(y.GetValue(i) - want[i]) <= 1e-5, $"{name}: output {i} is {y.GetValue(i)}, the ablated model gives {want[i]}");
    }

    // A LayerNorm torch.onnx wrote as nine nodes (opset 13) and as one (opset 17), and a GroupNorm it wrote as six nodes
    // (opset 13) losing whole groups, as many channels of each group, or both: the pruned model normalizes the channels
    // left, as the module rebuilt without the pruned units does (decomposed_norm/, make_decomposed_norm.py).
    private static readonly JsonElement[] DecomposedNorm =
        [.. JsonDocument.Parse(File.ReadAllText(Fixtures.Path("decomposed_norm/expected.json"))).RootElement.GetProperty("prune").EnumerateArray()];

    public static TheoryData<string> DecomposedNormCases() => [.. DecomposedNorm.Select(c => c.GetProperty("name").GetString()!)];

    [Theory]
    [MemberData(nameof(DecomposedNormCases))]
    public void A_layer_before_a_norm_torch_onnx_wrote_as_nodes_prunes_to_the_module_rebuilt_without_its_units(string name)
    {
        // Given
        using var folder = new TempFolder();
        var expected = DecomposedNorm.Single(c => c.GetProperty("name").GetString() == name);
        string output = Path.Combine(folder.Path, "pruned.onnx");

        // When
        var run = CliRun.Of(["prune", Fixtures.Path(expected.GetProperty("input").GetString()!),
            .. expected.GetProperty("args").EnumerateArray().Select(a => a.GetString()!), "-o", output]);

        // Then
        Assert.True(run.Exit == 0, run.Stderr);
        AssertRunsAs(expected, output, name);
    }

    // Models from other fixture sets (an ONNX Runtime QDQ model, one-direction and bidirectional LSTMs, MatMul on 3-D
    // input, a Concat, a Transpose, a PRelu's slope and a layer scale on the way, a ReduceMean and a ReduceMax, a squeeze-and-excitation gate, GELU and SiLU as Muls): the ablated original is the same file
    // through `neuron edit --zero --outgoing`.
    public static TheoryData<string, string> AblatedByEdit() => new()
    {
        { "onnx/qdq.onnx", "/conv/Conv:1" },
        { "graph/lstm_last.onnx", "/rnn/LSTM:1" },
        { "graph/lstm_hn.onnx", "/rnn/LSTM.forward:1,/rnn/LSTM.reverse:1" },
        { "graph/mlp3d.onnx", "/0/MatMul:1,/2/MatMul:3" },
        { "graph/concat.onnx", "/a/Gemm:1" },
        { "graph/transpose.onnx", "/conv/Conv:1" },
        { "graph/prelu.onnx", "/0/Conv:1" },
        { "graph/layer_scale.onnx", "/fc1/Gemm:1,/fc1/Gemm:3" },
        { "graph/reduce_mean.onnx", "/conv/Conv:1" },
        { "graph/reduce_max.onnx", "/conv/Conv:0,/conv/Conv:3" },
        { "onnx_axes/se_unsqueeze.onnx", "/conv/Conv:1" },         // an SE gate of Linears, unsqueezed back: fc2's row and fc1's column go too
        { "onnx_axes/se_view.onnx", "/conv/Conv:1" },              // the same gate reshaped back by view(1, 8, 1, 1): the Reshape's shape says 7
        { "onnx_axes/activations.onnx", "/l1/Gemm:2,/l2/Gemm:0" }, // GELU and SiLU as Muls of one channel
        { "graph/constant_attributes.onnx", "conv:1" },   // bias value_floats, then a Reshape to value_ints [1, 12]
        { "graph/constant_attributes.onnx", "fc:0,fc:2" }, // bias value_floats, then a Mul by a value_float
        { "prune/shared_bn.onnx", "/conv1/Conv:1" },        // bn1 on the way reads initializers bn2 reads too
        { "prune/shared_bias.onnx", "/conv1/Conv:1" },      // conv1's own bias is conv3's too
        { "graph/concat_bn.onnx", "/conv1/Conv:1" },        // a BatchNorm after a Concat: conv1's channel 1 is its entry 5
        // A depthwise conv reading cat([x, conv(x)]): its filter 4 reads conv's channel 1, past x's 3 declared channels.
        { "prune/depthwise_concat.onnx", "/depthwise/Conv:4" },
        // Every branch of two residual Adds and a gate's Mul: the stream's channel j, made by four layers (one through a BatchNorm).
        { "prune/residual.onnx", "/stem/Conv:1,/c2/Conv:1,/c4/Conv:1,/se2/Conv:1" },
        { "prune/residual.onnx", "/stem/Conv:0,/stem/Conv:3,/c2/Conv:0,/c2/Conv:3,/c4/Conv:0,/c4/Conv:3,/se2/Conv:0,/se2/Conv:3" },
        // A ConvTranspose of 2 groups: a whole group of its output channels (the rows of the channels it is made from, which
        // go too; group 2 → 1), and the same output channel of each group (column 0 of W [in, out/group, k…]).
        { "prune/grouped_deconv.onnx", "/net/net.3/ConvTranspose:2,/net/net.3/ConvTranspose:3" },
        { "prune/grouped_deconv.onnx", "/net/net.3/ConvTranspose:0,/net/net.3/ConvTranspose:2" },
    };

    [Theory]
    [InlineData("/stem/Conv", "'/c2/Conv', '/c4/Conv', '/se2/Conv' lose the same channels")]
    [InlineData("/c4/Conv", "'/stem/Conv', '/c2/Conv', '/se2/Conv' lose the same channels")]
    [InlineData("/se2/Conv", "'/stem/Conv', '/c2/Conv', '/c4/Conv' lose the same channels")]
    public void A_prune_of_one_branch_of_a_merge_is_a_prune_of_every_branch(string layer, string note)
    {
        // Given residual.onnx, whose stream's channel j stem, c2, c4 and se2 all make, added together by two Adds and a Mul
        using var folder = new TempFolder();
        string one = Path.Combine(folder.Path, "one.onnx"), all = Path.Combine(folder.Path, "all.onnx");

        // When one of them is pruned, and all four
        var asked = CliRun.Of("prune", Fixtures.Path("prune/residual.onnx"), layer, "2", "-o", one);
        var every = CliRun.Of("prune", Fixtures.Path("prune/residual.onnx"), "--neurons", "/stem/Conv:2,/c2/Conv:2,/c4/Conv:2,/se2/Conv:2", "-o", all);

        // Then the others come along, and a note says why; the file is the same
        Assert.True(asked.Exit == 0, asked.Stderr);
        Assert.True(every.Exit == 0, every.Stderr);
        Assert.Contains(note, asked.Stderr);
        Assert.Contains("a merge on the way (a residual add, a gate) adds their channels to those of", asked.Stderr);
        Assert.DoesNotContain("lose the same channels", every.Stderr);
        Assert.DoesNotContain("/bn/BatchNormalization: removes", asked.Stdout);
        Assert.Equal(File.ReadAllBytes(all), File.ReadAllBytes(one));
    }

    [Theory]
    [MemberData(nameof(AblatedByEdit))]
    public void The_pruned_model_computes_what_the_model_with_the_neurons_zeroed_computes(string file, string neurons)
    {
        // Given
        using var folder = new TempFolder();
        string pruned = Path.Combine(folder.Path, "pruned.onnx"), ablated = Path.Combine(folder.Path, "ablated.onnx");

        // When
        var prune = CliRun.Of(["prune", Fixtures.Path(file), "--neurons", neurons, "-o", pruned]);
        var edit = CliRun.Of(["edit", Fixtures.Path(file), "--neurons", neurons, "--zero", "--outgoing", "-o", ablated]);

        // Then
        Assert.True(prune.Exit == 0, prune.Stderr);
        Assert.True(edit.Exit == 0, edit.Stderr);
        AssertSameOutputs(ablated, pruned, file);
    }

    [Fact]
    public void A_reshape_whose_shape_another_node_reads_too_gets_a_copy_with_the_new_count()
    {
        // Given se_view.onnx with the gate's Reshape shape [1, 8, 1, 1] read by an Identity too
        using var folder = new TempFolder();
        var model = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Fixtures.Path("onnx_axes/se_view.onnx")));
        string shape = model.Graph.Node.Single(n => n.OpType == "Reshape").Input[1];
        var identity = new global::Onnx.NodeProto { Name = "/copy", OpType = "Identity" };
        identity.Input.Add(shape);
        identity.Output.Add("shape_copy");
        model.Graph.Node.Add(identity);
        string shared = Path.Combine(folder.Path, "shared.onnx"), pruned = Path.Combine(folder.Path, "pruned.onnx"), ablated = Path.Combine(folder.Path, "ablated.onnx");
        File.WriteAllBytes(shared, Google.Protobuf.MessageExtensions.ToByteArray(model));

        // When conv's channel 1 is pruned, and ablated
        var prune = CliRun.Of(["prune", shared, "/conv/Conv", "1", "-o", pruned]);
        var edit = CliRun.Of(["edit", shared, "--neurons", "/conv/Conv:1", "--zero", "--outgoing", "-o", ablated]);

        // Then the Reshape reads a copy of the shape saying 7, the Identity the shape as it was, and the two models agree
        Assert.True(prune.Exit == 0 && edit.Exit == 0, prune.Stderr + edit.Stderr);
        AssertSameOutputs(ablated, pruned, "shared.onnx");
        var written = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(pruned));
        Assert.Equal(shape + ".pruned", written.Graph.Node.Single(n => n.OpType == "Reshape").Input[1]);
        Assert.Equal(shape, written.Graph.Node.Single(n => n.OpType == "Identity").Input[0]);
        using var read = global::NeuronKit.Model.Open(pruned);
        Assert.Equal([1.0, 7, 1, 1], read.Checkpoint.Find(shape + ".pruned")!.View().ToDoubles());
        Assert.Equal([1.0, 8, 1, 1], read.Checkpoint.Find(shape)!.View().ToDoubles());
    }

    // ONNX Runtime runs both models on the same random inputs and they agree to 1e-5.
    private static void AssertSameOutputs(string ablated, string pruned, string file)
    {
        using var original = new InferenceSession(ablated);
        using var smaller = new InferenceSession(pruned);
        var random = new Random(1);
        var inputs = original.InputMetadata.Select(i =>
        {
            int[] shape = [.. i.Value.Dimensions.Select(d => d > 0 ? d : 1)];
            float[] x = [.. Enumerable.Range(0, shape.Aggregate(1, (n, d) => n * d)).Select(_ => random.NextSingle() * 2 - 1)];
            return NamedOnnxValue.CreateFromTensor(i.Key, new DenseTensor<float>(x, shape));
        }).ToList();
        using var want = original.Run(inputs);
        using var got = smaller.Run(inputs);
        foreach (var (w, g) in want.Zip(got))
        {
            float[] a = [.. w.AsTensor<float>()], b = [.. g.AsTensor<float>()];
            Assert.Equal(a.Length, b.Length);
            for (int i = 0; i < a.Length; i++)
                Assert.True(Math.Abs(a[i] - b[i]) <= 1e-5, $"{file} output {w.Name}[{i}]: pruned {b[i]}, ablated {a[i]}");
        }
    }

    [Theory]
    [InlineData("Gemm")]     // fc1's C
    [InlineData("MatMul")]   // the bias an Add puts after fc1
    public void A_bias_given_as_a_constant_s_value_floats_is_cut_with_its_units(string op)
    {
        // Given fc1 [5 units] whose bias is a Constant's value_floats: left at 5 values beside 4 units, ONNX Runtime would
        // stop with "Gemm: Invalid bias shape for broadcast"
        using var folder = new TempFolder();
        string model = Path.Combine(folder.Path, "value_floats.onnx");
        string pruned = Path.Combine(folder.Path, "pruned.onnx"), ablated = Path.Combine(folder.Path, "ablated.onnx");
        File.WriteAllBytes(model, ValueFloatsBias(op).Bytes());

        // When
        var prune = CliRun.Of("prune", model, "fc1", "1", "-o", pruned);
        var edit = CliRun.Of("edit", model, "fc1", "1", "--zero", "--outgoing", "-o", ablated);

        // Then the bias keeps its form, one value shorter, and the model runs as the ablated one
        Assert.True(prune.Exit == 0, prune.Stderr);
        Assert.True(edit.Exit == 0, edit.Stderr);
        var constant = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(pruned)).Graph.Node.Single(n => n.OpType == "Constant");
        Assert.Equal([0.1f, 0.3f, 0.4f, 0.5f], constant.Attribute.Single(a => a.Name == "value_floats").Floats);
        AssertSameOutputs(ablated, pruned, op);
    }

    [Fact]
    public void A_sparse_value_bias_cut_with_its_units_becomes_the_dense_value_it_stands_for()
    {
        // Given fc1's C, a sparse_value [5] holding 0.2 at index 1 and 0.4 at index 3
        using var folder = new TempFolder();
        string model = Path.Combine(folder.Path, "sparse.onnx");
        string pruned = Path.Combine(folder.Path, "pruned.onnx"), ablated = Path.Combine(folder.Path, "ablated.onnx");
        File.WriteAllBytes(model, ValueFloatsBias("Gemm", sparse: true).Bytes());

        // When unit 1 is pruned (the ablation leaves the bias, which an edit cannot write, and zeroes what reads the unit)
        var prune = CliRun.Of("prune", model, "fc1", "1", "-o", pruned);
        var edit = CliRun.Of("edit", model, "fc1", "1", "--zero", "--part", "weight", "--outgoing", "-o", ablated);

        // Then the Constant holds the dense tensor of the kept values, and the model runs as the ablated one
        Assert.True(prune.Exit == 0, prune.Stderr);
        Assert.True(edit.Exit == 0, edit.Stderr);
        var value = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(pruned)).Graph.Node.Single(n => n.OpType == "Constant").Attribute.Single();
        Assert.Equal(("value", 4L), (value.Name, value.T.Dims.Single()));
        Assert.Equal([0f, 0f, 0.4f, 0f], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(value.T.RawData.Span).ToArray());
        AssertSameOutputs(ablated, pruned, "sparse");
    }

    [Fact]
    public void A_bias_given_as_a_constant_NeuronKit_does_not_read_is_refused_not_left_at_its_old_size()
    {
        // Given the bias an Add puts after fc1, a sparse_value too large to expand (listed as not read)
        using var folder = new TempFolder();
        string model = Path.Combine(folder.Path, "huge.onnx"), pruned = Path.Combine(folder.Path, "out", "pruned.onnx");
        var proto = ValueFloatsBias("MatMul", sparse: true);
        proto.Graph.Node.Single(n => n.OpType == "Constant").Attribute.Single().SparseTensor.Dims[0] = 1L << 40;
        File.WriteAllBytes(model, proto.Bytes());
        Directory.CreateDirectory(Path.GetDirectoryName(pruned)!);

        // When
        var run = CliRun.Of("prune", model, "fc1", "1", "-o", pruned);

        // Then
        Assert.Equal(2, run.Exit);
        Assert.Contains("reads C1, a Constant's sparse_value, which NeuronKit does not read as a tensor", run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(pruned)!));
    }

    [Fact]
    public void A_tensor_a_layer_left_whole_reads_too_is_kept_for_it_as_a_copy()
    {
        // Given two BatchNorms that read one set of initializers (torch.onnx shares equal parameters), bn1 on the way from
        // conv1 to conv2: cut under bn2 too, bn2 would read 3 scales for its 4 channels, which ONNX Runtime refuses
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "pruned.onnx");

        // When
        var run = CliRun.Of(["prune", Fixtures.Path("prune/shared_bn.onnx"), "/conv1/Conv", "1", "-o", output]);

        // Then bn1 reads the cut tensors, bn2 copies of them as they were, and the prune says so
        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("note: '/bn2/BatchNormalization' reads bn1.weight too and is left whole: the pruned model gives it a copy of it " +
            "as it was, bn1.weight.kept", run.Stderr);
        var graph = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(output)).Graph;
        Assert.Equal(["bn1.weight.kept", "bn1.bias.kept", "bn1.bias.kept", "bn1.weight.kept"], graph.Node.Single(n => n.Name == "/bn2/BatchNormalization").Input.Skip(1));
        Assert.Equal([3L], graph.Initializer.Single(i => i.Name == "bn1.weight").Dims);
        Assert.Equal([4L], graph.Initializer.Single(i => i.Name == "bn1.weight.kept").Dims);
    }

    [Fact]
    public void A_tensor_of_the_pruned_layer_that_another_layer_reads_too_is_kept_for_it_as_a_copy()
    {
        // Given two convs whose zero biases torch.onnx wrote as one initializer
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "pruned.onnx");

        // When one of them is pruned
        var run = CliRun.Of(["prune", Fixtures.Path("prune/shared_bias.onnx"), "/conv1/Conv", "1", "-o", output]);

        // Then it reads the cut bias, the other a copy of it as it was
        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("note: '/conv3/Conv' reads conv1.bias too and is left whole: the pruned model gives it a copy of it as it was, " +
            "conv1.bias.kept", run.Stderr);
        var graph = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(output)).Graph;
        Assert.Equal([3L], graph.Initializer.Single(i => i.Name == "conv1.bias").Dims);
        Assert.Equal([4L], graph.Initializer.Single(i => i.Name == "conv1.bias.kept").Dims);
    }

    [Fact]
    public void A_reshape_without_an_output_is_no_crash_when_the_prune_restates_the_sizes_of_reshapes()
    {
        // Given constant_attributes.onnx with its Reshape's output gone (a damaged file the writer fuzz made)
        using var folder = new TempFolder();
        var proto = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Fixtures.Path("graph/constant_attributes.onnx")));
        proto.Graph.Node.Single(n => n.OpType == "Reshape").Output.Clear();
        string model = Path.Combine(folder.Path, "damaged.onnx");
        File.WriteAllBytes(model, Google.Protobuf.MessageExtensions.ToByteArray(proto));

        // When conv, which no longer reaches a consumer, is pruned with fc named as its consumer
        var run = CliRun.Of(["prune", model, "conv", "1", "--consumer", "fc", "-o", Path.Combine(folder.Path, "pruned.onnx")]);

        // Then it is written or refused, never a crash
        Assert.True(run.Exit is 0 or 2 or 3, run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    [Fact]
    public void Two_dequantize_nodes_of_one_output_are_no_crash()
    {
        // Given mlp_qdq.onnx with its weight's DequantizeLinear node twice (a damaged file: ONNX names each value once)
        using var folder = new TempFolder();
        var proto = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Fixtures.Path("prune/mlp_qdq.onnx")));
        var dequantize = proto.Graph.Node.First(n => n.OpType == "DequantizeLinear");
        proto.Graph.Node.Add(new global::Onnx.NodeProto(dequantize) { Name = "again" });
        string model = Path.Combine(folder.Path, "damaged.onnx");
        File.WriteAllBytes(model, Google.Protobuf.MessageExtensions.ToByteArray(proto));

        // When
        var run = CliRun.Of(["prune", model, "/net/net.0/Gemm", "0", "-o", Path.Combine(folder.Path, "pruned.onnx")]);

        // Then it is written or refused, never a crash
        Assert.True(run.Exit is 0 or 2 or 3, run.Stderr);
        Assert.DoesNotContain("internal error", run.Stderr);
    }

    [Fact]
    public void A_shared_tensor_stored_outside_the_model_is_refused_rather_than_copied()
    {
        // Given shared_bn.onnx with bn1.weight's bytes moved to external data
        using var folder = new TempFolder();
        var proto = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Fixtures.Path("prune/shared_bn.onnx")));
        var weight = proto.Graph.Initializer.Single(i => i.Name == "bn1.weight");
        File.WriteAllBytes(Path.Combine(folder.Path, "shared.data"), weight.RawData.ToByteArray());
        weight.DataLocation = global::Onnx.TensorProto.Types.DataLocation.External;
        foreach (var (key, value) in new[] { ("location", "shared.data"), ("offset", "0"), ("length", weight.RawData.Length.ToString()) })
            weight.ExternalData.Add(new global::Onnx.StringStringEntryProto { Key = key, Value = value });
        weight.ClearRawData();
        string model = Path.Combine(folder.Path, "shared.onnx"), output = Path.Combine(folder.Path, "out", "pruned.onnx");
        File.WriteAllBytes(model, Google.Protobuf.MessageExtensions.ToByteArray(proto));
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);

        // When
        var run = CliRun.Of(["prune", model, "/conv1/Conv", "1", "-o", output]);

        // Then
        Assert.Equal(2, run.Exit);
        Assert.Contains("the prune cuts bn1.weight, and '/bn2/BatchNormalization', which it leaves whole, reads that tensor too; NeuronKit " +
            "gives such a layer a copy of the tensor as it was, but not here: its data is stored outside the model", run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(output)!));
    }

    [Fact]
    public void A_per_channel_constant_read_by_a_qoperator_node_is_refused()
    {
        // Given
        using var folder = new TempFolder();

        // When
        var run = CliRun.Of(["prune", Fixtures.Path("onnx/qoperator.onnx"), "/conv/Conv_quant", "1", "-o", Path.Combine(folder.Path, "pruned.onnx")]);

        // Then
        Assert.Equal(2, run.Exit);
        Assert.Contains("not read through DequantizeLinear", run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void External_data_stays_external_in_one_file_beside_the_output()
    {
        // Given
        var expected = PinnedCases.Named(Pinned, "mlp_external_onnx");
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "small.onnx");

        // When
        var run = CliRun.Of(["prune", Fixtures.Path(expected.GetProperty("input").GetString()!), "/net/net.0/Gemm", "0", "-o", output]);

        // Then
        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Equal([output, output + ".data"], Directory.GetFiles(folder.Path).Order());
        var model = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(output));
        var weight = model.Graph.Initializer.Single(i => i.Name == "net.0.weight");
        Assert.Equal([5L, 8L], weight.Dims);
        Assert.Equal(global::Onnx.TensorProto.Types.DataLocation.External, weight.DataLocation);
        Assert.Equal("small.onnx.data", weight.ExternalData.Single(e => e.Key == "location").Value);
        Assert.Equal(5 * 8 * 4, long.Parse(weight.ExternalData.Single(e => e.Key == "length").Value));
    }

    [Fact]
    public void An_output_whose_data_file_is_the_one_the_model_reads_is_refused_and_the_model_kept()
    {
        // Given a copy of the external-data model named source.onnx, its tensors still in mlp_external.onnx.data
        using var folder = new TempFolder();
        string source = Path.Combine(folder.Path, "source.onnx"), data = Path.Combine(folder.Path, "mlp_external.onnx.data");
        File.Copy(Fixtures.Path("prune/mlp_external.onnx"), source);
        File.Copy(Fixtures.Path("prune/mlp_external.onnx.data"), data);

        // When it is pruned into mlp_external.onnx, whose data file would be mlp_external.onnx.data
        var run = CliRun.Of("prune", source, "/net/net.0/Gemm", "0", "-o", Path.Combine(folder.Path, "mlp_external.onnx"));

        // Then the prune is refused, and the model and its data are as they were
        Assert.Equal(2, run.Exit);
        Assert.Contains("mlp_external.onnx keeps its tensors in mlp_external.onnx.data, which source.onnx reads", run.Stderr);
        Assert.Equal([data, source], Directory.GetFiles(folder.Path).Order());
        Assert.Equal(File.ReadAllBytes(Fixtures.Path("prune/mlp_external.onnx.data")), File.ReadAllBytes(data));
    }

    [Fact]
    public void An_external_data_checksum_becomes_the_sha1_of_the_new_data_file()
    {
        // Given: the external-data fixture with a checksum on every tensor, in a folder of its own
        using var folder = new TempFolder();
        string model = Path.Combine(folder.Path, "mlp_external.onnx");
        File.Copy(Fixtures.Path("prune/mlp_external.onnx.data"), model + ".data");
        var proto = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Fixtures.Path("prune/mlp_external.onnx")));
        foreach (var tensor in proto.Graph.Initializer)
            tensor.ExternalData.Add(new global::Onnx.StringStringEntryProto { Key = "checksum", Value = "stale" });
        File.WriteAllBytes(model, Google.Protobuf.MessageExtensions.ToByteArray(proto));
        string output = Path.Combine(folder.Path, "small.onnx");

        // When
        var run = CliRun.Of(["prune", model, "/net/net.0/Gemm", "0", "-o", output]);

        // Then
        Assert.True(run.Exit == 0, run.Stderr);
        string sha1 = Convert.ToHexStringLower(SHA1.HashData(File.ReadAllBytes(output + ".data")));
        var pruned = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(output));
        Assert.All(pruned.Graph.Initializer, t => Assert.Equal(sha1, t.ExternalData.Single(e => e.Key == "checksum").Value));
    }

    [Fact]
    public void Directions_of_one_onnx_lstm_must_lose_the_same_units()
    {
        // Given
        using var folder = new TempFolder();

        // When
        var run = CliRun.Of(["prune", Fixtures.Path("prune/rnn.onnx"), "--neurons", "/rnn/LSTM.forward:2,/rnn/LSTM.reverse:6", "-o",
            Path.Combine(folder.Path, "pruned.onnx")]);

        // Then
        Assert.Equal(2, run.Exit);
        Assert.Contains("share", run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    // fc1 = Gemm(x, W1 [5, 6], C1) or Add(MatMul(x, W1 [6, 5]), C1), with C1 a Constant's value_floats [5]; relu;
    // fc2 = Gemm(·, W2 [3, 5], C2 [3]).
    private static global::Onnx.ModelProto ValueFloatsBias(string op, bool sparse = false)
    {
        static global::Onnx.NodeProto Node(string op, string name, string[] inputs, string output)
        {
            var node = new global::Onnx.NodeProto { Name = name, OpType = op };
            node.Input.Add(inputs);
            node.Output.Add(output);
            if (op == "Gemm") node.Attribute.Add(new global::Onnx.AttributeProto { Name = "transB", Type = global::Onnx.AttributeProto.Types.AttributeType.Int, I = 1 });
            return node;
        }
        var constant = Node("Constant", "c1", [], "C1");
        var floats = new global::Onnx.AttributeProto { Name = "value_floats", Type = global::Onnx.AttributeProto.Types.AttributeType.Floats };
        floats.Floats.Add([0.1f, 0.2f, 0.3f, 0.4f, 0.5f]);
        constant.Attribute.Add(sparse ? SparseBias() : floats);
        global::Onnx.NodeProto[] fc1 = op == "Gemm"
            ? [Node("Gemm", "fc1", ["x", "W1", "C1"], "h")]
            : [Node("MatMul", "fc1", ["x", "W1"], "m"), Node("Add", "bias", ["m", "C1"], "h")];
        var model = OnnxModelBuilder.Model([constant, .. fc1, Node("Relu", "relu", ["h"], "r"), Node("Gemm", "fc2", ["r", "W2", "C2"], "y")],
            OnnxModelBuilder.Raw("W1", op == "Gemm" ? new long[] { 5, 6 } : new long[] { 6, 5 }), OnnxModelBuilder.Raw("W2", 3, 5), OnnxModelBuilder.Raw("C2", 3));
        model.Graph.Input.Add(Value("x", 2, 6));
        model.Graph.Output.Add(Value("y", 2, 3));
        return model;
    }

    // A sparse_value [5]: 0.2 at index 1, 0.4 at index 3.
    private static global::Onnx.AttributeProto SparseBias()
    {
        var values = new global::Onnx.TensorProto { DataType = (int)global::Onnx.TensorProto.Types.DataType.Float };
        values.Dims.Add(2);
        values.FloatData.Add([0.2f, 0.4f]);
        var indices = new global::Onnx.TensorProto { DataType = (int)global::Onnx.TensorProto.Types.DataType.Int64 };
        indices.Dims.Add(2);
        indices.Int64Data.Add([1, 3]);
        var tensor = new global::Onnx.SparseTensorProto { Values = values, Indices = indices };
        tensor.Dims.Add(5);
        return new global::Onnx.AttributeProto { Name = "sparse_value", Type = global::Onnx.AttributeProto.Types.AttributeType.SparseTensor, SparseTensor = tensor };
    }

    private static global::Onnx.ValueInfoProto Value(string name, params long[] dims)
    {
        var shape = new global::Onnx.TensorShapeProto();
        shape.Dim.Add(dims.Select(d => new global::Onnx.TensorShapeProto.Types.Dimension { DimValue = d }));
        return new global::Onnx.ValueInfoProto
        {
            Name = name,
            Type = new global::Onnx.TypeProto { TensorType = new global::Onnx.TypeProto.Types.Tensor { ElemType = (int)global::Onnx.TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static float[] Floats(JsonElement c, string key) => [.. c.GetProperty(key).EnumerateArray().Select(v => (float)v.GetDouble())];

    private static int[] Ints(JsonElement c, string key) => [.. c.GetProperty(key).EnumerateArray().Select(v => v.GetInt32())];
}
