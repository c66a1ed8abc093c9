using NeuronKit.Formats.Gguf;

namespace NeuronKit.Tests.Formats.Gguf;

/// <summary>Cut and corrupted copies of a real fixture: opening either fails with a CheckpointException or yields tensors that all read.</summary>
public class GgufHostileFileTests
{
    private static readonly byte[] Model = File.ReadAllBytes(GgufExpected.Path("tiny_k_quants.gguf"));

    [Fact]
    public void Every_cut_of_the_file_is_refused_as_a_checkpoint_problem()
    {
        // Given the file cut at many lengths, header and data, when opened, then each is refused with exit code 3
        for (int length = 4; length < Model.Length; length += length < 3000 ? 11 : 1999)
        {
            using var file = new TempFile("cut.gguf", Model[..length]);
            var e = Assert.Throws<CheckpointException>(() => new GgufReader().Open(file.Path));
            Assert.StartsWith("cut.gguf ", e.Message);
        }
    }

    [Fact]
    public void Corrupted_header_bytes_never_escape_as_another_exception()
    {
        // Given header bytes overwritten at random (seeded), when opened, then the reader refuses the file, or every
        // tensor it accepted reads in full
        var random = new Random(20240611);
        int opened = 0;
        for (int trial = 0; trial < 200; trial++)
        {
            byte[] bytes = (byte[])Model.Clone();
            for (int k = random.Next(1, 4); k > 0; k--) bytes[random.Next(4, 2400)] = (byte)random.Next(256);
            using var file = new TempFile("corrupt.gguf", bytes);
            try
            {
                using var checkpoint = new GgufReader().Open(file.Path);
                foreach (var tensor in checkpoint.Tensors) tensor.View().ToDoubles();
                opened++;
            }
            catch (CheckpointException)
            {
            }
        }
        Assert.InRange(opened, 1, 199);
    }
}
