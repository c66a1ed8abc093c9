using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Formats.Gguf;

/// <summary>
/// <c>show --raw</c> of a GGUF weight whose type stores values as (q − z) · scale (q8_0, q4_0, q5_0, q3_k, q6_k, q2_0,
/// tq1_0, tq2_0) or q · scale + min (q4_1, q5_1, q2_k, q4_k, q5_k): the stored integers, each in its type's range, with
/// its block's or sub-block's scale (and min) and the type's zero point, give back every value ggml's decoding gives,
/// exactly.
/// </summary>
public class GgufStoredIntegersTests
{
    // Each type's zero point, its integers' range, how many elements share a scale (a block, or a K-quant's sub-block),
    // and whether it adds a min.
    private static readonly Dictionary<string, (int Zero, int Low, int High, int ScaleRun, bool Min)> Forms = new()
    {
        ["q8_0"] = (0, -128, 127, 32, false),
        ["q4_0"] = (8, 0, 15, 32, false),
        ["q5_0"] = (16, 0, 31, 32, false),
        ["q3_k"] = (4, 0, 7, 16, false),
        ["q6_k"] = (32, 0, 63, 16, false),
        ["q2_0"] = (1, 0, 3, 64, false),
        ["tq1_0"] = (1, 0, 2, 256, false),
        ["tq2_0"] = (1, 0, 3, 256, false),
        ["q4_1"] = (0, 0, 15, 32, true),
        ["q5_1"] = (0, 0, 31, 32, true),
        ["q2_k"] = (0, 0, 3, 16, true),
        ["q4_k"] = (0, 0, 15, 32, true),
        ["q5_k"] = (0, 0, 31, 32, true),
    };

    public static TheoryData<string, string> Tensors()
    {
        var data = new TheoryData<string, string>();
        foreach (string file in new[] { "gguf/tiny_q8_0.gguf", "gguf/tiny_q4_0.gguf", "gguf/tiny_q5_0.gguf", "gguf/tiny_q4_1.gguf", "gguf/tiny_q5_1.gguf", "gguf/tiny_k_quants.gguf", "gguf/tiny_nl_quants.gguf", "diff/q_q4_0.gguf", "diff/q_q8_0.gguf" })
        {
            using var model = Model.Open(Fixtures.Path(file));
            foreach (var tensor in model.Checkpoint.Tensors.Where(t => t.StoredAs is { } type && Forms.ContainsKey(type)))
                data.Add(file, tensor.Name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Tensors))]
    public void Every_stored_integer_with_its_scale_and_zero_point_gives_back_the_decoded_value(string file, string name)
    {
        // Given a GGUF tensor of a type whose values are (q − z) · scale
        using var model = Model.Open(Fixtures.Path(file));
        var tensor = model.Checkpoint.Find(name)!;
        var (zero, low, high, run, addsMin) = Forms[tensor.StoredAs!];

        // When its stored side and its values are read whole
        var stored = NeuronKit.Tensors.StoredIntegers.Read(tensor.View())!;
        var values = tensor.View().ToDoubles();

        // Then each integer lies in its type's range around the type's zero point, a scale (and a min) is shared by each
        // run of the type's block or sub-block, and (q − z) · scale (+ min), rounded to float32 as ggml computes it, is the value
        Assert.Equal("per_group_affine", stored.Scheme);
        Assert.Equal(tensor.Shape.Count - 1, stored.Axis);
        Assert.Equal(values.Length, stored.Integers.Length);
        Assert.All(stored.ZeroPoints, z => Assert.Equal(zero, z));
        Assert.All(stored.Integers, q => Assert.InRange(q, low, high));
        Assert.Equal(addsMin, stored.Mins is not null);
        var mins = stored.Mins ?? new double[values.Length];
        for (int k = 0; k < values.Length; k++)
        {
            Assert.Equal(stored.Scales[k - k % run], stored.Scales[k]);
            Assert.Equal(mins[k - k % run], mins[k]);
            Assert.Equal(values[k], (float)((stored.Integers[k] - stored.ZeroPoints[k]) * stored.Scales[k] + mins[k]));
        }
        Assert.Contains(stored.Integers, q => q != stored.Integers[0]);
        if (addsMin) Assert.Contains(mins, m => m != mins[0]);
    }

    [Fact]
    public void A_q8_0_rows_integers_are_the_int8_bytes_of_its_block()
    {
        // Given row 5 of tiny_q8_0.gguf's blk.0.attn_q (one block: an f16 scale, then 32 int8 values)
        using var model = Model.Open(Fixtures.Path("gguf/tiny_q8_0.gguf"));
        var tensor = model.Checkpoint.Find("blk.0.attn_q.weight")!;
        var bytes = File.ReadAllBytes(Fixtures.Path("gguf/tiny_q8_0.gguf"));

        // When its stored side is read
        var stored = model.Layer("blk.0.attn_q").Neuron(5).Parts[0].ToQuantized()!;

        // Then the integers are the block's bytes as int8 and the scale its f16, wherever the reader found the tensor
        long dataStart = FindBlock(bytes, tensor, 5);
        Assert.Equal(Enumerable.Range(0, 32).Select(j => (long)(sbyte)bytes[dataStart + 2 + j]), stored.Integers);
        Assert.All(stored.Scales, s => Assert.Equal((double)BitConverter.ToHalf(bytes, (int)dataStart), s));
    }

    // Where row `row` (one 34-byte block) of a q8_0 tensor starts in the file: the block whose bytes decode to the row's values.
    private static long FindBlock(byte[] bytes, NeuronKit.Tensors.TensorInfo tensor, int row)
    {
        var values = tensor.View().Select(0, row).ToDoubles();
        for (long at = 0; at + 34 <= bytes.Length; at++)
        {
            double d = (double)BitConverter.ToHalf(bytes, (int)at);
            if (Enumerable.Range(0, 32).All(j => (float)((sbyte)bytes[at + 2 + j] * (float)d) == values[j])) return at;
        }
        throw new InvalidOperationException("no block decodes to the row");
    }

    [Fact]
    public void Show_raw_prints_a_q6_k_neurons_integers_scales_and_zero_point()
    {
        var run = CliRun.Of("show", Fixtures.Path("gguf/tiny_k_quants.gguf"), "blk.0.ffn_gate", "3", "--raw", "--json");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Equal("", run.Stderr);
        Expectation.Matches("show/tiny_k_quants_ffn_gate_3_raw.json", run.Stdout);
    }
}
