using System.IO.Compression;

namespace NeuronKit.Tests.Export;

/// <summary>An .npz's members, name and bytes, in the archive's order: what the export tests compare with numpy's.</summary>
internal static class NpzMembers
{
    public static Dictionary<string, byte[]> Of(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var members = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries)
        {
            using var stream = entry.Open();
            using var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            members.Add(entry.FullName, bytes.ToArray());
        }
        return members;
    }
}
