using System.Text;
using NeuronKit.Formats;
using NeuronKit.Formats.PyTorch;
using NeuronKit.Formats.TorchSharp;

namespace NeuronKit.Tests.Formats.TorchSharp;

/// <summary>A .dat file has no magic number: TorchSharp must claim its own files and nothing else.</summary>
public class TorchSharpDetectionTests
{
    private static readonly TorchSharpReader Reader = new();

    private static bool Claims(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return Reader.Detect(bytes.AsSpan(0, Math.Min(bytes.Length, 64))) && Reader.Confirm(path);
    }

    private static string Outcome(Func<Checkpoint> open)
    {
        try
        {
            using var checkpoint = open();
            return $"opens as {checkpoint.Format} with {checkpoint.Tensors.Count} tensors";
        }
        catch (CheckpointException e)
        {
            return $"fails: {e.Message}";
        }
    }

    public static TheoryData<string> PyTorchFixtures() =>
        [.. Directory.GetFiles(Fixtures.Path("pytorch")).Select(f => Path.GetFileName(f)).Order()];

    [Theory]
    [MemberData(nameof(PyTorchFixtures))]
    public void Every_PyTorch_fixture_opens_as_pytorch_or_fails_as_it_did_before(string name)
    {
        // Given a file of the PyTorch fixtures (checkpoints, broken files, text, expected.json)
        string path = Fixtures.PyTorch(name);
        byte[] bytes = File.ReadAllBytes(path);
        var head = bytes.AsSpan(0, Math.Min(bytes.Length, 64));

        // When it is opened with TorchSharp registered
        string outcome = Outcome(() => CheckpointFormats.Open(path));

        // Then PyTorch's files get PyTorch's answer, and nothing else is claimed by TorchSharp
        if (new PyTorchReader().Detect(head))
            Assert.Equal(Outcome(() => new PyTorchReader().Open(path)), outcome);
        else
        {
            Assert.False(Claims(path));
            Assert.Matches($"^fails: {name} (is empty|is not a checkpoint NeuronKit can read)", outcome);
        }
    }

    [Fact]
    public void Every_readable_TorchSharp_fixture_is_claimed_by_content_whatever_its_name()
    {
        foreach (var name in new[] { "seed_linear.dat", "seed_conv.dat", "seed_lstm.dat", "rnns.dat", "kinds.dat", "dtype_bfloat16.dat" })
        {
            using var renamed = new TempFile("weights.bin", File.ReadAllBytes(TorchSharpQuery.PathOf(name)));

            Assert.StartsWith("opens as torchsharp", Outcome(() => CheckpointFormats.Open(renamed.Path)));
        }
    }

    [Fact]
    public void A_damaged_file_gets_its_own_error_only_when_it_is_named_dat()
    {
        byte[] bytes = File.ReadAllBytes(TorchSharpQuery.PathOf("trailing_bytes.dat"));
        using var dat = new TempFile("model.dat", bytes);
        using var bin = new TempFile("model.bin", bytes);

        Assert.Equal("fails: model.dat has 3 trailing bytes after its last tensor (from offset 315)", Outcome(() => CheckpointFormats.Open(dat.Path)));
        Assert.StartsWith("fails: model.bin is not a checkpoint NeuronKit can read", Outcome(() => CheckpointFormats.Open(bin.Path)));
    }

    [Fact]
    public void A_file_whose_first_record_is_already_wrong_is_not_claimed_even_when_named_dat()
    {
        using var zeroCount = new TempFile("zero.dat", [0]);
        using var unknownFirstCode = new TempFile("code.dat", DatBuilder.Count(1).Tensor("w", 99, [1], new byte[4]).ToArray());

        Assert.False(Claims(zeroCount.Path));
        Assert.False(Claims(unknownFirstCode.Path));
    }

    [Theory]
    [InlineData("notes.dat")]
    [InlineData("notes.txt")]
    public void Text_is_never_claimed(string name)
    {
        // Given real and random text: READMEs, source, expected.json, and seeded lines of printable ASCII with
        // tabs and newlines (the bytes below 16 that printable text has), each cut at many lengths
        var random = new Random(20240611);
        var texts = new List<string>
        {
            File.ReadAllText(Fixtures.Path("README.md")),
            File.ReadAllText(TorchSharpQuery.PathOf("README.md")),
            File.ReadAllText(TorchSharpQuery.PathOf("expected.json")),
            File.ReadAllText(TorchSharpQuery.PathOf("Generate/Program.cs")),
        };
        for (int i = 0; i < 40; i++)
            texts.Add(string.Concat(Enumerable.Range(0, random.Next(1, 400)).Select(_ => random.Next(30) switch
            {
                0 => '\n',
                1 => '\t',
                _ => (char)random.Next(0x20, 0x7f),
            })));

        using var file = new TempFile(name, []);
        foreach (var text in texts)
            foreach (int length in new[] { 1, 2, 7, 64, 65, 200, text.Length }.Where(l => l <= text.Length).Distinct())
            {
                File.WriteAllBytes(file.Path, Encoding.UTF8.GetBytes(text[..length]));

                Assert.False(Claims(file.Path), $"claimed {length} chars of: {text[..Math.Min(40, length)]}");
            }
    }

    [Fact]
    public void Random_bytes_are_never_claimed()
    {
        var random = new Random(7);
        using var dat = new TempFile("noise.dat", []);
        using var bin = new TempFile("noise.bin", []);
        for (int i = 0; i < 300; i++)
        {
            byte[] bytes = new byte[random.Next(1, 300)];
            random.NextBytes(bytes);
            var file = i % 2 == 0 ? dat : bin;
            File.WriteAllBytes(file.Path, bytes);

            Assert.False(Claims(file.Path), $"claimed {Convert.ToHexString(bytes[..Math.Min(16, bytes.Length)])}");
        }
    }
}
