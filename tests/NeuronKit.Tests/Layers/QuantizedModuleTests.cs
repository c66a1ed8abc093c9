using NeuronKit.Tensors;

namespace NeuronKit.Tests.Layers;

/// <summary>
/// Quantized modules' state dicts group into the layers of the float modules they replace: a quantized Linear's packed
/// (weight, bias) tuple, and the output scale and zero point beside a quantized weight (quantized_dynamic.pt, written by
/// torch.quantization.quantize_dynamic in PyTorch 1.13; its values are checked by the oracle tests).
/// </summary>
public class QuantizedModuleTests
{
    private const string Packed = "_packed_params._packed_params";

    [Fact]
    public void A_dynamic_quantized_Linear_is_one_Linear_layer_named_as_its_float_module()
    {
        using var model = Model.Open(Fixtures.PyTorch("quantized_dynamic.pt"));

        Assert.Equal(["0 (Linear, 5 neurons)", "2 (Linear, 2 neurons)"], model.Layers.Select(l => l.ToString()));
        var layer = model.Layer("0");
        Assert.False(layer.Assumed);
        Assert.Equal("(out, in)", layer.Layout);
        Assert.Equal([("weight", $"0.{Packed}.0"), ("bias", $"0.{Packed}.1"), ("scale", "0.scale"), ("zero_point", "0.zero_point")],
            layer.Tensors.Select(t => (t.Role, t.Tensor.Name)));
        Assert.StartsWith($"0.{Packed} is a quantized Linear's packed params (weight, bias)", layer.Evidence[0]);
    }

    [Fact]
    public void Each_tensor_name_of_a_dynamic_quantized_Linear_reaches_its_layer()
    {
        using var model = Model.Open(Fixtures.PyTorch("quantized_dynamic.pt"));

        foreach (string name in (string[])[$"2.{Packed}.0", $"2.{Packed}.1", "2.scale", "2.zero_point"])
            Assert.Equal("2", model.Layer(name).Name);
    }

    [Fact]
    public void A_neuron_of_a_dynamic_quantized_Linear_is_its_weight_row_and_bias_and_not_the_output_scale()
    {
        using var model = Model.Open(Fixtures.PyTorch("quantized_dynamic.pt"));

        var neuron = model.Neuron("0", 1);

        Assert.Equal([("weight", $"0.{Packed}.0", "[1]"), ("bias", $"0.{Packed}.1", "[1]")],
            neuron.Parts.Select(p => (p.Role.Name, p.Tensor, p.Index)));
        Assert.NotNull(neuron.Part("weight")!.ToQuantized());
    }

    [Fact]
    public void The_output_scale_and_zero_point_are_kept_with_the_layer_and_said_so_in_its_evidence()
    {
        using var model = Model.Open(Fixtures.PyTorch("quantized_dynamic.pt"));

        var layer = model.Layer("2");

        Assert.Equal("2.scale and 2.zero_point quantize the module's output (its q_scale and q_zero_point), not its weights: " +
            "kept with the layer, part of no neuron", layer.Evidence[^1]);
    }

    [Fact]
    public void Static_quantized_Conv2d_and_Linear_keep_their_kinds_beside_their_output_scale_and_zero_point()
    {
        // Given a model after eager-mode static quantization (QuantStub, Conv2d, Linear)
        using var model = Model.Open(Fixtures.PyTorch("quantized_static.pt"));

        // Then conv and fc are the float modules' layers with their output quantization kept aside, and the QuantStub's
        // scale [1] and zero_point [1], beside no quantized weight, are a Quantize without neurons
        Assert.Equal(["quant (Quantize, 0 neurons)", "conv (Conv2d, 4 neurons)", "fc (Linear, 2 neurons)"],
            model.Layers.Select(l => l.ToString()));
        Assert.Equal("it quantizes its input with scale and zero_point and has no weights", model.Layer("quant").WhyNoNeurons);
        Assert.Equal(["weight", "bias", "scale", "zero_point"], model.Layer("conv").Tensors.Select(t => t.Role));
        Assert.False(model.Layer("conv").Assumed);
        Assert.Equal(["weight", "bias"], model.Neuron("fc.zero_point", 1).Parts.Select(p => p.Role.Name));
    }

