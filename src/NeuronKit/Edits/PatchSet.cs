using NeuronKit.Containers.Zip;
using NeuronKit.Tensors;

namespace NeuronKit.Edits;

/// <summary>
/// The writes an edit plans, by file and offset, before any file is touched. Reading through it gives a file's bytes
/// with the writes planned so far over them, so a second edit of the same bytes (a quantized block two parts share)
/// starts from the first one's result; the last write of a byte wins.
/// </summary>
public sealed class PatchSet
{
    private readonly Dictionary<string, List<BytePatch>> _byFile = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MappedFile> _files = new(StringComparer.Ordinal);
    private readonly List<BytePatch> _inOrder = [];
    private readonly Dictionary<InflatedMember, List<BytePatch>> _members = new(ReferenceEqualityComparer.Instance);

    /// <summary>Plans writing <paramref name="bytes"/> at <paramref name="offset"/> of <paramref name="file"/>.</summary>
    public void Write(MappedFile file, long offset, ReadOnlySpan<byte> bytes)
    {
        if (offset < 0 || offset > file.Length - bytes.Length)
            throw new CheckpointException($"an edit would write bytes {offset:N0}..{offset + bytes.Length:N0} outside " +
                $"{Path.GetFileName(file.Path)} ({file.Length:N0} bytes)");
        _files.TryAdd(file.Path, file);
        if (!_byFile.TryGetValue(file.Path, out var patches)) _byFile[file.Path] = patches = [];
        var patch = new BytePatch(file.Path, offset, bytes.ToArray());
        patches.Add(patch);
        _inOrder.Add(patch);
    }

    /// <summary>
    /// Plans writing <paramref name="bytes"/> at <paramref name="offset"/> of a deflated zip member's inflated bytes: the
    /// archive has to be rewritten to hold them (<see cref="Members"/>).
    /// </summary>
    public void Write(InflatedMember member, long offset, ReadOnlySpan<byte> bytes)
    {
        if (!_members.TryGetValue(member, out var patches)) _members[member] = patches = [];
        var patch = new BytePatch(member.Entry, offset, bytes.ToArray());
        patches.Add(patch);
        _inOrder.Add(patch);
    }

    /// <summary>The deflated members some writes go into, which only a rewrite of their archive can hold.</summary>
    public IReadOnlyCollection<InflatedMember> Members => _members.Keys;

    /// <summary>The inflated bytes of <paramref name="member"/> with every write planned for it applied.</summary>
    public byte[] Patched(InflatedMember member)
    {
        var bytes = new byte[member.Length];
        member.Read(0, bytes);
        foreach (var patch in _members.GetValueOrDefault(member) ?? []) patch.Bytes.CopyTo(bytes, patch.Offset);
        return bytes;
    }

    /// <summary>How many writes are planned: a mark for <see cref="Since"/>.</summary>
    public int Count => _inOrder.Count;

    /// <summary>
    /// The writes planned since <paramref name="mark"/> (an earlier <see cref="Count"/>), in order, each run that starts
    /// where the one before it ended joined to it (a conv filter's rows are one run).
    /// </summary>
    public IReadOnlyList<BytePatch> Since(int mark)
    {
        var joined = new List<BytePatch>();
        foreach (var patch in _inOrder[mark..])
        {
            if (joined.Count > 0 && joined[^1].File == patch.File && joined[^1].End == patch.Offset)
                joined[^1] = joined[^1] with { Bytes = [.. joined[^1].Bytes, .. patch.Bytes] };
            else
                joined.Add(patch);
        }
        return joined;
    }

    /// <summary>The bytes of <paramref name="source"/> at <paramref name="offset"/> with every write planned so far applied.</summary>
    public void Read(ByteSource source, long offset, Span<byte> destination)
    {
        source.Read(offset, destination);
        if (source is not MappedFile file || !_byFile.TryGetValue(file.Path, out var patches)) return;
        foreach (var patch in patches) Overlay(patch, offset, destination);
    }

    /// <summary>The files the writes go into.</summary>
    public IReadOnlyCollection<MappedFile> Files => _files.Values;

    /// <summary>True when nothing is planned.</summary>
    public bool IsEmpty => _byFile.Count == 0 && _members.Count == 0;

    /// <summary>
    /// The planned writes of <paramref name="file"/> as disjoint runs in file order, neighbouring and overlapping writes
    /// merged, each run holding the file's bytes with every write applied in the order planned.
    /// </summary>
    public IReadOnlyList<BytePatch> Runs(string file)
    {
        if (!_byFile.TryGetValue(file, out var patches)) return [];
        var runs = new List<BytePatch>();
        foreach (var (start, end) in Merged(patches))
        {
            var bytes = new byte[end - start];
            Read(_files[file], start, bytes);
            runs.Add(new BytePatch(file, start, bytes));
        }
        return runs;
    }

    private static List<(long Start, long End)> Merged(List<BytePatch> patches)
    {
        var merged = new List<(long Start, long End)>();
        foreach (var patch in patches.OrderBy(p => p.Offset))
        {
            if (merged.Count > 0 && patch.Offset <= merged[^1].End)
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, patch.End));
            else
                merged.Add((patch.Offset, patch.End));
        }
        return merged;
    }

    private static void Overlay(BytePatch patch, long offset, Span<byte> destination)
    {
        long from = Math.Max(patch.Offset, offset), to = Math.Min(patch.End, offset + destination.Length);
        if (from >= to) return;
        patch.Bytes.AsSpan((int)(from - patch.Offset), (int)(to - from)).CopyTo(destination[(int)(from - offset)..]);
    }
}
