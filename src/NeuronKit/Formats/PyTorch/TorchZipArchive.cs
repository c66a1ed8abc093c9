using System.Text;
using NeuronKit.Containers.Pickle;
using NeuronKit.Containers.Zip;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.PyTorch;

/// <summary>Opens the zip variant (torch ≥ 1.6): central directory, <c>byteorder</c> and <c>data.pkl</c>; no storage bytes.</summary>
internal static class TorchZipArchive
{
    private const int MaxSmallRecord = 64;

    public static TorchPickle Open(ByteSource file, string fileName)
    {
        var zip = ZipArchiveReader.Open(file, fileName);
        if (zip.Entries.Count == 0)
            throw new CheckpointException($"{fileName} is an empty zip archive, not a torch.save file");
        // torch's PyTorchStreamReader takes the archive folder from the first entry's name.
        string first = zip.Entries[0].Name;
        int slash = first.IndexOf('/');
        if (slash <= 0)
            throw new CheckpointException($"{fileName} is a zip archive but not a torch.save file (its first entry '{first}' is not in a folder)");
        string prefix = first[..slash];
        var stray = zip.Entries.FirstOrDefault(e => !e.Name.StartsWith(prefix + "/", StringComparison.Ordinal));
        if (stray is not null)
            throw new CheckpointException($"{fileName} is corrupt: zip entry '{stray.Name}' lies outside the archive folder '{prefix}'");
        if (zip.Find($"{prefix}/constants.pkl") is not null || zip.Entries.Any(e => e.Name.StartsWith($"{prefix}/code/", StringComparison.Ordinal)))
            throw new CheckpointException($"{fileName} is a TorchScript archive (torch.jit.save); NeuronKit reads state dicts and torch.save files, not TorchScript",
                ["TorchScript archives hold code; in Python, torch.save(torch.jit.load(path).state_dict(), 'weights.pt') keeps only the weights"]);
        var dataPkl = zip.Find($"{prefix}/data.pkl")
            ?? throw new CheckpointException($"{fileName} is a zip archive without {prefix}/data.pkl, so not a torch.save file");

        string byteOrder = SmallRecord(zip, $"{prefix}/byteorder", fileName) ?? "little";
        if (byteOrder != "little")
            throw new CheckpointException(byteOrder == "big"
                ? $"{fileName} was saved on a big-endian machine (byteorder 'big'); NeuronKit reads little-endian checkpoints"
                : $"{fileName} is corrupt: its byteorder record says '{byteOrder}', not 'little' or 'big'");

        var records = new TorchZipStorageRecords(zip, prefix, fileName);
        var pickle = zip.Read(dataPkl);
        if (!pickle.IsInPlace) records.Owned.Add(pickle.Source);
        long end = pickle.Offset + pickle.Length;
        var result = Unpickler.Load(pickle.Source, pickle.Offset, end, fileName, TorchAllowlist.Instance);
        if (result.End != end)
            throw new CheckpointException($"{fileName} is corrupt: {prefix}/data.pkl has {end - result.End} bytes after its pickle ends");

        var metadata = new Dictionary<string, string>
        {
            ["variant"] = "zip",
            ["prefix"] = prefix,
            ["byteorder"] = byteOrder,
            ["protocol"] = result.Protocol.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (SmallRecord(zip, $"{prefix}/version", fileName) is { } version) metadata["version"] = version.Trim();
        return new TorchPickle(result.Root, records, metadata);
    }

    private static string? SmallRecord(ZipArchiveReader zip, string name, string fileName)
    {
        if (zip.Find(name) is not { } entry) return null;
        if (entry.UncompressedSize > MaxSmallRecord)
            throw new CheckpointException($"{fileName} is corrupt: its {name} record holds {entry.UncompressedSize} bytes, not a short text");
        var record = zip.Read(entry);
        return Encoding.ASCII.GetString(record.Source.Span(record.Offset, (int)record.Length));
    }
}
