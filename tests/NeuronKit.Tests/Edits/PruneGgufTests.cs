using NeuronKit.Tests.Cli;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// <c>neuron prune</c> on GGUF files writes the bytes make_prune.py judged with ggml's reference dequantizers and
/// quantizers (and @huggingface/gguf): the feed-forward units gone from ffn_up, ffn_gate and ffn_down, q8_0 rows that lost
/// columns quantized again, offsets laid out with the file's alignment, llama.feed_forward_length per block.
/// </summary>
public class PruneGgufTests
{
    private const string Pinned = "prune/expected_prune_onnx_gguf.json";

    public static TheoryData<string> Cases() =>
        [.. PinnedCases.Read(Pinned).Where(c => c.GetProperty("input").GetString()!.EndsWith(".gguf")).Select(c => c.GetProperty("name").GetString()!)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_pruned_file_is_the_one_the_reference_decoders_accepted(string name)
    {
        using var folder = new TempFolder();

        string output = PinnedCases.Prune(PinnedCases.Named(Pinned, name), folder, "pruned.gguf");

        Assert.Equal([output], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void The_feed_forward_length_is_stated_per_block_when_one_block_shrinks()
    {
        // Given
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "pruned.gguf");

        // When
        var run = CliRun.Of(["prune", Fixtures.Path("prune/llama_f32.gguf"), "blk.1.ffn_gate", "0,1,2", "-o", output]);

        // Then
        Assert.True(run.Exit == 0, run.Stderr);
        using var model = Model.Open(output);
        Assert.Equal("[64, 61]", model.Checkpoint.Metadata["llama.feed_forward_length"]);
        Assert.Equal([61L, 32L], model.Checkpoint.Find("blk.1.ffn_up.weight")!.Shape);
        Assert.Equal([32L, 61L], model.Checkpoint.Find("blk.1.ffn_down.weight")!.Shape);
    }

    [Fact]
    public void A_fused_gate_and_up_unit_restates_the_feed_forward_length_by_its_ffn_down_columns()
    {
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "pruned.gguf");

        // When up unit 8 of Phi-3's ffn_up (gate | up, 6 each) goes
        var run = CliRun.Of(["prune", Fixtures.Path("prune/phi3_f32.gguf"), "blk.0.ffn_up", "8", "-o", output]);

        // Then with gate unit 2 as one unit: 12 rows → 10, phi3.feed_forward_length 6 → 5 for block 0 alone
        Assert.True(run.Exit == 0, run.Stderr);
        using var model = Model.Open(output);
        Assert.Equal("[5, 6]", model.Checkpoint.Metadata["phi3.feed_forward_length"]);
        Assert.Equal([10L, 8L], model.Checkpoint.Find("blk.0.ffn_up.weight")!.Shape);
        Assert.Equal([8L, 5L], model.Checkpoint.Find("blk.0.ffn_down.weight")!.Shape);
    }

    [Fact]
    public void An_ffn_up_its_ffn_down_reads_whole_loses_one_row_a_unit_without_an_ffn_gate_too()
    {
        // Given llama_ffn.gguf with its ffn_gate renamed (the same length: every offset stays), as GPT-2's and Falcon's
        // GGUF files have none: ffn_up [8, 4] and ffn_down [4, 8], not gate | up halves
        using var folder = new TempFolder();
        string model = Path.Combine(folder.Path, "ffn.gguf"), output = Path.Combine(folder.Path, "pruned.gguf");
        var bytes = File.ReadAllBytes(Fixtures.Path("graph/llama_ffn.gguf"));
        byte[] gate = "blk.0.ffn_gate.weight"u8.ToArray();
        int at = bytes.AsSpan().IndexOf(gate);
        "blk.0.ffn_gatx.weight"u8.CopyTo(bytes.AsSpan(at));
        File.WriteAllBytes(model, bytes);

        var run = CliRun.Of("prune", model, "blk.0.ffn_up", "3", "-o", output);

        Assert.True(run.Exit == 0, run.Stderr);
        using var pruned = Model.Open(output);
        Assert.Equal("7", pruned.Checkpoint.Metadata["llama.feed_forward_length"]);
        Assert.Equal([7L, 4L], pruned.Checkpoint.Find("blk.0.ffn_up.weight")!.Shape);
        Assert.Equal([4L, 7L], pruned.Checkpoint.Find("blk.0.ffn_down.weight")!.Shape);
    }

    [Theory]
    [InlineData("blk.0.ffn_down", "blk.1.attn_q", "blk.0.ffn_down.weight would lose 1 of the 32 entries of its dimension 0")]
    [InlineData("token_embd", "blk.0.attn_q", "token_embd.weight would lose 1 of the 32 entries of its dimension 1")]
    public void A_cut_of_a_size_llama_cpp_reads_from_metadata_other_than_the_feed_forward_length_is_refused(string layer, string consumer, string message)
    {
        // Given a unit of the embedding width every block's residual stream shares, and a consumer named for it
        using var folder = new TempFolder();

        // When it is pruned
        var run = CliRun.Of(["prune", Fixtures.Path("prune/llama_f32.gguf"), layer, "3", "--consumer", consumer, "-o", Path.Combine(folder.Path, "pruned.gguf")]);

        // Then nothing is written: llama.cpp would size that tensor from llama.embedding_length and refuse the file
        Assert.Equal(2, run.Exit);
        Assert.Contains(message, run.Stderr);
        Assert.Contains("a prune restates only a block's feed-forward length (llama.feed_forward_length", run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void A_quantized_row_that_would_stop_being_whole_blocks_is_refused_before_anything_is_written()
    {
        // Given
        using var folder = new TempFolder();

        // When
        var run = CliRun.Of(["prune", Fixtures.Path("prune/llama_q8_0.gguf"), "blk.0.ffn_up", "0,1,2", "-o", Path.Combine(folder.Path, "pruned.gguf")]);

        // Then
        Assert.Equal(2, run.Exit);
        Assert.Contains("blk.0.ffn_down.weight is q8_0, whose rows are blocks of 32 values", run.Stderr);
        Assert.Contains("hint: remove a multiple of 32 neurons: 29 more (32)\n", run.Stderr.ReplaceLineEndings("\n"));
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Theory]
    [InlineData("0-32", "hint: remove a multiple of 32 neurons: 1 fewer (32)\n")] // 31 more would remove all 64
    [InlineData("0-39", "hint: remove a multiple of 32 neurons: 8 fewer (32)\n")]
    public void The_counts_a_quantized_row_s_blocks_allow_neither_remove_none_nor_all(string range, string hint)
    {
        using var folder = new TempFolder();
        string indices = string.Join(",", Enumerable.Range(0, int.Parse(range[2..]) + 1));

        var run = CliRun.Of(["prune", Fixtures.Path("prune/llama_q8_0.gguf"), "blk.0.ffn_up", indices, "-o", Path.Combine(folder.Path, "pruned.gguf")]);

        Assert.Equal(2, run.Exit);
        Assert.Contains(hint, run.Stderr.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("blk.0.attn_v", "1", "blk.0.attn_v.weight would lose 1 unit of llama.cpp's attention heads")]
    [InlineData("blk.1.attn_v", "0,1,2,3,4,5,6,7", "blk.1.attn_v.weight would lose 8 units of llama.cpp's attention heads")] // a whole head
    public void A_prune_of_attention_heads_llama_cpp_could_not_load_is_refused_before_anything_is_written(string layer, string units, string message)
    {
        // Given a llama without grouped-query attention: attn_output reads attn_v's 16 rows one for one
        using var folder = new TempFolder();

        // When
        var run = CliRun.Of("prune", Fixtures.Path("prune/llama_mha_f32.gguf"), layer, units, "-o", Path.Combine(folder.Path, "pruned.gguf"));

        // Then: llama.cpp takes every head's size from one value and would refuse attn_v and attn_output cut narrower
        Assert.Equal(2, run.Exit);
        Assert.Contains(message, run.Stderr);
        Assert.Contains($"hint: ablate with neuron edit {layer} J --zero --outgoing instead", run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void A_block_count_no_tensors_could_fill_is_refused_not_allocated()
    {
        // Found by the writer fuzz: llama.block_count (a u32 at byte 139 of llama_ffn.gguf) set to 3,399,241,246.
        using var folder = new TempFolder();
        string model = Path.Combine(folder.Path, "llama_ffn.gguf");
        var bytes = File.ReadAllBytes(Fixtures.Path("graph/llama_ffn.gguf"));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(139), 3_399_241_246);
        File.WriteAllBytes(model, bytes);

        var run = CliRun.Of("prune", model, "blk.0.ffn_up", "3", "-o", Path.Combine(folder.Path, "out.gguf"));

        Assert.Equal(3, run.Exit);
        Assert.Contains("states a block count of 3399241246, which its", run.Stderr);
        Assert.Equal(["llama_ffn.gguf"], Directory.GetFileSystemEntries(folder.Path).Select(Path.GetFileName));
    }
}
