using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Graph;

/// <summary>
/// rnn.h5's last layer is a Bidirectional LSTM: its own recurrent_kernel is its one consumer, and why no other layer reads
/// it comes from the model's config, where it said "no graph in the file" of a file whose config is its graph.
/// </summary>
public class KerasRecurrentWhyNoConsumerTests
{
    [Fact]
    public void A_last_recurrent_layer_says_it_is_the_last_layer_not_that_the_file_has_no_graph()
    {
        using var model = Model.Open(Fixtures.Path("keras/rnn.h5"));

        Assert.All(model.Graph.ConsumersOf(model.Layer("bidirectional.forward_lstm")), e => Assert.True(e.Feedback));
        Assert.Equal("it is the model's last layer with weights", model.Graph.WhyNoConsumer(model.Layer("bidirectional.forward_lstm")));

        var run = CliRun.Of("prune", Fixtures.Path("keras/rnn.h5"), "--neurons", "bidirectional.forward_lstm:0,bidirectional.backward_lstm:0", "--dry-run");
        Assert.Equal(2, run.Exit);
        Assert.Contains("has no known consumer: it is the model's last layer with weights", run.Stderr);
        Assert.DoesNotContain("no graph in the file", run.Stderr);
    }
}
