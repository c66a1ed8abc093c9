using NeuronKit.Tensors;

namespace NeuronKit.Formats.Gguf;

/// <summary>
/// Every <c>enum ggml_type</c> id (ggml include/ggml.h; blocks from src/ggml-common.h), the ones NeuronKit reads with
/// their DType or decoder, the rest by name so a refusal can say what the file holds.
/// </summary>
internal static class GgmlTypes
{
    private static readonly GgmlType[] Table =
    [
        new(0, "f32", 1, 4, DType.Float32),
        new(1, "f16", 1, 2, DType.Float16),
        new(2, "q4_0", 32, 18, Decoder: LegacyQuants.Q4_0, Encoder: LegacyQuantizers.Q4_0, Integers: LegacyQuants.Q4_0Integers),
        new(3, "q4_1", 32, 20, Decoder: LegacyQuants.Q4_1, Integers: LegacyQuants.Q4_1Integers, Minimums: LegacyQuants.Q4_1Minimums),
        new(4, "q4_2", 0, 0),                          // removed from ggml in 2023
        new(5, "q4_3", 0, 0),                          // removed from ggml in 2023
        new(6, "q5_0", 32, 22, Decoder: LegacyQuants.Q5_0, Integers: LegacyQuants.Q5_0Integers),
        new(7, "q5_1", 32, 24, Decoder: LegacyQuants.Q5_1, Integers: LegacyQuants.Q5_1Integers, Minimums: LegacyQuants.Q5_1Minimums),
        new(8, "q8_0", 32, 34, Decoder: LegacyQuants.Q8_0, Encoder: LegacyQuantizers.Q8_0, Integers: LegacyQuants.Q8_0Integers),
        new(9, "q8_1", 32, 36),                        // an intermediate type for dot products, not written to models
        new(10, "q2_k", 256, 84, Decoder: KQuants.Q2_K, Integers: KQuants.Q2_KIntegers, Minimums: KQuants.Q2_KMinimums),
        new(11, "q3_k", 256, 110, Decoder: KQuants.Q3_K, Integers: KQuants.Q3_KIntegers),
        new(12, "q4_k", 256, 144, Decoder: KQuants.Q4_K, Integers: KQuants.Q4_KIntegers, Minimums: KQuants.Q4_KMinimums),
        new(13, "q5_k", 256, 176, Decoder: KQuants.Q5_K, Integers: KQuants.Q5_KIntegers, Minimums: KQuants.Q5_KMinimums),
        new(14, "q6_k", 256, 210, Decoder: KQuants.Q6_K, Integers: KQuants.Q6_KIntegers),
        new(15, "q8_k", 256, 292),
        new(16, "iq2_xxs", 256, 66),
        new(17, "iq2_xs", 256, 74),
        new(18, "iq3_xxs", 256, 98),
        new(19, "iq1_s", 256, 50),
        new(20, "iq4_nl", 32, 18, Decoder: NonLinearQuants.IQ4_NL, Codebook: NonLinearQuants.IQ4_NLCodes),
        new(21, "iq3_s", 256, 110),
        new(22, "iq2_s", 256, 82),
        new(23, "iq4_xs", 256, 136, Decoder: NonLinearQuants.IQ4_XS, Codebook: NonLinearQuants.IQ4_XSCodes),
        new(24, "i8", 1, 1, DType.Int8),
        new(25, "i16", 1, 2, DType.Int16),
        new(26, "i32", 1, 4, DType.Int32),
        new(27, "i64", 1, 8, DType.Int64),
        new(28, "f64", 1, 8, DType.Float64),
        new(29, "iq1_m", 256, 56),
        new(30, "bf16", 1, 2, DType.BFloat16),
        new(31, "q4_0_4_4", 0, 0),                     // repacked layouts, removed from GGUF files
        new(32, "q4_0_4_8", 0, 0),
        new(33, "q4_0_8_8", 0, 0),
        new(34, "tq1_0", 256, 54, Decoder: LowBitQuants.TQ1_0, Integers: LowBitQuants.TQ1_0Integers),
        new(35, "tq2_0", 256, 66, Decoder: LowBitQuants.TQ2_0, Integers: LowBitQuants.TQ2_0Integers),
        new(36, "iq4_nl_4_4", 0, 0),
        new(37, "iq4_nl_4_8", 0, 0),
        new(38, "iq4_nl_8_8", 0, 0),
        new(39, "mxfp4", 32, 17, Decoder: MicroscalingQuants.MXFP4, Encoder: MicroscalingQuantizers.MXFP4, Codebook: MicroscalingQuants.MXFP4Codes),
        new(40, "nvfp4", 64, 36, Decoder: MicroscalingQuants.NVFP4, Codebook: MicroscalingQuants.NVFP4Codes),
        new(41, "q1_0", 128, 18, Decoder: LowBitQuants.Q1_0),
        new(42, "q2_0", 64, 18, Decoder: LowBitQuants.Q2_0, Integers: LowBitQuants.Q2_0Integers),
    ];

    /// <summary>The type with id <paramref name="id"/>, or null for an id ggml never defined.</summary>
    public static GgmlType? Find(uint id) => id < Table.Length ? Table[id] : null;

    /// <summary>The type named <paramref name="name"/> (<c>q8_0</c>), or null.</summary>
    public static GgmlType? ByName(string name) => Table.FirstOrDefault(t => t.Name == name);

    /// <summary>The names of the quantized types NeuronKit writes back after an edit, for messages.</summary>
    public static string Writable => string.Join(", ", Table.Where(t => t.Encoder is not null).Select(t => t.Name));

    /// <summary>The names of the types NeuronKit reads, for hints.</summary>
    public static string Readable => string.Join(", ", Table.Where(t => t.Readable).Select(t => t.Name));
}
