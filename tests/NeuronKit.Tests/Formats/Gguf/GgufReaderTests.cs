using System.Text.Json;
using NeuronKit.Formats;
using NeuronKit.Formats.Gguf;
using NeuronKit.Tensors;
using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Formats.Gguf;

public class GgufReaderTests
{
    private static Checkpoint Open(string file) => CheckpointFormats.Open(GgufExpected.Path(file));

    [Fact]
    public void Metadata_of_every_value_type_is_rendered_as_short_strings()
    {
        using var checkpoint = Open("metadata.gguf");
        var m = checkpoint.Metadata;

        Assert.Equal("3", m["version"]);
        Assert.Equal("64", m["general.alignment"]);
        Assert.Equal(("200", "-100", "65000", "-32000"), (m["test.uint8"], m["test.int8"], m["test.uint16"], m["test.int16"]));
        Assert.Equal(("4000000000", "-2000000000", "0.25", "true"), (m["test.uint32"], m["test.int32"], m["test.float32"], m["test.bool"]));
        Assert.Equal(("héllo", "18446744073709551615", "-9223372036854775808", "-1.5"),
            (m["test.string"], m["test.uint64"], m["test.int64"], m["test.float64"]));
        Assert.Equal(("[1, -2, 3]", "[true, false]", "[\"a\", \"b c\"]", "[]"),
            (m["test.array.int32"], m["test.array.bool"], m["test.array.string"], m["test.array.empty"]));
        Assert.Equal("[[1, 2], [3]]", m["test.array.nested"]);
        Assert.Equal(new string('x', 256) + "… (300 characters)", m["test.long_string"]);
        Assert.Equal("array of 500 strings", m["tokenizer.ggml.tokens"]);
        Assert.Equal("array of 100 float32", m["tokenizer.ggml.scores"]);
    }

    [Fact]
    public void A_model_file_keeps_its_llama_metadata()
    {
        using var checkpoint = Open("tiny_q4_0.gguf");

        Assert.Equal("llama", checkpoint.Metadata["general.architecture"]);
        Assert.Equal("32", checkpoint.Metadata["llama.embedding_length"]);
        Assert.Equal("[\"<unk>\", \"<s>\", \"</s>\", \"t0\", \"t1\", \"t2\", \"t3\", \"t4\"]", checkpoint.Metadata["tokenizer.ggml.tokens"]);
    }

    [Fact]
    public void A_version_2_file_reads_like_version_3()
    {
        using var v2 = Open("tiny_v2.gguf");

        Assert.Equal("2", v2.Metadata["version"]);
        Assert.Equal(21, v2.Tensors.Count);
    }

    [Fact]
    public void Dimensions_are_reversed_into_PyTorch_order()
    {
        // Given attn_k written with ne = [32, 8] (in = 32, out = 8), when read, then its shape is [out, in]
        using var checkpoint = Open("tiny_f32.gguf");

        Assert.Equal([8L, 32], checkpoint.Find("blk.0.attn_k.weight")!.Shape);
        Assert.Equal([8L, 32], checkpoint.Find("token_embd.weight")!.Shape);
        Assert.Equal([32L], checkpoint.Find("output_norm.weight")!.Shape);
    }

    [Fact]
    public void Plain_tensors_are_views_of_the_mapped_file_and_quantized_ones_are_float32_over_their_decoder()
    {
        using var checkpoint = Open("tiny_k_quants.gguf");
        var norm = checkpoint.Find("blk.0.attn_norm.weight")!;
        var q = checkpoint.Find("blk.0.attn_q.weight")!;
        var o = checkpoint.Find("blk.0.attn_output.weight")!;

        Assert.IsType<MappedFile>(norm.Storage.Source);
        Assert.Equal((DType.Float32, (string?)null), (norm.DType, norm.StoredAs));
        Assert.Equal((DType.Float16, (string?)null), (o.DType, o.StoredAs));
        var rows = Assert.IsAssignableFrom<DequantizedRows>(q.Storage.Source);
        Assert.Equal((DType.Float32, "q3_k", "q3_k"), (q.DType, q.StoredAs, rows.StoredAs));
        Assert.Equal(8 * 256 * 4, rows.Length);
    }

    [Fact]
    public void Opening_decodes_nothing_and_one_row_decodes_only_its_own_block()
    {
        // Given a K-quant model, freshly opened
        using var model = Model.Open(GgufExpected.Path("tiny_k_quants.gguf"));
        var decoders = model.Checkpoint.Tensors.Select(t => t.Storage.Source).OfType<DequantizedRows>().ToList();
        Assert.Equal(12, decoders.Count);
        Assert.All(decoders, d => Assert.Equal(0, d.BlocksDecoded));

        // When neuron 3 of blk.1.attn_q (a row of 256 = one q3_k block) is read
        model.Neuron("blk.1.attn_q", 3).Parts[0].ToDoubles();

        // Then that tensor decoded one block, and no other tensor any
        var q = (DequantizedRows)model.Checkpoint.Find("blk.1.attn_q.weight")!.Storage.Source;
        Assert.Equal(1, q.BlocksDecoded);
        Assert.Equal(1, decoders.Sum(d => d.BlocksDecoded));
    }

