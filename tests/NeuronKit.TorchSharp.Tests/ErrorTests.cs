using NeuronKit.TorchSharp.Tests.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp.Tests;

/// <summary>Bad requests fail as they do for files: the same messages and hints, and a clear one for modules without neurons.</summary>
public sealed class ErrorTests
{
    [TorchFact]
    public void Bad_requests_fail_with_the_very_message_and_hints_the_saved_file_gives()
    {
        // Given models saved with TorchSharp's own save, so the file and the live module hold the same tensors
        var seq = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 2));
        var lstm = new SeedLstm();
        var rnns = new Named(("gru", nn.GRU(4, 6, numLayers: 2, bidirectional: true)));
        (nn.Module Module, string Layer, long Index, string Message)[] cases =
        [
            (seq, "0", 5, "neuron 5 is out of range for layer '0' (Linear, 5 neurons: 0..4, or -5..-1)"),
            (seq, "0", -6, "neuron -6 is out of range for layer '0' (Linear, 5 neurons: 0..4, or -5..-1)"),
            (lstm, "fc9", 0, "no layer 'fc9'"),
            (lstm, "rnn.l1", 0, "no layer 'rnn.l1'"),
            (rnns, "gru", 0, "'gru' has 4 sub-layers: gru.l0, gru.l0_reverse, gru.l1, gru.l1_reverse"),
        ];
        foreach (var (module, layer, index, message) in cases)
        {
            using var file = TempFile.Saved(module);
            using var opened = Model.Open(file.Path);

            // When the same bad request is made of both
            var live = Assert.Throws<RequestException>(() => new LiveModel(module).Neuron(layer, index));
            var saved = Assert.Throws<RequestException>(() => opened.Neuron(layer, index));

            // Then both fail alike, as the contract words it
            Assert.Equal(message, live.Message);
            Assert.Equal(saved.Message, live.Message);
            Assert.Equal(saved.Hints, live.Hints);
        }
    }

    [TorchFact]
    public void An_unknown_layer_suggests_the_closest_names()
    {
        var error = Assert.Throws<RequestException>(() => new SeedLstm().Neuron("fc9", 0));

        Assert.Equal(["did you mean 'fc'?"], error.Hints);
    }

    [TorchFact]
    public void A_module_without_parameters_has_no_neurons_and_the_error_lists_the_supported_types()
    {
        var seq = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 2));

        var error = Assert.Throws<RequestException>(() => new LiveModel(seq).Neuron("1", 0));

        Assert.Equal("module '1' (ReLU) has no parameters, so no neurons", error.Message);
        var hint = Assert.Single(error.Hints);
        Assert.StartsWith("NeuronKit finds neurons in these TorchSharp modules: Linear, Conv1d, Conv2d, Conv3d, ConvTranspose1d", hint);
        Assert.Contains("LSTM", hint);
        Assert.Contains("MultiheadAttention", hint);
    }

    [TorchFact]
    public void A_container_module_is_not_a_layer_and_the_error_names_the_layers_inside_it()
    {
        var live = new LiveModel(new Encoder());

        var list = Assert.Throws<RequestException>(() => live.Layer("blocks"));
        var root = Assert.Throws<RequestException>(() => live.Layer(""));

        Assert.Equal("module 'blocks' (ModuleList) holds layers, not neurons: blocks.0.scale, blocks.0.proj, " +
            "blocks.0.norm, blocks.1.scale, blocks.1.proj, blocks.1.norm", list.Message);
        Assert.StartsWith("module '' (Encoder) holds layers, not neurons: embed, blocks.0.scale,", root.Message);
    }

    [TorchFact]
    public void A_part_of_a_tensor_that_module_to_replaced_refuses_to_read_instead_of_reading_freed_memory()
    {
        // Given a neuron taken before the module was converted to float64, which replaces (and frees) its parameters
        var model = new Named(("fc", nn.Linear(3, 2)));
        var part = new LiveModel(model).Layer("fc").Neuron(1).Part("weight")!;
        model.to(ScalarType.Float64);

        // When its values are read, then it says what happened
        var error = Assert.Throws<RequestException>(() => part.ToDoubles());
        Assert.Equal("tensor 'fc.weight' was disposed or replaced after its neurons were taken " +
            "(module.to(...) replaces every parameter it converts)", error.Message);

        // And the converted module answers again, in float64
        using var again = new LiveModel(model).Neuron("fc", 1);
        Assert.Equal(NeuronKit.Tensors.DType.Float64, again.Part("weight")!.DType);
    }

    [TorchFact]
    public void A_model_read_before_module_to_refuses_new_neurons_and_prunes_saying_why()
    {
        // Given a LiveModel made before the module was converted to float64, which replaces (and frees) its parameters
        var model = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 2));
        var live = new LiveModel(model);
        model.to(ScalarType.Float64);

        // When a neuron is taken from it, or a prune asked whose first tensors are copied uncut, then each says what happened
        var errors = new[]
        {
            Assert.Throws<RequestException>(() => live.Neuron("0", 1)),
            Assert.Throws<RequestException>(() => live.Prune([("2", [1])])),
        };
        Assert.All(errors, error =>
        {
            Assert.Equal("tensor '0.weight' was disposed or replaced after the module was read " +
                "(module.to(...) replaces every parameter it converts)", error.Message);
            Assert.Equal(["read the converted module again: new LiveModel(module)"], error.Hints);
        });
    }

    [TorchFact]
    public void A_tensor_of_a_type_NeuronKit_does_not_read_is_refused_by_name()
    {
        var model = new Named(("fc", nn.Linear(3, 2)));
        model.register_buffer("q", quantize_per_tensor(ones(2), 0.5, 0, ScalarType.QInt8));

        var error = Assert.Throws<CheckpointException>(() => new LiveModel(model));

        Assert.Equal("Named's tensor 'q' is QInt8, which NeuronKit does not read", error.Message);
    }
}
