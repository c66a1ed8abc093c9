using NeuronKit.Formats;
using NeuronKit.Tensors;

namespace NeuronKit.Tests.Formats.Safetensors;

/// <summary>
/// NVFP4 checkpoints, as ModelOpt exports them (weight, weight_scale, weight_scale_2) and as compressed-tensors packs them
/// (weight_packed, weight_scale, weight_global_scale): each weight is read as the float32 values the tool dequantizes it
/// into (tests/fixtures/safetensors/nvfp4_*.safetensors, make_safetensors_numpy.py; the fixture oracle's queries and
/// statistics check every neuron's values, and numpy's table each row's quantization error).
/// </summary>
public class SafetensorsNvfp4Tests
{
    private const string Mlp = "model.layers.0.mlp.";

    private static string Fixture(string name) => QuantizedFixture.Path(name);

    [Theory]
    [InlineData("nvfp4_modelopt.safetensors", "nvfp4·weight_scale_2", "input_scale", 4)]
    [InlineData("nvfp4_ct.safetensors", "nvfp4·weight_global_scale", "input_global_scale", 4)]
    public void Each_NVFP4_weight_is_one_Linear_weight_its_scales_consumed(string file, string stored, string inputScale, long scaleBytes)
    {
        using var model = Model.Open(Fixture(file));

        Assert.Equal([Mlp + "down_proj", Mlp + "up_proj"], model.Layers.Select(l => l.Name).Order());
        Assert.All(model.Layers, l => Assert.Equal(("Linear", false), (l.Kind, l.Assumed)));
        Assert.DoesNotContain(model.Checkpoint.Tensors, t => t.Name.Contains("weight_scale", StringComparison.Ordinal) || t.Name.Contains("weight_global", StringComparison.Ordinal));
        var up = model.Checkpoint.Tensors.Single(t => t.Name == Mlp + "up_proj.weight");
        // 8 × 64 codes in 256 bytes, 8 × 4 E4M3 block scales, the tensor's float32 scale
        Assert.Equal((DType.Float32, stored, 256 + 32 + scaleBytes), (up.DType, up.StoredAs, up.ByteSize));
        Assert.Equal([8L, 64L], up.Shape);
        // The activations' scale stays with the layer, part of no neuron
        var layer = model.Layer(Mlp + "up_proj");
        Assert.Equal(["weight", inputScale], layer.Tensors.Select(t => t.Role));
        Assert.Contains(layer.Evidence, e => e.StartsWith($"{Mlp}up_proj.{inputScale} scales the module's input to 4-bit floats", StringComparison.Ordinal));
        Assert.Single(model.Neuron(Mlp + "up_proj", 0).Parts);
    }

    [Theory]
    [InlineData("nvfp4_modelopt.safetensors", "modelopt")]
    [InlineData("nvfp4_ct.safetensors", "ct")]
    public void An_NVFP4_file_differs_from_its_original_by_numpys_quantization_error_of_each_row(string file, string tool)
    {
        var diff = QuantizedFixture.DiffIsNumpys("nvfp4_original.safetensors", file, "nvfp4_diff", tool);

        Assert.Equal(2, diff.Layers.Count);
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.InRange(n.Relative, 1e-3, 0.5));
    }

    [Fact]
    public void Codes_whose_scales_do_not_fit_stay_as_stored()
    {
        // Given uint8 codes [2, 8] (16 values a row) beside E4M3 scales [2, 2], which would be 32 values a row
        byte[] data = new byte[16 + 4 + 4];
        string header = """{"m.fc.weight":{"dtype":"U8","shape":[2,8],"data_offsets":[0,16]},"m.fc.weight_scale":{"dtype":"F8_E4M3","shape":[2,2],"data_offsets":[16,20]},"m.fc.weight_scale_2":{"dtype":"F32","shape":[],"data_offsets":[20,24]}}""";
        using var file = new TempFile("odd_nvfp4.safetensors", SafetensorsBytes.Build(header, data));

        using var checkpoint = CheckpointFormats.Open(file.Path);

        Assert.Equal(["m.fc.weight", "m.fc.weight_scale", "m.fc.weight_scale_2"], checkpoint.Tensors.Select(t => t.Name).Order());
        Assert.Equal(DType.UInt8, checkpoint.Tensors.Single(t => t.Name == "m.fc.weight").DType);
    }

    [Fact]
    public void A_projection_s_KV_cache_scale_stays_with_its_layer_as_part_of_no_neuron()
    {
        // Given a ModelOpt k_proj [2, 16] with its input scale and the k_scale its KV cache is quantized with
        byte[] data = [.. new byte[16], 0x38, 0x38, .. BitConverter.GetBytes(1f), .. BitConverter.GetBytes(0.5f), .. BitConverter.GetBytes(0.25f)];
        string header = """{"m.self_attn.k_proj.weight":{"dtype":"U8","shape":[2,8],"data_offsets":[0,16]},"m.self_attn.k_proj.weight_scale":{"dtype":"F8_E4M3","shape":[2,1],"data_offsets":[16,18]},"m.self_attn.k_proj.weight_scale_2":{"dtype":"F32","shape":[],"data_offsets":[18,22]},"m.self_attn.k_proj.input_scale":{"dtype":"F32","shape":[],"data_offsets":[22,26]},"m.self_attn.k_proj.k_scale":{"dtype":"F32","shape":[],"data_offsets":[26,30]}}""";
        using var file = new TempFile("kv_scale.safetensors", SafetensorsBytes.Build(header, data));

        using var model = Model.Open(file.Path);

        // Then k_proj is one Linear of 2 neurons, each of one part; its scales are kept with it
        var layer = Assert.Single(model.Layers);
        Assert.Equal(("m.self_attn.k_proj", "Linear", 2L), (layer.Name, layer.Kind, layer.NeuronCount));
        Assert.Equal(["weight", "input_scale", "k_scale"], layer.Tensors.Select(t => t.Role));
        Assert.Contains(layer.Evidence, e => e.Contains("m.self_attn.k_proj.k_scale scales what the module writes to the KV cache, not its weights", StringComparison.Ordinal));
        Assert.Single(model.Neuron("m.self_attn.k_proj", 1).Parts);
    }

    [Fact]
    public void Editing_an_NVFP4_weight_is_refused() => QuantizedFixture.EditIsRefused(Fixture("nvfp4_ct.safetensors"), Mlp + "up_proj",
        $"{Mlp}up_proj.weight is stored as NVFP4 codes with block and tensor scales: NeuronKit does not quantize edited values back into them");
}
