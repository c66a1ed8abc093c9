using System.Text.Json;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Formats;

/// <summary>
/// A weight read from a quantized layout names the file's tensors it is read from (<c>tensors</c> lists them under it):
/// every tensor a quantized safetensors fixture stores is either listed as itself or a part of exactly one weight.
/// </summary>
public class QuantizedStoredPartsTests
{
    public static TheoryData<string> Files() =>
    [
        "diff/g_gptq.safetensors", "diff/g_gptq_act.safetensors", "diff/g_awq.safetensors", "diff/g_gptq_int3.safetensors",
        "diff/gptq_v2/model.safetensors", "diff/mlx/q4/model.safetensors", "diff/mlx/gpt_oss/model.safetensors",
        "safetensors/fp8.safetensors", "safetensors/nvfp4_modelopt.safetensors", "safetensors/nvfp4_ct.safetensors",
        "safetensors/bnb.safetensors", "safetensors/packed_int.safetensors", "safetensors/packed_int2.safetensors", "safetensors/gpt_oss_mxfp4.safetensors",
        "safetensors/bitnet/model.safetensors",
    ];

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_stored_tensor_is_listed_as_itself_or_as_a_part_of_one_weight(string file)
    {
        // Given a file's tensors as its header names them
        var stored = StoredNames(Fixtures.Path(file));

        // When NeuronKit reads it
        using var model = Model.Open(Fixtures.Path(file));

        // Then some are read through a layout, and each stored tensor is listed once: as itself or under its weight, codes first
        var decoded = model.Checkpoint.Tensors.Where(t => t.StoredParts.Count > 0).ToList();
        Assert.NotEmpty(decoded);
        var listed = model.Checkpoint.Tensors.SelectMany(t => t.StoredParts.Count == 0 ? [t.Name] : t.StoredParts.Select(p => p.Name)).ToList();
        Assert.Equal(stored.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        Assert.All(decoded, t => Assert.True(t.StoredParts.Sum(p => p.ByteSize) == t.ByteSize && t.StoredParts.All(p => p.StoredParts.Count == 0),
            $"{t.Name} is {t.ByteSize} bytes, its parts {t.StoredParts.Sum(p => p.ByteSize)}"));
    }

    [Fact]
    public void Tensors_json_gives_a_weight_s_stored_tensors_as_torch_save_viewed_them()
    {
        var run = CliRun.Of("tensors", Fixtures.Path("diff/torch_save/gptq_act_views.bin"), "--json");

        Assert.Equal(0, run.Exit);
        using var json = JsonDocument.Parse(run.Stdout);
        var fc = json.RootElement.GetProperty("tensors").EnumerateArray().First(t => t.GetProperty("name").GetString() == "fc.weight");
        var parts = fc.GetProperty("stored_in").EnumerateArray().ToList();
        Assert.Equal(["fc.qweight", "fc.qzeros", "fc.scales", "fc.g_idx"], parts.Select(p => p.GetProperty("name").GetString()));
        // The words are views at offsets into one shared storage, the scales a transposed view, as torch.save wrote them
        Assert.Equal(64, parts[0].GetProperty("storage_offset").GetInt64());
        Assert.Equal(parts[0].GetProperty("storage").GetString(), parts[1].GetProperty("storage").GetString());
        Assert.Equal([1L, 4L], parts[2].GetProperty("strides").EnumerateArray().Select(s => s.GetInt64()));
        Assert.False(json.RootElement.GetProperty("tensors").EnumerateArray().First(t => t.GetProperty("name").GetString() == "fc.bias").TryGetProperty("stored_in", out _));
    }

    // The tensor names of a safetensors header: an 8-byte length, then a JSON object of them (and __metadata__).
    private static List<string> StoredNames(string path)
    {
        using var file = File.OpenRead(path);
        var length = new byte[8];
        file.ReadExactly(length);
        var header = new byte[BitConverter.ToInt64(length)];
        file.ReadExactly(header);
        using var json = JsonDocument.Parse(header);
        return [.. json.RootElement.EnumerateObject().Select(p => p.Name).Where(n => n != "__metadata__")];
    }
}
