using NeuronKit.Formats;
using NeuronKit.Formats.TorchSharp;
using NeuronKit.Tensors;

namespace NeuronKit.Tests.Formats.TorchSharp;

/// <summary>Cut and corrupted .dat files fail with a CheckpointException at open, never with anything else.</summary>
public class TorchSharpFuzzTests
{
    [Theory]
    [InlineData("seed_linear.dat")]
    [InlineData("dtype_bfloat16.dat")]
    public void Every_truncation_of_a_small_dat_fails_cleanly(string name)
    {
        byte[] bytes = File.ReadAllBytes(TorchSharpQuery.PathOf(name));
        using var cut = new TempFile(name, []);
        for (int length = 0; length < bytes.Length; length++)
        {
            // Given the first length bytes of a good file, named as the original
            File.WriteAllBytes(cut.Path, bytes[..length]);

            // When it is opened by content, and by the TorchSharp reader itself
            var byContent = Assert.Throws<CheckpointException>(() => CheckpointFormats.Open(cut.Path).Dispose());
            var byReader = Assert.Throws<CheckpointException>(() => new TorchSharpReader().Open(cut.Path).Dispose());

            // Then both refuse it, naming the file; the reader says it is truncated (or empty)
            Assert.StartsWith(name + " ", byContent.Message);
            Assert.Matches(length == 0 ? "is empty" : "is truncated", byReader.Message);
        }
    }

    [Fact]
    public void Every_truncation_of_every_readable_fixture_is_refused_by_the_scan_as_truncated()
    {
        foreach (var name in new[] { "seed_conv.dat", "seed_lstm.dat", "rnns.dat", "kinds.dat", "dtype_float64.dat", "dtype_float16.dat" })
        {
            byte[] bytes = File.ReadAllBytes(TorchSharpQuery.PathOf(name));
            for (int length = 1; length < bytes.Length; length++)
            {
                var scanner = new TorchSharpScanner(new MemoryBytes(bytes[..length]), name);

                var e = Assert.Throws<CheckpointException>(() => scanner.Scan());

                Assert.True(scanner.RanOutOfBytes, $"{name} cut at {length}: {e.Message}");
                Assert.StartsWith($"{name} is truncated: ", e.Message);
            }
        }
    }

    [Fact]
    public void Every_single_byte_corruption_parses_cleanly_or_is_refused_and_never_reads_outside_the_file()
    {
        byte[] good = File.ReadAllBytes(TorchSharpQuery.PathOf("seed_linear.dat"));
        int parsed = 0, refused = 0;
        foreach (byte value in new byte[] { 0x00, 0x01, 0x06, 0x0f, 0x40, 0x7f, 0x80, 0xc3, 0xff })
            for (int at = 0; at < good.Length; at++)
            {
                byte[] bytes = (byte[])good.Clone();
                bytes[at] = value;
                try
                {
                    var entries = new TorchSharpScanner(new MemoryBytes(bytes), "fuzz.dat").Scan();
                    Assert.All(entries, e => Assert.InRange(e.DataOffset + e.ByteLength, e.DataOffset, bytes.Length));
                    parsed++;
                }
                catch (CheckpointException e)
                {
                    Assert.StartsWith("fuzz.dat ", e.Message);
                    refused++;
                }
            }

        Assert.True(parsed > 0 && refused > 0, $"{parsed} parsed, {refused} refused");
    }
}
