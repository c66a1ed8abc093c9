using System.Text.Json;
using NeuronKit.Diff;
using NeuronKit.Stats;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Stats;

/// <summary>
/// A torch.save file of 1.4 KB whose tensors are views repeating one stored value billions of times
/// (diff/torch_save/gptq_repeated_words.bin, make_diff.py): statistics, a diff and a whole-layer picture leave those
/// out or refuse them, saying why, in a second instead of going through every repeat for a minute, and measure the
/// tensor that repeats a value only 2^28 times.
/// </summary>
public class RepeatedViewTests
{
    private static readonly string File = Fixtures.Path("diff/torch_save/gptq_repeated_words.bin");

    private const string QWeight = "'fc.qweight' [131072, 65536] holds 8,589,934,592 values but its storage 1 (a view that repeats them: " +
        "stride 0, as expand() makes), and measuring every repeat would take minutes";

    [Fact]
    public void Whole_model_stats_skip_the_layers_that_repeat_a_value_billions_of_times_and_say_why()
    {
        // When the file's statistics are asked for
        var run = CliRun.Of("stats", File, "--json", "--top", "1");

        // Then qweight (2^33 values) and scales (2^31) are skipped with the reason, and qzeros (2^28) is measured
        Assert.True(run.Exit == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var skipped = json.RootElement.GetProperty("skipped").EnumerateArray().ToList();
        Assert.Equal(["fc.qweight", "fc.scales"], skipped.Select(s => s.GetProperty("name").GetString()));
        Assert.Equal(QWeight, skipped[0].GetProperty("reason").GetString());
        Assert.Equal(["fc.qzeros"], json.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("name").GetString()));
    }

    [Fact]
    public void Asking_for_such_a_layer_is_exit_2_and_show_still_reads_its_rows()
    {
        // When the statistics of the repeating layer, and its diff with itself, are asked for
        var stats = CliRun.Of("stats", File, "fc.qweight");
        var diff = CliRun.Of("diff", File, File, "fc.qweight");
        var show = CliRun.Of("show", File, "fc.qweight", "7", "--json");

        // Then both say why not, pointing to show, which reads a row (65,536 repeats of the stored 1)
        Assert.Equal(2, stats.Exit);
        Assert.Equal($"error: neuron stats cannot measure layer 'fc.qweight': {QWeight}\nhint: 'neuron show' reads its neurons' values\n", stats.Stderr);
        Assert.Equal(2, diff.Exit);
        Assert.Contains(QWeight, diff.Stderr);
        Assert.True(show.Exit == 0, show.Stderr);
        using var json = JsonDocument.Parse(show.Stdout);
        var values = json.RootElement.GetProperty("parts")[0].GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToList();
        Assert.Equal(65536, values.Count);
        Assert.All(values, v => Assert.Equal(1, v));
    }

    [Fact]
    public void A_whole_model_diff_leaves_such_layers_out()
    {
        using var model = Model.Open(File);
        using var same = Model.Open(File);

        var diff = ModelDiff.Compute(model, same);

        Assert.Equal(["fc.qzeros"], diff.Layers.Select(l => l.A.Name));
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
        Assert.Equal(QWeight, LayerStats.WhyNotMeasurable(model.Layer("fc.qweight")));
    }

    [Fact]
    public void A_whole_layer_picture_of_such_a_layer_is_refused_and_one_neurons_is_drawn()
    {
        using var folder = new NeuronKit.Tests.Edits.TempFolder();
        string layer = Path.Combine(folder.Path, "layer.png"), neuron = Path.Combine(folder.Path, "neuron.png");

        var whole = CliRun.Of("render", File, "fc.qweight", "-o", layer);
        var one = CliRun.Of("render", File, "fc.qweight", "3", "-o", neuron);

        Assert.Equal(2, whole.Exit);
        Assert.Equal($"error: layer 'fc.qweight' cannot be drawn whole: {QWeight.Replace("measuring", "drawing")}\n" +
            "hint: give an INDEX to draw one neuron\n", whole.Stderr);
        Assert.False(System.IO.File.Exists(layer));
        Assert.True(one.Exit == 0, one.Stderr);
        Assert.True(new FileInfo(neuron).Length > 0);
    }
}
