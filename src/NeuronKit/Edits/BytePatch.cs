namespace NeuronKit.Edits;

/// <summary>Bytes to write over a file's own, at <paramref name="Offset"/>: one run of an edit's writes.</summary>
/// <param name="File">The path of the file the bytes go into (a shard or an external data file may be another than the model's).</param>
/// <param name="Offset">Where the run starts in the file.</param>
/// <param name="Bytes">The new bytes.</param>
public sealed record BytePatch(string File, long Offset, byte[] Bytes)
{
    /// <summary>The first byte past the run.</summary>
    public long End => Offset + Bytes.LongLength;
}
