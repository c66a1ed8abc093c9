using NeuronKit.Containers.Zip;
using NeuronKit.Formats.PyTorch;
using NeuronKit.Tensors;
using NeuronKit.Tests.Edits;

namespace NeuronKit.Tests.Formats.PyTorch;

/// <summary>TorchZipWriter lays records out as torch.save does: an archive torch wrote, rewritten record by record, is the same bytes.</summary>
public class TorchZipWriterTests
{
    [Theory]
    [InlineData("prune/mlp.pt", true)]
    [InlineData("prune/mlp.pt", false)]
    [InlineData("prune/rnn.pt", true)]
    [InlineData("prune/cnn.p4.pt", false)]
    public void An_archive_torch_wrote_comes_out_byte_for_byte_when_every_record_is_copied(string fixture, bool toFile)
    {
        // Given an archive written by torch.save
        string path = Fixtures.Path(fixture);
        using var file = MappedFile.Open(path);
        var zip = ZipArchiveReader.Open(file, Path.GetFileName(path));
        using var handle = File.OpenHandle(path);
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "copy.pt");

        // When every record is copied into a new archive, through the kernel (a file) or the read loop (memory)
        using (Stream stream = toFile ? new FileStream(output, FileMode.CreateNew) : new MemoryStream())
        {
            var writer = new TorchZipWriter(stream);
            foreach (var entry in zip.Entries)
            {
                var record = zip.Read(entry);
                writer.Copy(entry.Name, handle, record.Offset, record.Length, entry.Crc32);
            }
            writer.Finish();
            if (stream is MemoryStream memory) File.WriteAllBytes(output, memory.ToArray());
        }

        // Then it is the archive torch wrote
        Assert.Equal(PinnedCases.Sha(path), PinnedCases.Sha(output));
    }
}
