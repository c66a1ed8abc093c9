using System.Text.Json;
using NeuronKit.Stats;
using NeuronKit.Tensors;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;
using NeuronKit.Tests.Layers;

namespace NeuronKit.Tests.Stats;

/// <summary>
/// <c>neuron stats --similar COSINE</c>: each neuron's nearest other neuron by the cosine of their incoming weights, held
/// to PyTorch's float64 cosines of every pair (tests/fixtures/make_stats.py, stats/expected_similar.json), and the
/// near-duplicates flagged.
/// </summary>
public class NearestNeuronsTests
{
    private const double Threshold = 0.99;

    private static readonly Lazy<JsonDocument> Expected =
        new(() => JsonDocument.Parse(File.ReadAllText(Fixtures.Path("stats/expected_similar.json"))));

    private static string Checkpoint => Fixtures.Path("stats/similar.pt");

    private static JsonElement ExpectedLayer(string name) =>
        Expected.Value.RootElement.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("name").GetString() == name);

    public static TheoryData<string, int> Layers() => new()
    {
        { "fc", 0 },     // near-duplicates, an opposite (cosine −1), an exact duplicate, a dead neuron
        { "half", 0 },   // float16 weights
        { "conv", 0 },   // filters
        { "rnn.l0", 0 }, // an LSTM unit's four gates' rows
        { "bn", 0 },     // one weight a neuron: no direction, no nearest
        { "many", 0 },   // 150 neurons: pairs within a 64-row tile, across tiles and in the last one
        { "many", 1 },   // the same on one core: the workers' bests merge to the same answer
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void Each_neuron_s_nearest_and_cosine_are_PyTorch_s(string name, int parallelism)
    {
        // Given a layer and PyTorch's cosine of every pair of its neurons' incoming weights, in float64
        using var model = Model.Open(Checkpoint);
        var expected = ExpectedLayer(name).GetProperty("neurons").EnumerateArray().ToList();

        // When its statistics are computed with nearest neighbours
        var stats = LayerStats.Compute(model.Layer(name), new StatsOptions { Similar = Threshold, Parallelism = parallelism });

        // Then each neuron's nearest is PyTorch's largest cosine (none without a direction), the cosine equal to
        // rounding, and it is similar exactly when that cosine reaches the threshold
        Assert.Equal(Threshold, stats.SimilarCosine);
        Assert.Equal(expected.Count, stats.Neurons.Count);
        foreach (var (n, e) in stats.Neurons.Zip(expected))
        {
            var nearest = e.GetProperty("nearest");
            Assert.Equal(nearest.ValueKind == JsonValueKind.Null ? null : nearest.GetInt64(), n.Nearest);
            if (n.NearestCosine is { } cosine) Assert.Equal(e.GetProperty("cosine").GetDouble(), cosine, 1e-12);
            else Assert.Equal(JsonValueKind.Null, e.GetProperty("cosine").ValueKind);
            Assert.Equal(n.NearestCosine >= Threshold, n.Similar);
        }
        Assert.Equal(stats.Neurons.Count(n => n.Similar), stats.SimilarCount);
    }

    [Fact]
    public void Near_duplicates_opposites_and_exact_duplicates_are_told_apart()
    {
        using var model = Model.Open(Checkpoint);

        var fc = LayerStats.Compute(model.Layer("fc"), new StatsOptions { Similar = Threshold }).Neurons;

        // 3 is 2·w8 plus noise: similar both ways; 6 is −w1, the farthest from 1, so neither is the other's nearest;
        // 9 equals 2 (cosine 1: a duplicate and similar); 0 is dead and no one's nearest; 7 (w5 plus more noise) is not
        // similar; 4 (1.3·w2 plus noise) is exactly as near 2 as 9, and the tie goes to 2
        Assert.True(fc[3].Similar && fc[3].Nearest == 8 && fc[8].Nearest == 3);
        Assert.True(fc[4].Similar && fc[4].Nearest == 2);
        Assert.True(fc[1].Nearest != 6 && fc[6].Nearest != 1);
        Assert.True(fc[9].Duplicate && fc[9].Similar && fc[9].Nearest == 2);
        Assert.Null(fc[0].Nearest);
        Assert.DoesNotContain(fc, n => n.Nearest == 0);
        Assert.True(fc[7].Nearest == 5 && !fc[7].Similar);
    }

    [Fact]
    public void An_exact_duplicate_has_cosine_1_and_is_similar_at_a_threshold_of_1()
    {
        // Given neurons 0 and 1 both [1, 2, 0], whose cosine in double rounds to 0.9999999999999998, and a third apart
        using var model = new CheckpointBuilder().Values("fc.weight", DType.Float32, [3, 3], [1, 2, 0, 1, 2, 0, 1, 1, 1]).Model();

        // When each neuron's nearest is looked for, similar only at cosine 1
        var fc = LayerStats.Compute(model.Layer("fc"), new StatsOptions { Similar = 1 }).Neurons;

        // Then the duplicates are each other's nearest at cosine exactly 1, similar as the README says; the third is not
        Assert.Equal((1L, 1.0, true), (fc[0].Nearest!.Value, fc[0].NearestCosine!.Value, fc[0].Similar));
        Assert.Equal((0L, 1.0, true), (fc[1].Nearest!.Value, fc[1].NearestCosine!.Value, fc[1].Similar));
        Assert.False(fc[2].Similar);
    }

    [Theory]
    [InlineData(2.0, 1.0)]   // [1, 1, 1] against [2, 2, 2]: 1.0000000000000002 in double
    [InlineData(-1.0, -1.0)] // [1, 1, 1] against its opposite: −1.0000000000000002
    public void A_cosine_is_never_past_1_or_minus_1(double factor, double expected)
    {
        // Given two neurons, one the other times factor, whose cosine in double rounds past ±1
        double[] row = [1, 1, 1];
        using var model = new CheckpointBuilder().Values("fc.weight", DType.Float32, [2, 3], [.. row, .. row.Select(v => v * factor)]).Model();

        var fc = LayerStats.Compute(model.Layer("fc"), new StatsOptions { Similar = 1 }).Neurons;

        // Then it is ±1, as a cosine is
        Assert.Equal(expected, fc[0].NearestCosine);
        Assert.Equal(expected, fc[1].NearestCosine);
    }

    [Theory]
    [InlineData(DType.Float32, 1e-23)]  // float32 products of these underflow
    [InlineData(DType.Float32, 1e20)]   // and of these overflow
    [InlineData(DType.Float64, 1e300)]  // no float32 at all, and their squares overflow a double
    [InlineData(DType.Float64, 1e-200)] // their squares underflow a double (the neurons' L2 norms read 0)
    [InlineData(DType.Float64, 1e-310)] // subnormal doubles
    public void The_nearest_neuron_does_not_depend_on_the_weights_scale_and_is_never_the_neuron_itself(DType dtype, double scale)
    {
        // Given five neurons of six weights, neuron 3 a copy of neuron 1 nudged by noise, as they are and times scale
        var random = new Random(7);
        double[] weights = [.. Enumerable.Range(0, 30).Select(_ => random.NextDouble() * 2 - 1)];
        for (int k = 0; k < 6; k++) weights[18 + k] = weights[6 + k] + 0.001 * (random.NextDouble() - 0.5);
        using var plain = new CheckpointBuilder().Values("fc.weight", DType.Float32, [5, 6], weights).Model();
        using var scaled = new CheckpointBuilder().Values("fc.weight", dtype, [5, 6], [.. weights.Select(w => w * scale)]).Model();

        // When each neuron's nearest is looked for in both
        var options = new StatsOptions { Similar = Threshold };
        var expected = LayerStats.Compute(plain.Layer("fc"), options).Neurons;
        var actual = LayerStats.Compute(scaled.Layer("fc"), options).Neurons;

        // Then the plain layer's nearest are those of every pair's cosine in double, and the scaled layer's nearest
        // neurons, cosines (to float32's rounding of the scaled weights) and flags are the plain one's: 1 and 3
        // similar, and no neuron its own nearest
        float[] rounded = [.. weights.Select(w => (float)w)];
        double Cosine(int a, int b)
        {
            double dot = 0, xx = 0, yy = 0;
            for (int k = 0; k < 6; k++)
            {
                double x = rounded[a * 6 + k], y = rounded[b * 6 + k];
                (dot, xx, yy) = (dot + x * y, xx + x * x, yy + y * y);
            }
            return dot / Math.Sqrt(xx * yy);
        }
        Assert.Equal(Enumerable.Range(0, 5).Select(j => (long?)Enumerable.Range(0, 5).Where(k => k != j).MaxBy(k => Cosine(j, k))),
            expected.Select(n => n.Nearest));
        Assert.Equal(expected.Select(n => n.Nearest), actual.Select(n => n.Nearest));
        Assert.DoesNotContain(actual, n => n.Nearest == n.Index);
        Assert.Equal(expected.Select(n => n.Similar), actual.Select(n => n.Similar));
        Assert.Equal([false, true, false, true, false], actual.Select(n => n.Similar));
        foreach (var (e, a) in expected.Zip(actual)) Assert.Equal(e.NearestCosine!.Value, a.NearestCosine!.Value, 1e-6);
    }

    [Fact]
    public void Without_similar_no_neighbour_is_looked_for()
    {
        using var model = Model.Open(Checkpoint);

        var stats = LayerStats.Compute(model.Layer("fc"));

        Assert.Null(stats.SimilarCosine);
        Assert.All(stats.Neurons, n => Assert.True(n.Nearest is null && n.NearestCosine is null && !n.Similar));
    }

    [Fact]
    public void Stats_json_gives_each_row_its_nearest_and_each_summary_its_similar_count()
    {
        var run = CliRun.Of("stats", Checkpoint, "--similar", "0.99", "--json");

        Assert.True(run.Exit == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        int total = 0;
        foreach (var layer in json.RootElement.GetProperty("layers").EnumerateArray())
        {
            var expected = ExpectedLayer(layer.GetProperty("name").GetString()!).GetProperty("neurons").EnumerateArray().ToList();
            var rows = layer.GetProperty("stats").EnumerateArray().ToList();
            foreach (var (row, e) in rows.Zip(expected))
            {
                var nearest = row.GetProperty("nearest");
                Assert.Equal(e.GetProperty("nearest").GetRawText(), nearest.GetProperty("neuron").GetRawText());
                if (nearest.GetProperty("cosine").ValueKind == JsonValueKind.Number)
                    Assert.Equal(e.GetProperty("cosine").GetDouble(), nearest.GetProperty("cosine").GetDouble(), 1e-12);
                Assert.Equal(nearest.GetProperty("cosine").ValueKind == JsonValueKind.Number && nearest.GetProperty("cosine").GetDouble() >= 0.99,
                    nearest.GetProperty("similar").GetBoolean());
            }
            var summary = layer.GetProperty("summary");
            Assert.Equal(0.99, summary.GetProperty("similar_cosine").GetDouble());
            Assert.Equal(rows.Count(r => r.GetProperty("nearest").GetProperty("similar").GetBoolean()), summary.GetProperty("similar").GetInt32());
            total += summary.GetProperty("similar").GetInt32();
        }
        Assert.Equal(total, json.RootElement.GetProperty("summary").GetProperty("similar").GetInt32());
        Assert.Equal(17, total);
    }

    [Fact]
    public void Without_similar_the_json_and_csv_keep_their_keys_and_columns()
    {
        var json = CliRun.Of("stats", Checkpoint, "fc", "--json");
        var csv = CliRun.Of("stats", Checkpoint, "fc", "--csv");

        using var doc = JsonDocument.Parse(json.Stdout);
        var layer = doc.RootElement.GetProperty("layers")[0];
        Assert.False(layer.GetProperty("stats")[0].TryGetProperty("nearest", out _));
        Assert.False(layer.GetProperty("summary").TryGetProperty("similar", out _));
        Assert.False(doc.RootElement.GetProperty("summary").TryGetProperty("similar", out _));
        Assert.Equal("layer,kind,neuron,weights,l1,l2,mean,std,min,max,zero_fraction,bias,gate_biases,dead,duplicate_of,outlier,outgoing_l2,unused",
            csv.Stdout.Split('\n')[0]);
    }

    [Fact]
    public void Stats_csv_adds_the_nearest_its_cosine_and_the_flag()
    {
        var run = CliRun.Of("stats", Checkpoint, "fc", "--similar", "0.99", "--csv");

        Assert.True(run.Exit == 0, run.Stderr);
        var lines = run.Stdout.TrimEnd('\n').Split('\n');
        Assert.EndsWith(",outgoing_l2,unused,nearest,nearest_cosine,similar", lines[0]);
        var expected = ExpectedLayer("fc").GetProperty("neurons").EnumerateArray().ToList();
        foreach (var (line, e) in lines.Skip(1).Zip(expected))
        {
            var cells = line.Split(',');
            Assert.Equal(e.GetProperty("nearest").ValueKind == JsonValueKind.Null ? "" : e.GetProperty("nearest").GetInt64().ToString(), cells[^3]);
            if (cells[^2] != "") Assert.Equal(e.GetProperty("cosine").GetDouble(), double.Parse(cells[^2], System.Globalization.CultureInfo.InvariantCulture), 1e-12);
            else Assert.Equal(JsonValueKind.Null, e.GetProperty("cosine").ValueKind);
        }
        Assert.Equal(5, lines.Skip(1).Count(l => l.Split(',')[^1] == "true"));
    }

    [Fact]
    public void Stats_text_flags_a_near_duplicate_with_its_neighbour_and_cosine()
    {
        var run = CliRun.Of("stats", Checkpoint, "fc", "--similar", "0.99");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("similar to 8 (0.998539), outlier", run.Stdout);
        Assert.Contains("duplicate of 2", run.Stdout);
        Assert.Contains("5 similar neurons (nearest cosine ≥ 0.99)", run.Stdout);
        Assert.Contains("model: 1 dead neuron, 2 duplicates, 5 similar neurons, 2 outliers", run.Stdout);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1.5")]
    [InlineData("NaN")]
    public void A_threshold_that_is_no_cosine_is_exit_2(string cosine)
    {
        var run = CliRun.Of("stats", Checkpoint, "--similar", cosine);

        Assert.Equal(2, run.Exit);
        Assert.Contains("must be a cosine above 0 and at most 1", run.Stderr);
    }

    [Fact]
    public void A_whole_model_whose_pairs_are_too_many_is_refused_naming_its_largest_layer()
    {
        // Given a safetensors file with a layer of 40,000 neurons of 100 weights (8·10^10 multiply-adds to compare them all)
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "wide.safetensors");
        WriteZeroSafetensors(path, "fc.weight", 40_000, 100);

        // When a whole-model comparison is asked for
        var run = CliRun.Of("stats", path, "--similar", "0.99");

        // Then it is refused before any reading, saying why, naming the layer and how to ask for it anyway
        Assert.Equal(2, run.Exit);
        Assert.Contains("--similar compares every pair of a layer's neurons: 8e10 multiply-adds in all, 8e10 of them in 'fc' (40,000 neurons), " +
            "past the 6.9e10 a whole model may take", run.Stderr);
        Assert.Contains("name one layer (neuron stats FILE LAYER --similar COSINE)", run.Stderr);
    }

    // A safetensors file of one float16 tensor of zeros (its data a hole in the file, written in a blink).
    private static void WriteZeroSafetensors(string path, string name, long rows, long columns)
    {
        string header = $"{{\"{name}\":{{\"dtype\":\"F16\",\"shape\":[{rows},{columns}],\"data_offsets\":[0,{rows * columns * 2}]}}}}";
        header += new string(' ', (8 - header.Length % 8) % 8);
        using var file = File.Create(path);
        file.Write(BitConverter.GetBytes((long)header.Length));
        file.Write(System.Text.Encoding.ASCII.GetBytes(header));
        file.SetLength(8 + header.Length + rows * columns * 2);
    }
}