    [Fact]
    public void Decoded_spans_stay_valid_while_others_are_taken_and_reads_match_them_at_any_offset()
    {
        // Given a q3_k tensor's decoder (rows of 256 values, one block each)
        using var checkpoint = Open("tiny_k_quants.gguf");
        var rows = (DequantizedRows)checkpoint.Find("blk.0.attn_q.weight")!.Storage.Source;
        byte[] first = rows.Span(0, 1024).ToArray(), second = rows.Span(1024, 1024).ToArray();
        Assert.NotEqual(first, second);

        // When two spans are held at once, as a comparison of two rows holds them
        var a = rows.Span(0, 1024);
        var b = rows.Span(1024, 1024);

        // Then each still shows its own row, and a read across a block boundary at an odd offset shows the same bytes
        Assert.True(a.SequenceEqual(first) && b.SequenceEqual(second));
        var across = new byte[600];
        rows.Read(1000 - 3, across);
        Assert.Equal([.. first[997..], .. second[..(600 - 27)]], across);
    }

    [Fact]
    public void An_embedding_unit_decodes_one_block_per_token()
    {
        using var model = Model.Open(GgufExpected.Path("tiny_k_quants.gguf"));

        model.Neuron("token_embd", 100).Parts[0].ToDoubles();

        Assert.Equal(4, ((DequantizedRows)model.Checkpoint.Find("token_embd.weight")!.Storage.Source).BlocksDecoded);
    }

    [Fact]
    public void A_slice_inside_a_block_reads_the_same_values_as_the_whole_row()
    {
        // Given a q5_k row, when elements 100..109 are read alone, then they equal those of the whole row
        using var checkpoint = Open("tiny_k_quants.gguf");
        var row = checkpoint.Find("blk.0.attn_v.weight")!.View().Select(0, 5);

        double[] whole = row.ToDoubles();
        double[] part = row.Narrow(0, 100, 10).ToDoubles();

        Assert.Equal(whole[100..110], part);
    }

    [Fact]
    public void The_Q_and_K_projections_carry_the_row_permutation_note_and_nothing_is_assumed()
    {
        using var model = Model.Open(GgufExpected.Path("tiny_f16.gguf"));

        Assert.Contains(model.Layer("blk.0.attn_q").Evidence, e => e.Contains("permutes its rows"));
        Assert.Contains(model.Layer("blk.1.attn_k").Evidence, e => e.Contains("permutes its rows"));
        Assert.DoesNotContain(model.Layer("blk.0.attn_v").Evidence, e => e.Contains("permutes"));
        Assert.All(model.Layers, l => Assert.False(l.Assumed, $"{l.Name} is assumed: {string.Join("; ", l.Evidence)}"));
        Assert.Equal(["Embedding", "RMSNorm", "Linear"], model.Layers.Select(l => l.Kind).Distinct());
    }

    [Fact]
    public void Tensors_json_shows_the_stored_encoding_as_dtype()
    {
        var run = CliRun.Of("tensors", GgufExpected.Path("tiny_q4_1.gguf"), "--json");

        Assert.Equal(0, run.Exit);
        using var json = JsonDocument.Parse(run.Stdout);
        var dtypes = json.RootElement.GetProperty("tensors").EnumerateArray()
            .ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("dtype").GetString());
        Assert.Equal("q4_1", dtypes["blk.0.attn_q.weight"]);
        Assert.Equal("float32", dtypes["blk.0.attn_norm.weight"]);
    }

    [Theory]
    [InlineData("tiny_f32.gguf")]
    [InlineData("tiny_bf16.gguf")]
    [InlineData("tiny_q4_0.gguf")]
    [InlineData("tiny_q5_1.gguf")]
    [InlineData("tiny_k_quants.gguf")]
    public void Tensors_json_gives_the_bytes_each_tensor_takes_in_the_file(string file)
    {
        // The writer's own count of each tensor's encoded bytes (make_gguf.py), not 4 bytes per decoded weight.
        using var manifest = JsonDocument.Parse(File.ReadAllText(GgufExpected.Path("manifest.json")));
        var expected = manifest.RootElement.GetProperty(file).GetProperty("tensors").EnumerateArray()
            .ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("bytes").GetInt64());

        var run = CliRun.Of("tensors", GgufExpected.Path(file), "--json");

        Assert.Equal(0, run.Exit);
        using var json = JsonDocument.Parse(run.Stdout);
        var bytes = json.RootElement.GetProperty("tensors").EnumerateArray()
            .ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("bytes").GetInt64());
        Assert.Equal(expected, bytes);
        Assert.Contains($"{expected.Values.Sum():N0} bytes", CliRun.Of("tensors", GgufExpected.Path(file)).Stdout);
    }

    [Fact]
    public void A_GGUF_file_is_told_by_its_magic_not_its_name()
    {
        var reader = new GgufReader();

        Assert.True(reader.Detect("GGUF\x03\0\0\0"u8));
        Assert.False(reader.Detect("GGML"u8));
        // The registry's first claimant decides (TorchSharp, last, detects loosely and confirms by parsing the whole file)
        Assert.IsType<GgufReader>(CheckpointFormats.All.First(r => r.Detect("GGUF"u8)));
    }
}
