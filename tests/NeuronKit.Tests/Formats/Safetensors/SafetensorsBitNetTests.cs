using NeuronKit.Formats;
using NeuronKit.Tensors;
using NeuronKit.Tests.Cli;
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

    [Theory]
    [InlineData("up_proj")]
    [InlineData("down_proj")]
    public void Each_value_s_stored_side_is_its_2_bit_code_over_zero_point_1_and_the_inverse_of_weight_scale(string layer)
    {
        // Given a BitNet weight, and its weight_scale as the file stores it (bfloat16)
        using var model = Model.Open(Folder);
        var weight = model.Layer(Mlp + layer).Tensors.Single(t => t.Role == "weight").Tensor;
        float weightScale = (float)weight.StoredParts.Single(p => p.Name.EndsWith("weight_scale", StringComparison.Ordinal)).View().ToDoubles()[0];

        for (long j = 0; j < model.Layer(Mlp + layer).NeuronCount; j++)
        {
            // When a neuron's stored side is read
            var part = model.Neuron(Mlp + layer, j).Parts.Single(p => p.Role.Name == "weight");
            var stored = part.ToQuantized()!;
            var values = part.ToFloats();

            // Then it is per tensor: each code 0, 1 or 2 (a ternary value plus one), zero point 1, scale 1 / weight_scale,
            // and (q − 1) · scale is the value exactly
            Assert.Equal(("per_tensor_affine", (int?)null), (stored.Scheme, stored.Axis));
            Assert.Equal([(double)(1f / weightScale)], stored.Scales);
            Assert.Equal([1.0], stored.ZeroPoints);
            Assert.Equal(values.Length, stored.Integers.Length);
            for (int i = 0; i < values.Length; i++)
            {
                Assert.InRange(stored.Integers[i], 0, 2);
                Assert.Equal(values[i], (float)((stored.Integers[i] - 1) * stored.Scales[0]));
            }
        }
    }

    [Fact]
    public void Show_raw_prints_the_codes_with_the_one_scale_and_zero_point()
    {
        var run = CliRun.Of("show", Folder, Mlp + "down_proj", "-1", "--raw");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("""
              stored (per_tensor_affine, scale 0.041025642305612564, zero point 1):
              [1, 2, 2, 2, 1, 0, 0, 2, 1, 2, 0, 2, 0, 0, 0, 1]
            """.ReplaceLineEndings(), run.Stdout);
        Assert.Empty(run.Stderr);
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
