using System.Text;
using NeuronKit.Edits;
using NeuronKit.Formats;
using NeuronKit.Formats.Gguf;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// A GGUF prune writes its cut tensors a row at a time: pruning every feed-forward block of a 7B model must not hold
/// gigabytes of new bytes (or the dequantized values of a tensor whose columns go) in memory at once.
/// </summary>
public class PruneGgufMemoryTests
{
    private const int Embedding = 256, FeedForward = 1024, Q8_0 = 8, BlockBytes = 34;

    [Fact]
    public void Cut_tensors_are_written_without_holding_them_whole()
    {
        // Given a q8_0 feed-forward block of 3 × 256 × 1024 values (860 KiB), and a cut of 32 of its units
        using var folder = new TempFolder();
        string input = Path.Combine(folder.Path, "ffn.gguf"), output = Path.Combine(folder.Path, "pruned.gguf");
        File.WriteAllBytes(input, FeedForwardBlock());
        using var checkpoint = CheckpointFormats.Open(input);
        var gone = Enumerable.Range(64, 32).Select(i => (long)i).ToList();
        TensorCut[] cuts =
        [
            TensorCut.Along(checkpoint.Find("blk.0.ffn_up.weight")!, 0, gone),
            TensorCut.Along(checkpoint.Find("blk.0.ffn_gate.weight")!, 0, gone),
            TensorCut.Along(checkpoint.Find("blk.0.ffn_down.weight")!, 1, gone),
        ];
        long newBytes = cuts.Sum(c => c.NewShape.Aggregate(1L, (n, d) => n * d)) / 32 * BlockBytes;

        // When the writer writes them
        long before = GC.GetAllocatedBytesForCurrentThread();
        new GgufPruneWriter().Write(checkpoint, cuts, output);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Then it allocated a small part of what it wrote, and the file reads with the new shapes
        Assert.True(allocated < newBytes / 8, $"allocated {allocated:N0} bytes to write {newBytes:N0}");
        using var pruned = CheckpointFormats.Open(output);
        Assert.Equal([FeedForward - 32L, Embedding], pruned.Find("blk.0.ffn_up.weight")!.Shape);
        Assert.Equal([Embedding, FeedForward - 32L], pruned.Find("blk.0.ffn_down.weight")!.Shape);
        Assert.Equal(checkpoint.Find("blk.0.ffn_up.weight")!.View().Narrow(0, 96, 8).ToDoubles(),
            pruned.Find("blk.0.ffn_up.weight")!.View().Narrow(0, 64, 8).ToDoubles());
    }

    // A GGUF v3 file of one llama block's feed-forward tensors in q8_0 (blocks of a float16 scale and 32 int8s), as
    // llama.cpp lays it out: metadata, tensor infos (ne innermost first), data aligned to 32.
    private static byte[] FeedForwardBlock()
    {
        var random = new Random(7);
        (string Name, long[] Ne)[] tensors =
        [
            ("blk.0.ffn_up.weight", [Embedding, FeedForward]),
            ("blk.0.ffn_gate.weight", [Embedding, FeedForward]),
            ("blk.0.ffn_down.weight", [FeedForward, Embedding]),
        ];
        using var bytes = new MemoryStream();
        using var writer = new BinaryWriter(bytes);
        void Text(string s)
        {
            writer.Write((ulong)Encoding.UTF8.GetByteCount(s));
            writer.Write(Encoding.UTF8.GetBytes(s));
        }
        writer.Write("GGUF"u8);
        writer.Write(3u);
        writer.Write((ulong)tensors.Length);
        writer.Write(3ul);
        Text("general.architecture");
        writer.Write(8u);   // string
        Text("llama");
        foreach (var (key, value) in new[] { ("llama.block_count", 1u), ("llama.feed_forward_length", (uint)FeedForward) })
        {
            Text(key);
            writer.Write(4u);   // uint32
            writer.Write(value);
        }
        long offset = 0;
        foreach (var (name, ne) in tensors)
        {
            Text(name);
            writer.Write((uint)ne.Length);
            foreach (long n in ne) writer.Write((ulong)n);
            writer.Write((uint)Q8_0);
            writer.Write((ulong)offset);
            offset += ne[0] * ne[1] / 32 * BlockBytes;
        }
        while (bytes.Length % 32 != 0) writer.Write((byte)0);
        foreach (var (_, ne) in tensors)
            for (long block = 0; block < ne[0] * ne[1] / 32; block++)
            {
                writer.Write((Half)(random.NextSingle() / 127));
                for (int i = 0; i < 32; i++) writer.Write((sbyte)random.Next(-127, 128));
            }
        writer.Flush();
        return bytes.ToArray();
    }
}
