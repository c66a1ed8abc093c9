using NeuronKit.Formats;
using NeuronKit.Tensors;

namespace NeuronKit.Tests.Formats.Safetensors;

/// <summary>
/// A model saved quantized by bitsandbytes (tests/fixtures/safetensors/bnb.safetensors, make_safetensors_numpy.py): NF4
/// with double quantization, FP4 with a partial last block, LLM.int8() with row scales, each read as the float32 values
/// bitsandbytes dequantizes it into (the fixture oracle's queries and statistics check every value, numpy's table each
/// row's quantization error).
/// </summary>
public class SafetensorsBitsAndBytesTests
{
    private const string Layer = "model.layers.0.";

    private static string Fixture(string name) => QuantizedFixture.Path(name);

    [Fact]
    public void Each_quantized_weight_is_one_Linear_weight_in_its_own_shape_its_quant_state_consumed()
    {
        using var model = Model.Open(Fixture("bnb.safetensors"));

        Assert.Equal([Layer + "mlp.down_proj", Layer + "mlp.up_proj", Layer + "self_attn.q_proj"], model.Layers.Select(l => l.Name).Order());
        Assert.Equal(3, model.Checkpoint.Tensors.Count);
        var stored = model.Checkpoint.Tensors.ToDictionary(t => t.Name, t => (t.DType, t.StoredAs, string.Join("x", t.Shape)));
        Assert.Equal((DType.Float32, "bnb nf4", "8x64"), stored[Layer + "mlp.up_proj.weight"]);
        Assert.Equal((DType.Float32, "bnb fp4", "8x40"), stored[Layer + "mlp.down_proj.weight"]);
        Assert.Equal((DType.Float32, "bnb int8", "8x64"), stored[Layer + "self_attn.q_proj.weight"]);
        Assert.All(model.Layers, l => Assert.Equal(("Linear", 8), (l.Kind, l.NeuronCount)));
    }

    [Fact]
    public void The_quantized_file_differs_from_its_original_by_numpys_quantization_error_of_each_row()
    {
        var diff = QuantizedFixture.DiffIsNumpys("bnb_original.safetensors", "bnb.safetensors", "bnb_diff");

        Assert.Equal(3, diff.Layers.Count);
        Assert.All(diff.Layers.SelectMany(l => l.Neurons), n => Assert.InRange(n.Relative, 1e-4, 0.5));
    }

    [Fact]
    public void A_quant_state_that_is_not_bitsandbytes_JSON_leaves_the_codes_as_stored()
    {
        // Given a 4-bit weight whose packed quant state is not JSON
        string state = "not json";
        byte[] data = [.. new byte[8], .. BitConverter.GetBytes(1f), .. Enumerable.Range(0, 16).SelectMany(i => BitConverter.GetBytes(i / 8f)), .. System.Text.Encoding.ASCII.GetBytes(state)];
        string header = """{"m.fc.weight":{"dtype":"U8","shape":[8,1],"data_offsets":[0,8]},"m.fc.weight.absmax":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"m.fc.weight.quant_map":{"dtype":"F32","shape":[16],"data_offsets":[12,76]},"m.fc.weight.quant_state.bitsandbytes__nf4":{"dtype":"U8","shape":[8],"data_offsets":[76,84]}}""";
        using var file = new TempFile("odd_bnb.safetensors", SafetensorsBytes.Build(header, data));

        using var checkpoint = CheckpointFormats.Open(file.Path);

        Assert.Equal(4, checkpoint.Tensors.Count);
        Assert.Equal(DType.UInt8, checkpoint.Find("m.fc.weight")!.DType);
    }

    [Fact]
    public void Editing_a_bitsandbytes_weight_is_refused() => QuantizedFixture.EditIsRefused(Fixture("bnb.safetensors"), Layer + "mlp.up_proj",
        $"{Layer}mlp.up_proj.weight is stored as bitsandbytes nf4 codes with block absmax");
}
