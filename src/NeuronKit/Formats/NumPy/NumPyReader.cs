using NeuronKit.Containers.Zip;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.NumPy;

// Layout of NumPy files (numpy/lib/format.py, "NPY format"; numpy/lib/npyio.py savez):
//  .npy  1. magic \x93NUMPY, major, minor (1.0, 2.0 or 3.0)
//        2. header length: u16 LE (1.0) or u32 LE (2.0, 3.0)
//        3. header: a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } padded with spaces
//           and ended by '\n' so the data starts 64-byte aligned; latin-1 (1.0, 2.0) or UTF-8 (3.0)
//        4. the elements, C order or (fortran_order) Fortran order, nothing after them
//  .npz  a zip archive (np.savez: stored; np.savez_compressed: deflated) of one .npy per array, named "<key>.npy".

/// <summary>
/// Reads NumPy <c>.npy</c> arrays (one tensor, named by the file's stem) and <c>.npz</c> archives (one tensor per member,
/// <c>fc.weight.npy</c> → <c>fc.weight</c>), parsing headers strictly and never unpickling.
/// </summary>
public sealed class NumPyReader : ICheckpointReader
{
    private const string NpyExtension = ".npy";

    /// <inheritdoc/>
    public string Name => "numpy";

    /// <inheritdoc/>
    public string Description => "NumPy arrays (.npy) and archives of arrays (.npz, from np.savez or np.savez_compressed)";

    /// <inheritdoc/>
    public bool Detect(ReadOnlySpan<byte> head) => head.StartsWith(NpyArray.Magic) || IsNpz(head);

    /// <inheritdoc/>
    public Checkpoint Open(string path)
    {
        string fileName = ByteSources.FileName(path);
        var file = ByteSources.Open(path);
        var owned = new List<IDisposable>();
        try
        {
            if (file.Length >= NpyArray.Magic.Length && file.Span(0, NpyArray.Magic.Length).SequenceEqual(NpyArray.Magic))
            {
                string name = fileName.EndsWith(NpyExtension, StringComparison.OrdinalIgnoreCase) ? fileName[..^NpyExtension.Length] : fileName;
                var tensor = NpyArray.Read(file, 0, file.Length, name, fileName);
                return new Checkpoint(path, Name, [tensor], [file], new Dictionary<string, string> { ["variant"] = "npy" });
            }
            var tensors = ReadArchive(file, fileName, owned);
            return new Checkpoint(path, Name, tensors, [.. owned, file],
                new Dictionary<string, string> { ["variant"] = "npz", ["arrays"] = tensors.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        catch
        {
            foreach (var o in owned) o.Dispose();
            file.Dispose();
            throw;
        }
    }

    private static List<TensorInfo> ReadArchive(ByteSource file, string fileName, List<IDisposable> owned)
    {
        var zip = ZipArchiveReader.Open(file, fileName);
        if (zip.Entries.Count == 0)
            throw new CheckpointException($"{fileName} is an empty zip archive, with no arrays");
        var stray = zip.Entries.FirstOrDefault(e => !e.Name.EndsWith(NpyExtension, StringComparison.Ordinal) || e.Name.Length == NpyExtension.Length);
        if (stray is not null)
            throw new CheckpointException($"{fileName} is a zip archive but not an .npz: its entry '{stray.Name}' is not an .npy array");
        var tensors = new List<TensorInfo>(zip.Entries.Count);
        foreach (var entry in zip.Entries)
        {
            // Stored members (np.savez) are read in place; deflated ones (np.savez_compressed) are inflated, capped at their declared size.
            var record = zip.Read(entry);
            if (!record.IsInPlace) owned.Add(record.Source);
            string name = entry.Name[..^NpyExtension.Length];
            tensors.Add(NpyArray.Read(record.Source, record.Offset, record.Length, name, $"{fileName} member {entry.Name}"));
        }
        return tensors;
    }

    // An npz is a zip whose first entry is "<key>.npy"; a torch.save zip's first entry is "<folder>/<record>", never *.npy.
    private static bool IsNpz(ReadOnlySpan<byte> head)
    {
        var name = ZipArchiveReader.FirstEntryName(head);
        return name.Length > NpyExtension.Length && name.EndsWith(".npy"u8);
    }
}