    [Fact]
    public void A_dynamic_quantized_Linear_read_with_an_explicit_kind_keeps_its_output_scale_and_zero_point()
    {
        using var model = Model.Open(Fixtures.PyTorch("quantized_dynamic.pt"));

        // When layer 0 is asked for as --kind Linear would ask, by its output scale's name
        var layer = model.Layer("0.scale", "Linear");

        // Then it is the same layer with the same tensors, its evidence saying it was asked for
        Assert.Equal(("0", 5L), (layer.Name, layer.NeuronCount));
        Assert.Equal(["weight", "bias", "scale", "zero_point"], layer.Tensors.Select(t => t.Role));
        Assert.StartsWith("--kind Linear (asked for)", layer.Evidence[0]);
    }

    [Fact]
    public void A_packed_weight_without_a_bias_is_a_Linear_without_assuming_its_layout()
    {
        // Given a quantized Linear(bias=False): its tuple holds the weight alone
        using var model = new CheckpointBuilder().Tensor($"fc.{Packed}.0", 3, 4).Model();

        var layer = Assert.Single(model.Layers);

        Assert.Equal(("fc", "Linear", 3L, false), (layer.Name, layer.Kind, layer.NeuronCount, layer.Assumed));
    }

    [Fact]
    public void Packed_params_of_the_saved_module_itself_make_the_root_layer()
    {
        // Given the state dict of one quantized Linear: no module path before the container
        using var model = new CheckpointBuilder().Tensor($"{Packed}.0", 3, 4).Tensor($"{Packed}.1", 3).Model();

        var layer = Assert.Single(model.Layers);

        Assert.Equal(("root", "Linear", 3L), (layer.Name, layer.Kind, layer.NeuronCount));
        Assert.Same(layer, model.Layer($"{Packed}.1"));
    }

    [Fact]
    public void Packed_params_that_do_not_fit_a_Linear_are_noted_and_names_and_shapes_decide()
    {
        // Given a packed "weight" of rank 3
        using var model = new CheckpointBuilder().Tensor($"fc.{Packed}.0", 3, 4, 2).Model();

        var layer = Assert.Single(model.Layers);

        // Then the note says why, and its shape makes it what any rank-3 weight is
        Assert.Equal("Conv1d", layer.Kind);
        Assert.StartsWith("fc's packed params do not fit a Linear (Linear needs a 2-d weight", layer.Evidence[0]);
    }

    [Fact]
    public void A_scale_beside_a_float_weight_is_not_set_aside()
    {
        // Given a module with a float weight and bias and a scalar named scale (no quantized tensor)
        using var model = new CheckpointBuilder().Tensor("fc.weight", 3, 2).Tensor("fc.bias", 3).Tensor("fc.scale").Model();

        // Then no Linear takes the three, and scale stays a tensor of its own
        Assert.DoesNotContain(model.Layers, l => l.Kind == "Linear");
        Assert.Equal("Tensor", model.Layer("fc.scale").Kind);
    }

    [Fact]
    public void Scale_and_zero_point_alone_are_a_Quantize_only_with_an_integer_zero_point_of_the_scales_length()
    {
        using var floatZeroPoint = new CheckpointBuilder().Zeros("q.scale", DType.Float32, 1).Zeros("q.zero_point", DType.Float32, 1).Model();
        using var twoPerScale = new CheckpointBuilder().Zeros("q.scale", DType.Float32, 1).Zeros("q.zero_point", DType.Int64, 2).Model();
        using var quantize = new CheckpointBuilder().Zeros("q.scale", DType.Float32, 3).Zeros("q.zero_point", DType.Int32, 3).Model();

        Assert.Equal(["Tensor", "Tensor"], floatZeroPoint.Layers.Select(l => l.Kind));
        Assert.Equal(["Tensor", "Tensor"], twoPerScale.Layers.Select(l => l.Kind));
        Assert.Equal(["q (Quantize, 0 neurons)"], quantize.Layers.Select(l => l.ToString()));
        using var classed = new CheckpointBuilder().Zeros("q.scale", DType.Float32, 1).Zeros("q.zero_point", DType.Float32, 1)
            .Class("q", "torch.ao.nn.quantized.modules.Quantize").Model();
        Assert.Equal("module class torch.ao.nn.quantized.modules.Quantize does not fit the tensors (Quantize needs a floating-point " +
            "scale and an integer zero_point, not float32 and float32); read by names and shapes instead", classed.Layers[0].Evidence[0]);
    }
}
