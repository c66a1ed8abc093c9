using System.Text.Json;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Oracle;

namespace NeuronKit.Tests.Formats;

/// <summary>
/// What a weight read from a quantized layout says of how the file stores it: the file's tensors it is read from
/// (<c>tensors</c> lists them under it; every tensor a quantized fixture stores is listed once, as itself or as a part of
/// one weight), and for GPTQ, AWQ and compressed-tensors packs each value's integer, scale and zero point (<c>show --raw</c>).
/// </summary>
public class QuantizedStoredFormTests
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

    [Theory]
    [InlineData("diff/g_gptq.safetensors", "fc", 4, false)]              // symmetric, groups of 32, zero points stored less one
    [InlineData("diff/g_gptq_act.safetensors", "proj", 4, false)]        // asymmetric, groups in activation order
    [InlineData("diff/g_gptq_int3.safetensors", "fc", 3, false)]         // 3-bit values across words
    [InlineData("diff/g_awq.safetensors", "fc", 4, false)]               // AWQ's nibble order
    [InlineData("diff/gptq_v2/model.safetensors", "fc", 4, false)]       // zero points stored as they are
    [InlineData("diff/torch_save/gptq_act_views.bin", "proj", 4, false)] // words viewed in a shared storage
    [InlineData("safetensors/packed_int.safetensors", "model.layers.0.mlp.gate_proj", 4, true)]
    [InlineData("safetensors/packed_int.safetensors", "model.layers.0.mlp.up_proj", 4, true)]
    [InlineData("safetensors/packed_int2.safetensors", "model.layers.0.mlp.up_proj", 2, true)]
    public void A_packed_weight_s_stored_integers_give_its_values_under_their_group_s_scale_and_zero_point(string file, string layer, int bits, bool signed)
    {
        // Given a GPTQ, AWQ or compressed-tensors weight, and the scales it stores
        using var model = Model.Open(Fixtures.Path(file));
        var weight = model.Layer(layer).Tensors.Single(t => t.Role == "weight").Tensor;
        var fileScales = weight.StoredParts.Single(p => p.Name.EndsWith("scales", StringComparison.Ordinal) || p.Name.EndsWith("weight_scale", StringComparison.Ordinal))
            .View().ToDoubles().Select(v => (float)v).ToHashSet();

        foreach (long j in new[] { 0L, model.Layer(layer).NeuronCount - 1 })
        {
            // When a neuron's stored side is read
            var part = model.Neuron(layer, j).Parts.Single(p => p.Role.Name == "weight");
            var stored = part.ToQuantized()!;
            var values = part.ToFloats();

            // Then each value is (q − z) · s in float32, q and z are integers of the width, s one of the file's scales
            Assert.Equal(values.Length, stored.Integers.Length);
            long low = signed ? -(1L << (bits - 1)) : 0, high = signed ? (1L << (bits - 1)) - 1 : (1L << bits) - 1;
            for (int i = 0; i < values.Length; i++)
            {
                Assert.InRange(stored.Integers[i], low, high);
                Assert.True(double.IsInteger(stored.ZeroPoints[i]) && stored.ZeroPoints[i] >= low && stored.ZeroPoints[i] <= high + 1, $"zero point {stored.ZeroPoints[i]}");
                Assert.Contains((float)stored.Scales[i], fileScales);
                Assert.Equal(values[i], (float)(stored.Integers[i] - (long)stored.ZeroPoints[i]) * (float)stored.Scales[i]);
            }
            Assert.True(stored.Axis is 0 or 1);
        }
    }

    [Fact]
    public void An_outgoing_column_of_a_GPTQ_weight_reads_each_element_s_own_group()
    {
        // Given proj's weight in activation order, read down its column 3 (the outgoing weights of fc's neuron 3)
        using var model = Model.Open(Fixtures.Path("diff/g_gptq_act.safetensors"));
        var weight = model.Layer("proj").Tensors.Single(t => t.Role == "weight").Tensor;
        var column = weight.View().Narrow(1, 3, 1);

        // Then the stored side of each element gives that element's value
        var stored = NeuronKit.Tensors.StoredIntegers.Read(column)!;
        var values = column.ToFloats();
        Assert.Equal(8, values.Length);
        for (int i = 0; i < values.Length; i++)
            Assert.Equal(values[i], (float)(stored.Integers[i] - (long)stored.ZeroPoints[i]) * (float)stored.Scales[i]);
    }

    [Theory]
    [InlineData("q3", "per_group_affine")]        // 3-bit codes across bytes
    [InlineData("mixed", "per_group_affine")]     // a module's own 8 bits from config.json
    [InlineData("moe", "per_group_affine")]       // an expert of a stack [experts, out, in]: its groups along axis 2
    [InlineData("gpt_oss", "per_group_affine")]   // 8-bit affine beside a float mode's module
    [InlineData("mxfp4", "per_group_codebook")]   // E2M1 codes two a byte under E8M0 scales per 32
    [InlineData("nvfp4", "per_group_codebook")]   // E2M1 codes under E4M3 scales per 16
    [InlineData("mxfp8", "per_group_codebook")]   // E4M3 codes a byte each: a table of 256, two of them NaN
    [InlineData("gpt_oss", "per_group_codebook")] // an mxfp4 module beside 8-bit affine ones
    public void Show_raw_json_gives_an_MLX_neuron_s_stored_side_as_numpy_reads_the_file_s_bytes(string variant, string scheme)
    {
        // Given a neuron of an MLX module, and its stored side as numpy reads it from the file's bytes: an affine mode's
        // integers, group scales and biases; a float mode's codes, group scales and the codes' table
        using var root = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("diff/expected.json")));
        var expected = root.RootElement.GetProperty("mlx_raw").EnumerateArray()
            .Single(e => e.GetProperty("variant").GetString() == variant && e.GetProperty("quantized").GetProperty("scheme").GetString() == scheme);

        // When show --raw --json reads it
        var run = CliRun.Of("show", Fixtures.Path($"diff/mlx/{variant}"), expected.GetProperty("layer").GetString()!,
            expected.GetProperty("neuron").GetInt32().ToString(), "--raw", "--json");

        // Then its weight's stored side is numpy's, key for key and bit for bit: an affine mode's q, its group's scale,
        // zero point 0 and its group's bias as the min (what q = 0 decodes to); a float mode's code, its group's scale and
        // the codebook, with no zero point
        Assert.True(run.Exit == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var actual = json.RootElement.GetProperty("parts").EnumerateArray().Single(p => p.GetProperty("role").GetString() == "weight").GetProperty("quantized");
        var want = expected.GetProperty("quantized");
        Assert.Equal(want.EnumerateObject().Select(p => p.Name), actual.EnumerateObject().Select(p => p.Name));
        Assert.Equal(scheme, actual.GetProperty("scheme").GetString());
        Assert.Equal(want.GetProperty("axis").GetInt32(), actual.GetProperty("axis").GetInt32());
        foreach (var key in want.EnumerateObject().Select(p => p.Name).Except(["scheme", "axis"]))
            Assert.Equal(OracleQuery.Flatten(want.GetProperty(key)).Select(BitConverter.DoubleToInt64Bits), OracleQuery.Flatten(actual.GetProperty(key)).Select(BitConverter.DoubleToInt64Bits));
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
