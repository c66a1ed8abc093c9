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

    [Theory]
    [InlineData("cnn.onnx", "cnn_x.npy")]     // Conv, BatchNormalization, Gemm
    [InlineData("norms.onnx", "norms_x.npy")] // Conv, InstanceNormalization, LayerNormalization over [C, H, W] and over [H, W]
    public void Every_layer_has_as_many_neurons_in_its_output_as_neuron_layers_counts(string file, string input)
    {
        // Given the layers a node computes (norms.onnx's PRelu slope is listed as a tensor of its own)
        using var model = Model.Open(Path(file));
        var layers = model.Layers.Where(l => l.Aliases.Count > 0).ToList();
        using var run = ActivationRun.Open(Path(file));
        var inputs = run.ReadInputs([Path(input)]);

        // When
        var counts = layers.Select(l => (l.Name, (long)run.LayerActivations(run.Output(l.Name), inputs)[0].Count));

        // Then
        Assert.Equal(4, layers.Count);
        Assert.Equal(layers.Select(l => (l.Name, l.NeuronCount)), counts);
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
