using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Graph;

/// <summary>
/// rnns.onnx's recurrent nodes write only outputs of the model: no layer reads them, their own R excepted, and the refusal
/// of --outgoing says so (and how to name R), where it said only that they had no known consumer.
/// </summary>
public class OnnxOutputLeavesGraphTests
{
    [Fact]
    public void Outgoing_of_an_ONNX_LSTM_whose_output_leaves_the_graph_says_so_and_names_its_own_R()
    {
        var run = CliRun.Of("edit", Fixtures.Path("onnx/rnns.onnx"), "/lstm/LSTM.forward", "1", "--zero", "--outgoing", "--dry-run");

        Assert.Equal(2, run.Exit);
        Assert.Contains("its output leaves the graph (167 is an output of the model; /lstm/LSTM_output_1 is an output of the model), " +
            "and no layer reads it but its own R (--consumer /lstm/LSTM.forward names that)", run.Stderr);
    }

    [Fact]
    public void Naming_the_layer_as_its_own_consumer_edits_its_R_columns()
    {
        var run = CliRun.Of("edit", Fixtures.Path("onnx/rnns.onnx"), "/gru/GRU", "1", "--zero", "--outgoing", "--consumer", "/gru/GRU", "--dry-run");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("out to /gru/GRU", run.Stdout);
    }
}
