namespace NeuronKit.Tests.Formats.Gguf;

/// <summary>
/// The GGUF reference answers (the reference dequantization's values, float32 products in ggml's order) cover every
/// type the reader supports; Oracle/OracleTests checks each of them.
/// </summary>
public class GgufOracleTests
{
    [Fact]
    public void Every_readable_type_is_queried_by_the_oracle()
    {
        // Given the queries, when their parts' stored types are collected, then each type the reader supports appears
        var types = GgufExpected.Queries().SelectMany(q => q.Expect.GetProperty("parts").EnumerateArray())
            .Select(p => p.GetProperty("dtype").GetString()).ToHashSet();

        Assert.Superset(new HashSet<string?> { "float32", "float16", "bfloat16", "float64", "int8", "int16", "int32", "int64", "q8_0", "q4_0",
            "q4_1", "q5_0", "q5_1", "q2_k", "q3_k", "q4_k", "q5_k", "q6_k" }, types);
    }
}
