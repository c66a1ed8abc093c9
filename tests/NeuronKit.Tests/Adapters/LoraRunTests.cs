using System.Text.Json;
using NeuronKit.Adapters;
using NeuronKit.Diff;
using NeuronKit.Stats;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Track;
using NeuronKit.Tests.Web;
using NeuronKit.Track;

namespace NeuronKit.Tests.Adapters;

/// <summary>
/// A LoRA run read as the model it trains (tests/fixtures/track/lora_run, make_track.py's lora_run: factors trained by
/// PyTorch SGD over a frozen base, saved as PEFT's checkpoint-N/ folders): <c>--base</c> merges each adapter into the base,
/// and every answer must be the answer for numpy's merged model (merged/step_N.safetensors).
/// </summary>
public class LoraRunTests
{
    private static readonly string Run = Fixtures.Path("track/lora_run");
    private static readonly string Base = Path.Combine(Run, "base.safetensors");

    private static string Checkpoint(int step) => Path.Combine(Run, $"checkpoint-{step}");

    private static string Merged(int step) => Path.Combine(Run, "merged", $"step_{step}.safetensors");

    [Fact]
    public void Track_with_a_base_measures_each_adapter_merged_into_it_at_the_step_its_folder_says()
    {
        // Given the run's adapters and their base, and numpy's merged model of each step
        using var @base = Model.Open(Base);
        var run = TrackRun.Plan(RunInputs.Expand([Run + "/checkpoint-*"]), RunShard.All, loraBase: @base);
        var oracle = TrackRun.Plan(RunInputs.Expand([Run + "/merged/step_*.safetensors"]), RunShard.All);

        // When both runs are measured
        var got = run.Compute().ToList();
        var want = oracle.Compute().ToList();

        // Then the steps come from the folders, and every neuron's statistics are the merged model's
        Assert.Equal([10L, 20L, 30L], got.Select(c => c.Checkpoint.Step!.Value));
        Assert.Equal(want.Select(c => c.Checkpoint.Step), got.Select(c => c.Checkpoint.Step));
        Assert.Equal((0, 3), (run.UnmergedAdapters, run.MergedAdapters));
        Assert.EndsWith("base.safetensors", run.LoraBase);
        foreach (var (g, w) in got.Zip(want))
        {
            Assert.Equal(w.Stats.Layers.Select(l => l.Layer.Name), g.Stats.Layers.Select(l => l.Layer.Name));
            foreach (var (gl, wl) in g.Stats.Layers.Zip(w.Stats.Layers))
                foreach (var (gn, wn) in gl.Neurons.Zip(wl.Neurons))
                {
                    Close(wn.L1, gn.L1);
                    Close(wn.L2, gn.L2);
                    Close(wn.Mean, gn.Mean);
                    Close(wn.Std, gn.Std);
                    Close(wn.Min, gn.Min);
                    Close(wn.Max, gn.Max);
                    Close(wn.Bias!.Value, gn.Bias!.Value);
                    Assert.Equal((wn.Dead, wn.DuplicateOf, wn.Outlier), (gn.Dead, gn.DuplicateOf, gn.Outlier));
                }
        }
        // The factors moved from PEFT's zero B: no step's model is the base
        using var first = LoraAdapter.Open(Checkpoint(10), Base);
        Assert.NotEqual(@base.Checkpoint.Find("fc1.weight")!.View().ToDoubles(), first.Checkpoint.Find("fc1.weight")!.View().ToDoubles());
    }

    [Fact]
    public void The_base_listed_with_its_adapters_is_the_run_s_step_0_as_it_is()
    {
        using var @base = Model.Open(Base);
        var run = TrackRun.Plan(RunInputs.Expand([Base, Run + "/checkpoint-*"]), RunShard.All, loraBase: @base);

        var rows = run.Compute().ToList();

        Assert.Equal([0L, 10L, 20L, 30L], rows.Select(c => c.Checkpoint.Step!.Value));
        Assert.Equal(Base, rows[0].Checkpoint.Path);
        var plain = ModelStats.Compute(@base);
        Assert.Equal(plain.Layers.SelectMany(l => l.Neurons.Select(n => n.L2)), rows[0].Stats.Layers.SelectMany(l => l.Neurons.Select(n => n.L2)));
    }

