using NeuronKit.Activations;
using static NeuronKit.Tests.Activations.ActivationFixtures;

namespace NeuronKit.Tests.Activations;

/// <summary>The library API behind <c>neuron act</c>: what a program gets without the CLI.</summary>
public sealed class ActivationRunTests
{
    [Fact]
    public void A_run_reports_the_models_inputs_and_each_layers_value()
    {
        using var run = ActivationRun.Open(Path("two_inputs.onnx"));

        Assert.Equal(["a", "b"], run.Inputs.Select(i => i.Name));
        Assert.Equal("[batch, 2]", run.Inputs[0].Describe());
        Assert.Equal(NeuronAxis.Last, run.Output("/fc/Gemm").Axis);
    }

    [Fact]
    public void Post_names_the_activation_function_it_reads_after_the_layer()
    {
        using var run = ActivationRun.Open(Path("cnn.onnx"));

        var output = run.Output("/conv1/Conv", post: true);

        Assert.Equal("Relu", output.Activation?.OpType);
        Assert.Equal(NeuronAxis.Channel, output.Axis);
        Assert.NotEqual(output.Node.Outputs[0], output.Value);
    }

    [Fact]
    public void The_same_neuron_from_two_calls_on_one_run_is_the_same()
    {
        // Given one run, used twice
        using var run = ActivationRun.Open(Path("grouped.onnx"));
        var inputs = run.ReadInputs([Path("grouped_x.npy")]);

        // When
        var first = run.Activations("/conv1/Conv", 5, inputs);
        var again = run.Activations("/conv1/Conv", -1, inputs);

        // Then
        Assert.Equal(first[0].Values, again[0].Values);
        Assert.Equal(5, again[0].Neuron);
        Assert.Equal([4L, 4], first[0].Shape);
    }

    [Fact]
    public void A_model_that_is_not_onnx_is_refused_as_a_wrong_request()
    {
        var error = Assert.Throws<RequestException>(() => ActivationRun.Open(Fixtures.PyTorch("seed_linear.pt")));

        Assert.Contains("neuron act runs ONNX models", error.Message);
    }
}
