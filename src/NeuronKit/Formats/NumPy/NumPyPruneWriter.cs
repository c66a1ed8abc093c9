using NeuronKit.Edits;

namespace NeuronKit.Formats.NumPy;

/// <summary>
/// Writes an .npy or .npz with some arrays cut smaller: a cut array gets a new version 1.0 header (C order, the shape
/// after the cut, padded so its data starts on a 64-byte boundary as NumPy's writer does); every other member's bytes are
/// copied as they are, in the archive's order, stored or deflated as it was (np.savez or np.savez_compressed), with the
/// CRCs the zip writer computes.
/// </summary>
internal sealed class NumPyPruneWriter : IPruneWriter
{
    /// <inheritdoc/>
    public string Format => "numpy";

    /// <inheritdoc/>
    public void Write(Checkpoint checkpoint, IReadOnlyList<TensorCut> cuts, string output)
    {
        var byName = cuts.ToDictionary(c => c.Tensor.Name);
        if (checkpoint.Metadata.GetValueOrDefault("variant") == "npy")
        {
            using var stream = new FileStream(output, FileMode.CreateNew, FileAccess.Write);
            stream.Write(Array(byName[checkpoint.Tensors[0].Name]));
            return;
        }
        NumPyArchive.Rewrite(checkpoint.Path, entry => byName.TryGetValue(entry.Name[..^".npy".Length], out var cut) ? Array(cut) : null,
            patches: null, output);
    }

    // An .npy of the cut array: its header, then the kept bytes.
    private static byte[] Array(TensorCut cut) => [.. NpyArray.Header(cut.Tensor.DType, cut.NewShape), .. cut.KeptBytes()];
}