    [Fact]
    public void Track_without_a_base_measures_the_factors_and_says_how_to_merge()
    {
        var plain = CliRun.Of("track", Run + "/checkpoint-*", "--csv", "-");
        var merged = CliRun.Of("track", Run + "/checkpoint-*", "--base", Base, "--csv", "-");

        Assert.Equal(0, plain.Exit);
        Assert.Contains("note: 3 checkpoints are LoRA adapters, measured as their factors (lora_A, lora_B); --base BASE", plain.Stderr);
        Assert.Contains(",base_model.model.fc1.lora_A,", plain.Stdout);
        Assert.Equal(0, merged.Exit);
        Assert.Equal("", merged.Stderr);
        // fc1's 8 and fc2's 3 neurons at each of the 3 steps, under the base's layer names
        string[] lines = merged.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1 + 3 * 11, lines.Length);
        Assert.Equal(["fc1", "fc2"], lines.Skip(1).Select(l => l.Split(',')[2]).Distinct());
    }

    [Fact]
    public void Track_s_parquet_names_the_base_its_adapters_were_merged_into()
    {
        using var output = new TempFile("lora.parquet", []);

        var run = CliRun.Of("track", Base, Run + "/checkpoint-*", "--base", Base, "--parquet", output.Path);

        Assert.Equal(0, run.Exit);
        Assert.Contains("44 rows from 4 checkpoints (steps 0 to 30; 3 LoRA adapters merged into base.safetensors)", run.Stdout);
        var metadata = DuckDb.Rows($"SELECT decode(key), decode(value) FROM parquet_kv_metadata({DuckDb.Literal(output.Path)})")
            .ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal(Base, metadata["neuronkit.lora_base"]);
        var steps = DuckDb.Rows($"SELECT DISTINCT step FROM read_parquet({DuckDb.Literal(output.Path)}) ORDER BY step").Select(r => (long)r[0]!);
        Assert.Equal([0L, 10L, 20L, 30L], steps);
    }

    [Fact]
    public void Diff_with_a_base_compares_two_steps_merged_as_numpy_s_merged_models_compare()
    {
        // Given two steps of the run, merged by NeuronKit and by numpy
        using var a = LoraAdapter.Open(Checkpoint(10), Base);
        using var b = LoraAdapter.Open(Checkpoint(30), Base);
        using var wantA = Model.Open(Merged(10));
        using var wantB = Model.Open(Merged(30));

        var got = ModelDiff.Compute(a, b);
        var want = ModelDiff.Compute(wantA, wantB);

        foreach (var (gl, wl) in got.Layers.Zip(want.Layers, (g, w) => (g, w)))
            foreach (var (gn, wn) in gl.Neurons.Zip(wl.Neurons))
            {
                Close(wn.L2Delta, gn.L2Delta);
                Close(wn.Relative, gn.Relative);
                Close(wn.Cosine, gn.Cosine);
                Close(wn.MaxAbs, gn.MaxAbs);
            }
        Assert.Equal(["fc1", "fc2"], got.Layers.Select(l => l.A.Name));

        // And the CLI says so: both sides merged into the one base, not their factors compared
        var cli = CliRun.Of("diff", Checkpoint(10), Checkpoint(30), "--base", Base, "--json");
        Assert.Equal(0, cli.Exit);
        using var json = JsonDocument.Parse(cli.Stdout);
        var layers = json.RootElement.GetProperty("layers");
        Assert.Equal(["fc1", "fc2"], layers.EnumerateArray().Select(l => l.GetProperty("name").GetString()));
        Close(want.Layers[0].Neurons[2].L2Delta, layers[0].GetProperty("stats")[2].GetProperty("l2_delta").GetDouble());
        var text = CliRun.Of("diff", Checkpoint(10), Checkpoint(30), "--base", Base, "--top", "0");
        Assert.StartsWith("base.safetensors + checkpoint-10/adapter_model.safetensors (LoRA r 2, alpha 4, merged) → " +
            "base.safetensors + checkpoint-30/adapter_model.safetensors (LoRA r 2, alpha 4, merged): 2 layers compared, 11 neurons", text.Stdout);
    }

    [Fact]
    public void Diff_with_a_base_and_no_adapter_is_a_request_error()
    {
        var run = CliRun.Of("diff", Merged(10), Merged(30), "--base", Base);

        Assert.Equal(2, run.Exit);
        Assert.Contains("--base merges LoRA adapters into their base, and neither step_10.safetensors nor step_30.safetensors is one", run.Stderr);
    }

    [Fact]
    public void Show_with_a_base_gives_the_merged_neuron()
    {
        using var expected = Model.Open(Merged(30));
        double[] want = expected.Layer("fc1").Neuron(5).Parts[0].ToDoubles();

        var run = CliRun.Of("show", Checkpoint(30), "fc1", "5", "--base", Base, "--json");
        var text = CliRun.Of("show", Checkpoint(30), "fc1", "5", "--base", Base);

        Assert.Equal(0, run.Exit);
        using var json = JsonDocument.Parse(run.Stdout);
        var part = json.RootElement.GetProperty("parts")[0];
        Assert.Equal("weight", part.GetProperty("role").GetString());
        double[] got = [.. part.GetProperty("values").EnumerateArray().Select(v => v.GetDouble())];
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < want.Length; i++) Close(want[i], got[i]);
        Assert.StartsWith("base.safetensors + checkpoint-30/adapter_model.safetensors (safetensors; LoRA r 2, alpha 4, merged) · layer fc1 (Linear) · neuron 5 of 8",
            text.Stdout);
        Assert.Contains("float32 + LoRA r2", text.Stdout);
    }

    [Fact]
    public void Stats_and_layers_with_a_base_read_the_merged_model()
    {
        using var expected = Model.Open(Merged(20));
        var want = ModelStats.Compute(expected);

        var stats = CliRun.Of("stats", Checkpoint(20), "--base", Base, "--json");
        var layers = CliRun.Of("layers", Checkpoint(20), "--base", Base, "--json");

        Assert.Equal(0, stats.Exit);
        using var json = JsonDocument.Parse(stats.Stdout);
        var fc2 = json.RootElement.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("name").GetString() == "fc2");
        var rows = fc2.GetProperty("stats").EnumerateArray().ToList();
        Assert.Equal(3, rows.Count);
        for (int j = 0; j < 3; j++) Close(want.Layers[1].Neurons[j].L2, rows[j].GetProperty("l2").GetDouble());
        Assert.Equal(0, layers.Exit);
        Assert.Contains("\"fc1\"", layers.Stdout);
        Assert.DoesNotContain("lora_A", layers.Stdout);
    }

    [Fact]
    public void A_file_that_is_no_adapter_or_a_base_that_is_one_is_refused_by_name()
    {
        var notAdapter = CliRun.Of("show", Merged(10), "fc1", "0", "--base", Base);
        var adapterBase = CliRun.Of("show", Checkpoint(10), "fc1", "0", "--base", Checkpoint(20));
        var missingBase = CliRun.Of("stats", Checkpoint(10), "--base", Path.Combine(Run, "no-such-base.safetensors"));

        Assert.Equal(3, notAdapter.Exit);
        Assert.Contains("step_10.safetensors is not a LoRA adapter: it holds no PEFT factors", notAdapter.Stderr);
        Assert.Equal(3, adapterBase.Exit);
        Assert.Contains("the base adapter_model.safetensors is itself a LoRA adapter", adapterBase.Stderr);
        Assert.NotEqual(0, missingBase.Exit);
        Assert.Contains("no-such-base.safetensors", missingBase.Stderr);
        Assert.DoesNotContain("   at ", notAdapter.Stderr + adapterBase.Stderr + missingBase.Stderr);
    }

    [Fact]
    public async Task Serve_with_a_base_answers_for_each_adapter_merged_as_the_CLI_does()
    {
        // Given the run's steps served with their base, and the base itself among them
        await using var served = await ServedFolder.Start([Checkpoint(10), Checkpoint(30), Base], loraBase: Base);

        // Then each adapter's /api/show is the CLI's show --base, byte for byte; the base is served as it is
        Assert.Equal(CliRun.Of("show", Checkpoint(30), "fc1", "5", "--base", Base, "--json").Stdout,
            await served.Client.GetStringAsync("/api/show?file=1&layer=fc1&neuron=5"));
        Assert.Equal(CliRun.Of("stats", Checkpoint(10), "--base", Base, "--json").Stdout, await served.Client.GetStringAsync("/api/stats?file=0"));
        Assert.Equal(CliRun.Of("layers", Base, "--json").Stdout, await served.Client.GetStringAsync("/api/layers?file=base.safetensors"));
        Assert.NotEqual(await served.Client.GetStringAsync("/api/show?file=1&layer=fc1&neuron=5"),
            await served.Client.GetStringAsync("/api/show?file=2&layer=fc1&neuron=5"));
        // Two adapter_model.safetensors are told apart by their folders, by which they can be asked for too
        Assert.Equal("""[{"index":0,"name":"checkpoint-10/adapter_model.safetensors"},{"index":1,"name":"checkpoint-30/adapter_model.safetensors"},{"index":2,"name":"base.safetensors"}]""",
            (await served.Client.GetStringAsync("/api/files")).TrimEnd('\n'));
        Assert.Equal(await served.Client.GetStringAsync("/api/stats?file=1"),
            await served.Client.GetStringAsync("/api/stats?file=" + Uri.EscapeDataString("checkpoint-30/adapter_model.safetensors")));
    }

    [Fact]
    public void Asking_an_adapter_for_a_base_layer_without_a_base_says_how_to_merge()
    {
        var run = CliRun.Of("show", Checkpoint(30), "fc1", "5");
        var plain = CliRun.Of("show", Merged(30), "fc9", "5");

        Assert.Equal(2, run.Exit);
        Assert.Contains("error: no layer 'fc1'", run.Stderr);
        Assert.Contains("hint: this file is a LoRA adapter, whose layers are its factors (lora_A, lora_B): --base BASE reads it merged", run.Stderr);
        Assert.DoesNotContain("LoRA", plain.Stderr);
    }

    [Fact]
    public void Render_with_a_base_draws_the_merged_layer()
    {
        using var merged = new TempFile("merged.png", []);
        using var adapter = new TempFile("adapter.png", []);

        var want = CliRun.Of("render", Merged(30), "fc1", "-o", merged.Path);
        var got = CliRun.Of("render", Checkpoint(30), "fc1", "--base", Base, "-o", adapter.Path);

        Assert.Equal(0, want.Exit);
        Assert.Equal(0, got.Exit);
        // The same picture of the same values under the title, which names the files (and widens the picture to fit)
        using var a = SkiaSharp.SKBitmap.Decode(merged.Path);
        using var b = SkiaSharp.SKBitmap.Decode(adapter.Path);
        Assert.Equal(a.Height, b.Height);
        const int belowTitle = 36; // the title's descenders end above it
        int differing = 0;
        for (int y = belowTitle; y < a.Height; y++)
            for (int x = 0; x < a.Width; x++)
                if (a.GetPixel(x, y) != b.GetPixel(x, y)) differing++;
        Assert.Equal(0, differing);
        Assert.NotEqual(a.GetPixel(20, 90), b.GetPixel(0, 0)); // a heat map cell, not the background, was compared
    }

    private static void Close(double want, double got) =>
        Assert.True(Math.Abs(want - got) <= 1e-12 * Math.Max(1, Math.Abs(want)), $"{got} against numpy's merged model's {want}");
}
