using System.IO.Compression;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.NumPy;

/// <summary>
/// Writes an .npz as np.savez lays one out: a stored <c>NAME.npy</c> member per array, in order, each np.save's header
/// then the elements. The members' times are fixed, so the same arrays always give the same bytes.
/// </summary>
internal sealed class NpzWriter(Stream stream) : IDisposable
{
    private static readonly DateTimeOffset Fixed = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ZipArchive _zip = new(stream, ZipArchiveMode.Create, leaveOpen: true);

    /// <summary>Adds the array <paramref name="name"/>: its header, then what <paramref name="writeElements"/> writes.</summary>
    public void Add(string name, DType dtype, IReadOnlyList<long> shape, Action<Stream> writeElements)
    {
        var member = _zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression);
        member.LastWriteTime = Fixed;
        using var target = member.Open();
        target.Write(NpyArray.Header(dtype, shape));
        writeElements(target);
    }

    /// <summary>
    /// <paramref name="name"/> as a member name zip readers take (NeuronKit's own refuses the others as crafted): no
    /// leading '/', no '\', no '..' component, no drive, no NUL. ONNX names its node outputs <c>/lstm/Constant_output_0</c>;
    /// the archive calls it <c>lstm/Constant_output_0</c>. Other names are kept as they are.
    /// </summary>
    public static string SafeName(string name)
    {
        string safe = name.Replace('\\', '/').Replace('\0', '_').TrimStart('/');
        if (safe.Length >= 2 && safe[1] == ':') safe = $"{safe[0]}_{safe[2..]}";
        safe = string.Join('/', safe.Split('/').Select(part => part == ".." ? "_.." : part));
        return safe.Length == 0 ? "_" : safe;
    }

    public void Dispose() => _zip.Dispose();
}
