using System.Text.Json;
using NeuronKit.Edits;
using NeuronKit.Layers;
using NeuronKit.Stats;
using NeuronKit.Tests.Cli;
using NeuronKit.Tensors;
using NeuronKit.Tests.Edits;

namespace NeuronKit.Tests.Formats.Parametrizations;

/// <summary>
/// PyTorch's reparametrized weights (torch.nn.utils.prune's NAME_orig and NAME_mask, weight norm's g and v) read as the
/// weight each module computes, against what PyTorch computed (parametrized/expected.json, make_parametrized.py); edits
/// refused, prunes of masks and of weight norm's own rows written as the pinned, torch-judged files.
/// </summary>
public class ParametrizedWeightTests
{
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("parametrized/expected.json"))).RootElement.Clone();

    public static TheoryData<string, string> Weights()
    {
        var data = new TheoryData<string, string>();
        foreach (var w in Expected.GetProperty("weights").EnumerateArray()) data.Add(w.GetProperty("file").GetString()!, w.GetProperty("tensor").GetString()!);
        return data;
    }

    private static double[] Flat(JsonElement values) => values.ValueKind == JsonValueKind.Array
        ? [.. values.EnumerateArray().SelectMany(Flat)] : [values.GetDouble()];

    [Theory]
    [MemberData(nameof(Weights))]
    public void Each_weight_reads_as_the_module_computes_it(string file, string tensor)
    {
        var expected = Expected.GetProperty("weights").EnumerateArray()
            .Single(w => w.GetProperty("file").GetString() == file && w.GetProperty("tensor").GetString() == tensor);
        using var model = Model.Open(Fixtures.Path($"parametrized/{file}"));

        var read = model.Checkpoint.Find(tensor)!;
        double[] values = read.View().ToDoubles();
        double[] want = Flat(expected.GetProperty("values"));

        Assert.Equal([.. expected.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())], read.Shape);
        Assert.Equal(DType.Float32, read.DType);
        if (read.StoredAs!.EndsWith("_mask", StringComparison.Ordinal))
            Assert.Equal(want, values);   // orig × mask: one float32 product, PyTorch's exactly (signed zeros too)
        else
            // Weight and spectral norm: PyTorch sums each norm (σ) in float32 in an order its CPU's vector width sets,
            // NeuronKit in double; the factor may round one unit apart, and the value then a unit or a few (here at most 3 of 4).
            for (int i = 0; i < want.Length; i++)
                Assert.True(Math.Abs(values[i] - want[i]) <= 4 * Math.Abs(MathF.BitIncrement((float)want[i]) - (float)want[i]),
                    $"{tensor}[{i}]: {values[i]:R}, PyTorch {want[i]:R}");
    }

    [Theory]
    [InlineData("masked.pt", "0", "Linear", 5, "float32·weight_mask")]
    [InlineData("masked_module.pt", "2", "Linear", 4, "float32·weight_mask")]
    [InlineData("masked.safetensors", "0", "Linear", 5, "float32·weight_mask")]
    [InlineData("weight_norm.pt", "0", "Conv1d", 4, "float32·weight_g/‖weight_v‖")]
    [InlineData("weight_norm.pt", "2", "Conv1d", 6, "float32·weight_g/‖weight_v‖")]
    [InlineData("weight_norm_param.pt", "0", "Linear", 3, "float32·original0/‖original1‖")]
    [InlineData("spectral_norm.pt", "3", "ConvTranspose2d", 4, "float32/σ(weight_u, weight_v)")]
    [InlineData("spectral_norm.pt", "4", "Linear", 5, "float32/σ(0._u, 0._v)")]
    public void A_reparametrized_module_is_one_layer_of_its_kind(string file, string layer, string kind, long neurons, string storedAs)
    {
        using var model = Model.Open(Fixtures.Path($"parametrized/{file}"));

        var read = model.Layer(layer);

        Assert.Equal((kind, neurons), (read.Kind, read.NeuronCount));
        Assert.Equal(storedAs, read.Tensors.Single(t => t.Role == "weight").Tensor.StoredAs);
        Assert.Equal(read.Tensors.Count, read.Tensors.Select(t => t.Tensor.Name).Distinct().Count());
    }

    [Theory]
    [InlineData("spectral_norm.pt", "0", "Conv2d", false)]
    [InlineData("spectral_norm.pt", "1", "ConvTranspose2d", false)]
    [InlineData("spectral_norm_nobias.pt", "0", "ConvTranspose2d", true)]   // its groups: no bias to tell them
    [InlineData("spectral_norm_nobias.pt", "1", "Conv2d", false)]
    public void The_dimension_of_a_spectral_norm_tells_a_ConvTranspose_from_a_Conv_of_the_same_shapes(string file, string layer, string kind, bool assumed)
    {
        // Given weights [4, 4, 3, 3] whose bias (or none) fits either kind; spectral_norm takes dim 1 for a ConvTranspose only
        using var model = Model.Open(Fixtures.Path($"parametrized/{file}"));

        // When the layer is read
        var read = model.Layer(layer);

        // Then its kind is the module's, and its neuron j the module's output channel j: weight[:, j] for a ConvTranspose
        Assert.Equal((kind, assumed), (read.Kind, read.Assumed));
        var weight = Expected.GetProperty("weights").EnumerateArray()
            .Single(w => w.GetProperty("file").GetString() == file && w.GetProperty("tensor").GetString() == $"{layer}.weight").GetProperty("values");
        double[] want = kind == "Conv2d" ? Flat(weight[2]) : [.. weight.EnumerateArray().SelectMany(row => Flat(row[2]))];
        double[] got = model.Neuron(read.Name, 2).Part(PartRole.Weight)!.ToDoubles();
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < want.Length; i++)
            Assert.True(Math.Abs(got[i] - want[i]) <= 4 * Math.Abs(MathF.BitIncrement((float)want[i]) - (float)want[i]), $"[{i}]: {got[i]:R}, PyTorch {want[i]:R}");
    }

    [Theory]
    [InlineData("masked.pt")]
    [InlineData("masked.safetensors")]
    [InlineData("masked_module.pt")]
    public void Rows_a_structured_prune_masked_whole_are_the_dead_neurons(string file)
    {
        using var model = Model.Open(Fixtures.Path($"parametrized/{file}"));

        var stats = LayerStats.Compute(model.Layer("0"));

        long[] masked = [.. Expected.GetProperty("dead").GetProperty(file).GetProperty("0").EnumerateArray().Select(j => j.GetInt64())];
        Assert.Equal(masked, stats.Neurons.Where(n => n.Dead).Select(n => n.Index));
    }

    [Theory]
    [InlineData("masked.pt", "0", "0.weight is 0.weight_orig times 0.weight_mask (torch.nn.utils.prune)", "torch.nn.utils.prune.remove(module, 'weight')")]
    [InlineData("weight_norm.pt", "2", "2.weight is weight-normed (float32·weight_g/‖weight_v‖)", "torch.nn.utils.remove_weight_norm(module)")]
    [InlineData("spectral_norm.pt", "2", "2.weight is spectral-normed (float32/σ(weight_u, weight_v))", "torch.nn.utils.remove_spectral_norm(module)")]
    public void An_edit_of_a_reparametrized_weight_is_refused_and_writes_nothing(string file, string layer, string message, string hint)
    {
        using var folder = new TempFolder();

        var run = CliRun.Of(["edit", Fixtures.Path($"parametrized/{file}"), layer, "1", "--zero", "-o", Path.Combine(folder.Path, "out.pt")]);

        Assert.Equal(2, run.Exit);
        Assert.Contains(message, run.Stderr);
        Assert.Contains(hint, run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Theory]
    [InlineData("masked_pt")]
    [InlineData("masked_safetensors")]
    [InlineData("weight_norm_head")]
    public void A_prune_cuts_the_stored_tensors_as_the_pinned_torch_judged_file(string name)
    {
        var pinned = Expected.GetProperty("prunes").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);
        using var folder = new TempFolder();

        string output = PinnedCases.Prune(pinned, folder, "out" + Path.GetExtension(pinned.GetProperty("input").GetString()));

        using var pruned = Model.Open(output);
        Assert.Equal(3, pruned.Layer("0").NeuronCount);
    }

    [Fact]
    public void A_prune_lists_the_stored_tensors_it_cuts()
    {
        using var model = Model.Open(Fixtures.Path("parametrized/masked.safetensors"));

        var prune = ModelPrune.Plan(model, [(model.Layer("0"), [0, 2])]);

        Assert.Equal(["0.bias_mask", "0.bias_orig", "0.weight_mask", "0.weight_orig", "2.weight_mask", "2.weight_orig"],
            prune.Cuts.Select(c => c.Tensor.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_spectral_norm_whose_dimension_the_file_cannot_tell_stays_as_its_three_tensors()
    {
        using var model = Model.Open(Fixtures.Path("parametrized/spectral_norm.pt"));

        // Layer 5, a Conv2d of 4 inputs and 4 outputs never trained: u is its random start, aligned with W v along neither dimension.
        Assert.Null(model.Checkpoint.Find("5.weight"));
        Assert.NotNull(model.Checkpoint.Find("5.weight_orig"));
        // Layer 1, a ConvTranspose2d of 4 and 4, trained: u says dimension 1 (its outputs), and the weight is read.
        Assert.Equal("float32/σ(weight_u, weight_v)", model.Checkpoint.Find("1.weight")!.StoredAs);
    }

    [Fact]
    public void A_prune_of_a_spectral_normed_weight_is_refused()
    {
        using var folder = new TempFolder();

        var run = CliRun.Of(["prune", Fixtures.Path("parametrized/spectral_norm.pt"), "0", "1", "-o", Path.Combine(folder.Path, "out.pt")]);

        Assert.Equal(2, run.Exit);
        Assert.Contains("0.weight is spectral-normed (float32/σ(weight_u, weight_v)): removing any of its rows or columns would change its largest singular value", run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void A_prune_that_would_change_a_weight_norm_is_refused()
    {
        using var folder = new TempFolder();

        // Conv 0's consumer, conv 2, is weight-normed over its kernel positions: its input channels are in every norm.
        var run = CliRun.Of(["prune", Fixtures.Path("parametrized/weight_norm.pt"), "0", "1", "-o", Path.Combine(folder.Path, "out.pt")]);

        Assert.Equal(2, run.Exit);
        Assert.Contains("2.weight is weight-normed (float32·weight_g/‖weight_v‖, the norm taken over every dimension but 2): " +
            "removing indices of its dimension 1 would change the norms", run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }
}
