using NeuronKit.Formats;
using NeuronKit.Tensors;

namespace NeuronKit.Tests.Formats.Safetensors;

/// <summary>
/// compressed-tensors' pack-quantized checkpoints: int32 words of 2-, 4- or 8-bit integers beside their scales (per group,
/// in activation order with weight_g_idx, or per channel with packed zero points) are read as the values the model
/// computes with (tests/fixtures/safetensors/packed_int*.safetensors, make_safetensors_numpy.py; every neuron's values
/// are checked by the fixture oracle's statistics).
/// </summary>
public class SafetensorsPackedIntTests
{
    private const string Layer0 = "model.layers.0.";

    private static string Fixture(string name) => QuantizedFixture.Path(name);

    [Fact]
    public void Each_packed_weight_is_one_Linear_weight_the_rest_consumed()
    {
        using var model = Model.Open(Fixture("packed_int.safetensors"));

        Assert.Equal([Layer0 + "mlp.down_proj", Layer0 + "mlp.gate_proj", Layer0 + "mlp.up_proj", Layer0 + "self_attn.o_proj"],
            model.Layers.Select(l => l.Name).Order());
        Assert.All(model.Layers, l => Assert.Equal(("Linear", 4L, "weight"), (l.Kind, l.NeuronCount, string.Join(",", l.Tensors.Select(t => t.Role)))));
        Assert.Equal(4, model.Checkpoint.Tensors.Count);
        var stored = model.Checkpoint.Tensors.ToDictionary(t => t.Name, t => (t.DType, t.StoredAs, string.Join(",", t.Shape)));
        Assert.Equal((DType.Float32, "int4·weight_scale", "4,38"), stored[Layer0 + "mlp.down_proj.weight"]);
        Assert.Equal((DType.Float32, "int4·weight_scale·weight_zero_point", "4,38"), stored[Layer0 + "mlp.up_proj.weight"]);
        Assert.Equal((DType.Float32, "int4·weight_scale·weight_g_idx", "4,38"), stored[Layer0 + "mlp.gate_proj.weight"]);
        Assert.Equal((DType.Float32, "int8·weight_scale", "4,38"), stored[Layer0 + "self_attn.o_proj.weight"]);
    }

    [Fact]
    public void The_packed_file_differs_from_its_original_by_numpys_quantization_error_of_each_row()
    {
        // Given the float32 weights and their pack-quantized checkpoint, each row's change is what numpy computed from the
        // unpacked integers, zero points and scales
        var diff = QuantizedFixture.DiffIsNumpys("packed_int_original.safetensors", "packed_int.safetensors", "packed_diff");

        Assert.Equal(4, diff.Layers.Count);
    }

    [Fact]
    public void Two_bit_packed_weights_read_as_numpys_values_sixteen_a_word()
    {
        // Given W2A16: a row of 40 two-bit integers in 3 words, symmetric in groups of 20, and asymmetric per channel
        using var model = Model.Open(Fixture("packed_int2.safetensors"));
        var stored = model.Checkpoint.Tensors.ToDictionary(t => t.Name, t => (t.StoredAs, string.Join(",", t.Shape)));
        Assert.Equal(("int2·weight_scale", "4,40"), stored[Layer0 + "mlp.down_proj.weight"]);
        Assert.Equal(("int2·weight_scale·weight_zero_point", "4,40"), stored[Layer0 + "mlp.up_proj.weight"]);

        // Then each row differs from its float32 original by numpy's quantization error (every value: the oracle's statistics)
        var diff = QuantizedFixture.DiffIsNumpys("packed_int2_original.safetensors", "packed_int2.safetensors", "packed2_diff");
        Assert.Equal(2, diff.Layers.Count);
    }

    [Theory]
    // words [2, 1] of a weight_shape [2, 8] whose scales are [3, 1]: no layout of a [2, 8] weight
    [InlineData("""{"dtype":"F32","shape":[3,1],"data_offsets":[24,36]}""", 36)]
    // the same with a weight_shape [2, 20]: 20 columns need 2 words of 2-bit, 3 of 4-bit or 5 of 8-bit integers, not 1
    [InlineData("""{"dtype":"F32","shape":[2,1],"data_offsets":[24,32]}""", 32, 20)]
    // 8 columns fit one word of 2-bit integers and one of 4-bit: which, the shapes cannot say
    [InlineData("""{"dtype":"F32","shape":[2,1],"data_offsets":[24,32]}""", 32, 8)]
    public void Packed_words_whose_companions_do_not_fit_them_stay_as_they_are(string scale, int length, int columns = 8)
    {
        byte[] data = new byte[length];
        BitConverter.TryWriteBytes(data.AsSpan(8), 2L);
        BitConverter.TryWriteBytes(data.AsSpan(16), (long)columns);
        string header = $$"""{"m.fc.weight_packed":{"dtype":"I32","shape":[2,1],"data_offsets":[0,8]},"m.fc.weight_shape":{"dtype":"I64","shape":[2],"data_offsets":[8,24]},"m.fc.weight_scale":{{scale}}}""";
        using var file = new TempFile("odd_packed.safetensors", SafetensorsBytes.Build(header, data));

        using var checkpoint = CheckpointFormats.Open(file.Path);

        Assert.Equal(["m.fc.weight_packed", "m.fc.weight_scale", "m.fc.weight_shape"], checkpoint.Tensors.Select(t => t.Name).Order());
        Assert.All(checkpoint.Tensors, t => Assert.Null(t.StoredAs));
    }

    [Fact]
    public void A_group_index_past_the_scales_groups_is_refused_when_read()
    {
        // Given a [1, 16] weight (two words of 4-bit integers) in two groups of scales whose weight_g_idx names a third group
        byte[] data = new byte[8 + 16 + 8 + 64];
        BitConverter.TryWriteBytes(data.AsSpan(8), 1L);
        BitConverter.TryWriteBytes(data.AsSpan(16), 16L);
        BitConverter.TryWriteBytes(data.AsSpan(24), 1f);
        BitConverter.TryWriteBytes(data.AsSpan(28), 1f);
        for (int c = 0; c < 16; c++) BitConverter.TryWriteBytes(data.AsSpan(32 + 4 * c), c == 5 ? 2 : c % 2);
        string header = """{"m.fc.weight_packed":{"dtype":"I32","shape":[1,2],"data_offsets":[0,8]},"m.fc.weight_shape":{"dtype":"I64","shape":[2],"data_offsets":[8,24]},"m.fc.weight_scale":{"dtype":"F32","shape":[1,2],"data_offsets":[24,32]},"m.fc.weight_g_idx":{"dtype":"I32","shape":[16],"data_offsets":[32,96]}}""";
        using var file = new TempFile("bad_g_idx.safetensors", SafetensorsBytes.Build(header, data));
        using var model = Model.Open(file.Path);

        var error = Assert.Throws<CheckpointException>(() => model.Neuron("m.fc", 0).Parts[0].ToDoubles());

        Assert.Equal("m.fc.weight: weight_g_idx[5] is 2, not one of the scales' 2 groups", error.Message);
    }

    [Fact]
    public void Editing_a_packed_weight_is_refused() => QuantizedFixture.EditIsRefused(Fixture("packed_int.safetensors"), Layer0 + "mlp.down_proj",
        $"{Layer0}mlp.down_proj.weight is stored as packed 4-bit integers times scales: NeuronKit does not quantize edited values back into them");
}
