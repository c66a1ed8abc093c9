using NeuronKit.Formats;
using NeuronKit.Tensors;

namespace NeuronKit.Tests.Formats.Safetensors;

/// <summary>
/// FP8 checkpoints: an 8-bit float weight beside its scales (DeepSeek-V3's weight_scale_inv of 128×128 blocks,
/// compressed-tensors' per-channel or per-tensor weight_scale) is read as the values the model computes with
/// (tests/fixtures/safetensors/fp8*.safetensors, make_safetensors_numpy.py; every neuron's values are checked by the
/// fixture oracle's queries and statistics).
/// </summary>
public class SafetensorsFloat8ScalesTests
{
    private const string Mlp = "model.layers.0.mlp.";

    private static string Fixture(string name) => QuantizedFixture.Path(name);

    [Fact]
    public void Each_scaled_weight_is_one_Linear_weight_its_scales_consumed()
    {
        using var model = Model.Open(Fixture("fp8.safetensors"));

        Assert.Equal([Mlp + "down_proj", Mlp + "gate_proj", Mlp + "up_proj"], model.Layers.Select(l => l.Name).Order());
        Assert.All(model.Layers, l => Assert.Equal(("Linear", false), (l.Kind, l.Assumed)));
        Assert.DoesNotContain(model.Checkpoint.Tensors, t => t.Name.Contains("weight_scale", StringComparison.Ordinal));
        // compressed-tensors' input_scale scales the module's input, no weight: kept beside the layer, part of no neuron
        var up = model.Layer(Mlp + "up_proj");
        Assert.Equal(["weight", "input_scale"], up.Tensors.Select(t => t.Role));
        Assert.Contains(up.Evidence, e => e.StartsWith($"{Mlp}up_proj.input_scale scales the module's input to 8-bit floats", StringComparison.Ordinal));
        Assert.Single(model.Neuron(Mlp + "up_proj", 0).Parts);
        var down = model.Checkpoint.Tensors.Single(t => t.Name == Mlp + "down_proj.weight");
        Assert.Equal((DType.Float32, "float8_e4m3fn·weight_scale_inv", 8 * 136 + 2 * 4L), (down.DType, down.StoredAs, down.ByteSize));
        Assert.Equal("float8_e4m3fn·weight_scale", model.Checkpoint.Tensors.Single(t => t.Name == Mlp + "up_proj.weight").StoredAs);
    }

    [Fact]
    public void The_FP8_file_differs_from_its_original_by_numpys_quantization_error_of_each_row()
    {
        // Given the float32 weights and their FP8 checkpoint (block, per-channel and per-tensor scales), each row's change
        // is what numpy computed from the scaled codes
        var diff = QuantizedFixture.DiffIsNumpys("fp8_original.safetensors", "fp8.safetensors", "fp8_diff");

        Assert.Equal(3, diff.Layers.Count);
    }

    [Fact]
    public void Scales_of_no_known_shape_leave_the_weight_as_it_is_stored()
    {
        // Given an 8-bit float weight [4, 8] beside a weight_scale_inv [3, 3], which is no block layout of it
        byte[] data = new byte[4 * 8 + 9 * 4];
        string header = """{"m.fc.weight":{"dtype":"F8_E4M3","shape":[4,8],"data_offsets":[0,32]},"m.fc.weight_scale_inv":{"dtype":"F32","shape":[3,3],"data_offsets":[32,68]}}""";
        using var file = new TempFile("odd_scales.safetensors", SafetensorsBytes.Build(header, data));

        using var checkpoint = CheckpointFormats.Open(file.Path);

        Assert.Equal(["m.fc.weight", "m.fc.weight_scale_inv"], checkpoint.Tensors.Select(t => t.Name).Order());
        Assert.Equal((DType.Float8E4M3FN, null), (checkpoint.Tensors.Single(t => t.Name == "m.fc.weight").DType, checkpoint.Tensors.Single(t => t.Name == "m.fc.weight").StoredAs));
    }

    [Fact]
    public void Editing_a_scaled_weight_is_refused() => QuantizedFixture.EditIsRefused(Fixture("fp8.safetensors"), Mlp + "down_proj",
        $"{Mlp}down_proj.weight is stored as 8-bit floats times block scales: NeuronKit does not quantize edited values back into them");
}
