using NeuronKit.Tests.Cli;
using static NeuronKit.Tests.Activations.ActivationFixtures;

namespace NeuronKit.Tests.Activations;

/// <summary><c>neuron act --inputs DIR</c>: the top inputs of a neuron, and a layer's whole table, against PyTorch.</summary>
public sealed class ActFolderTests
{
    private const double Tolerance = 1e-5;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Top_lists_the_inputs_pytorch_ranks_highest_with_their_values(int index)
    {
        // Given
        var top = Section("top")[index];

        // When
        var run = CliRun.Of("act", Path(top.GetProperty("model").GetString()!), top.GetProperty("layer").GetString()!,
            top.GetProperty("index").GetInt64().ToString(), "--inputs", Path(top.GetProperty("folder").GetString()!), "--post",
            "--top", top.GetProperty("k").GetInt32().ToString(), "--by", top.GetProperty("by").GetString()!, "--json");

        // Then
        Assert.True(run.Exit == 0, run.Stderr);
        var report = Json(run.Stdout);
        Assert.Equal(5, report.GetProperty("inputs").GetInt64());
        var expected = top.GetProperty("expect");
        var got = report.GetProperty("top");
        Assert.Equal(expected.EnumerateArray().Select(e => e.GetProperty("input").GetString()), got.EnumerateArray().Select(e => e.GetProperty("input").GetString()));
        for (int i = 0; i < expected.GetArrayLength(); i++)
            AssertClose(expected[i].GetProperty("value"), got[i].GetProperty("value"), Tolerance, $"top[{i}]");
    }

    [Fact]
    public void All_gives_every_neuron_on_every_input_as_pytorch_computed()
    {
        // Given
        var all = Section("all")[0];

        // When
        var run = CliRun.Of("act", Path(all.GetProperty("model").GetString()!), all.GetProperty("layer").GetString()!,
            "--inputs", Path(all.GetProperty("folder").GetString()!), "--post", "--all", "--json");

        // Then
        Assert.True(run.Exit == 0, run.Stderr);
        var report = Json(run.Stdout);
        Assert.Equal(5, report.GetProperty("neurons").GetInt64());
        var rows = report.GetProperty("rows");
        Assert.Equal(all.GetProperty("inputs").EnumerateArray().Select(i => i.GetString()), rows.EnumerateArray().Select(r => r.GetProperty("input").GetString()));
        for (int i = 0; i < rows.GetArrayLength(); i++)
            AssertClose(all.GetProperty("max")[i], rows[i].GetProperty("values"), Tolerance, $"rows[{i}]");
        // Channel 1's bias is -20: after its ReLU it never fires on these inputs, as PyTorch says too.
        Assert.Equal(all.GetProperty("dead").EnumerateArray().Select(d => d.GetInt64()), report.GetProperty("dead").EnumerateArray().Select(d => d.GetInt64()));
        Assert.NotEqual(0, report.GetProperty("dead").GetArrayLength());
    }

    [Fact]
    public void All_as_csv_is_one_row_per_input_and_one_column_per_neuron()
    {
        var run = CliRun.Of("act", Path("cnn.onnx"), "/conv1/Conv", "--inputs", Path("cnn_folder"), "--all", "--by", "mean", "--csv");

        Assert.True(run.Exit == 0, run.Stderr);
        string[] lines = run.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal("input,0,1,2,3,4", lines[0]);
        Assert.Equal(6, lines.Length);
        Assert.All(lines.Skip(1), line => Assert.Equal(6, line.Split(',').Length));
        Assert.StartsWith("in0.npy,", lines[1]);
    }

    [Fact]
    public void Top_and_all_need_a_folder()
    {
        var top = CliRun.Of("act", Path("cnn.onnx"), "/conv1/Conv", "3", "--input", Path("cnn_x.npy"), "--top", "2");
        var all = CliRun.Of("act", Path("cnn.onnx"), "/conv1/Conv", "3", "--inputs", Path("cnn_folder"), "--all");

        Assert.Equal(2, top.Exit);
        Assert.Contains("--inputs DIR", top.Stderr);
        Assert.Equal(2, all.Exit);
        Assert.Contains("leave out INDEX", all.Stderr);
    }
}
