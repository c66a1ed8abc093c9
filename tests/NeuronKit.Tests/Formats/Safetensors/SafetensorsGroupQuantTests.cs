using NeuronKit.Formats;

namespace NeuronKit.Tests.Formats.Safetensors;

/// <summary>
/// GPTQ and AWQ words whose companions do not fit them, or name groups the scales lack (the values themselves are
/// checked against numpy in DiffOracleTests, tests/fixtures/diff/g_*.safetensors).
/// </summary>
public class SafetensorsGroupQuantTests
{
    // A GPTQ Linear [out 8, in 8]: one word row of 8 outputs, one zero word, one group of scales, then g_idx [8].
    private static byte[] Gptq(string groupIndex, int[] groups)
    {
        var data = new byte[32 + 4 + 32 + groups.Length * 4];
        for (int j = 0; j < 8; j++) BitConverter.TryWriteBytes(data.AsSpan(36 + 4 * j), 1f);
        for (int i = 0; i < groups.Length; i++) BitConverter.TryWriteBytes(data.AsSpan(68 + 4 * i), groups[i]);
        string header = $$"""{"fc.qweight":{"dtype":"I32","shape":[1,8],"data_offsets":[0,32]},"fc.qzeros":{"dtype":"I32","shape":[1,1],"data_offsets":[32,36]},"fc.scales":{"dtype":"F32","shape":[1,8],"data_offsets":[36,68]},"fc.g_idx":{{groupIndex}}}""";
        return SafetensorsBytes.Build(header, data);
    }

    [Fact]
    public void A_g_idx_past_the_scales_groups_is_refused_when_read()
    {
        using var file = new TempFile("bad_g_idx.safetensors", Gptq("""{"dtype":"I32","shape":[8],"data_offsets":[68,100]}""", [0, 0, 0, 3, 0, 0, 0, 0]));
        using var model = Model.Open(file.Path);

        var error = Assert.Throws<CheckpointException>(() => model.Neuron("fc", 0).Parts[0].ToDoubles());

        Assert.Equal("gptq int4", model.Checkpoint.Find("fc.weight")!.StoredAs);
        Assert.Equal("fc.weight: g_idx[3] is 3, not one of the scales' 1 groups", error.Message);
    }

    [Fact]
    public void A_g_idx_of_another_shape_leaves_the_words_as_they_are()
    {
        using var file = new TempFile("odd_g_idx.safetensors", Gptq("""{"dtype":"I32","shape":[2,4],"data_offsets":[68,100]}""", new int[8]));

        using var checkpoint = CheckpointFormats.Open(file.Path);

        Assert.Equal(["fc.g_idx", "fc.qweight", "fc.qzeros", "fc.scales"], checkpoint.Tensors.Select(t => t.Name).Order());
        Assert.All(checkpoint.Tensors, t => Assert.Null(t.StoredAs));
    }
}
