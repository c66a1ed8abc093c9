using NeuronKit.Formats;
using NeuronKit.Tensors;
using NeuronKit.Tests.Edits;

namespace NeuronKit.Tests.Formats.Safetensors;

/// <summary>
/// BitNet b1.58 checkpoints (tests/fixtures/safetensors/bitnet, make_safetensors_numpy.py): with the config.json that
/// says quant_method bitnet, each packed uint8 weight is read as its ternary codes over its weight_scale, as BitLinear
/// computes with them (the fixture oracle's queries and statistics check every value); without it, as stored.
/// </summary>
public class SafetensorsBitNetTests
{
    private const string Mlp = "model.layers.0.mlp.";
    private static readonly string Folder = Fixtures.Path("safetensors/bitnet");

    [Fact]
    public void Each_packed_weight_is_its_Linear_s_weight_four_rows_a_byte_its_scale_consumed()
    {
        using var model = Model.Open(Folder);

        var up = model.Checkpoint.Tensors.Single(t => t.Name == Mlp + "up_proj.weight");
        Assert.Equal((DType.Float32, "ternary·weight_scale", 4 * 8 + 2L), (up.DType, up.StoredAs, up.ByteSize));
        Assert.Equal([16L, 8L], up.Shape);
        Assert.DoesNotContain(model.Checkpoint.Tensors, t => t.Name.EndsWith("weight_scale", StringComparison.Ordinal));
        Assert.Equal(16, model.Layer(Mlp + "up_proj").NeuronCount);
        // Every value is a code in -1, 0, 1 over the one scale: three magnitudes at most, one of them zero
        var values = model.Layer(Mlp + "down_proj").Neuron(3).Parts[0].ToDoubles();
        Assert.InRange(values.Select(Math.Abs).Distinct().Count(), 1, 2);
    }

    [Fact]
    public void Without_the_config_that_says_bitnet_the_codes_stay_as_stored()
    {
        using var folder = new TempFolder();
        string copy = Path.Combine(folder.Path, "model.safetensors");
        File.Copy(Path.Combine(Folder, "model.safetensors"), copy);

        using var checkpoint = CheckpointFormats.Open(copy);

        Assert.Equal((DType.UInt8, null), (checkpoint.Find(Mlp + "up_proj.weight")!.DType, checkpoint.Find(Mlp + "up_proj.weight")!.StoredAs));
        Assert.NotNull(checkpoint.Find(Mlp + "up_proj.weight_scale"));
    }

    [Fact]
    public void Editing_a_ternary_weight_is_refused() => QuantizedFixture.EditIsRefused(Folder, Mlp + "down_proj",
        $"{Mlp}down_proj.weight is stored as BitNet's packed ternary codes with a weight_scale");
}
