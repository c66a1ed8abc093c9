using NeuronKit.Formats;

namespace NeuronKit.Edits;

/// <summary>
/// Writes a checkpoint with some tensors cut smaller, in the checkpoint's own format, beside its reader: every other
/// tensor, entry and metadata kept as they were (byte for byte where the format allows), sizes, offsets and checksums
/// made right. It writes a new file and closes it; <see cref="ModelPrune"/> flushes it to disk, checks it and renames it
/// into place.
/// </summary>
public interface IPruneWriter
{
    /// <summary>The format's short name, as <see cref="Checkpoint.Format"/> gives it (<c>safetensors</c>).</summary>
    string Format { get; }

    /// <summary>
    /// Writes <paramref name="checkpoint"/> with <paramref name="cuts"/> applied to <paramref name="output"/> (a new file).
    /// Throws <see cref="RequestException"/> for a cut the format cannot hold (a GGUF quantized row that would stop being
    /// whole blocks), naming what would work.
    /// </summary>
    void Write(Checkpoint checkpoint, IReadOnlyList<TensorCut> cuts, string output);

    /// <summary>
    /// Throws <see cref="RequestException"/> when no prune of <paramref name="checkpoint"/> can be written at all (a
    /// safetensors file of packed quantized tensors, a sharded one), whatever its layers: said before any layer's own
    /// trouble. <see cref="ModelPrune"/> calls it before <see cref="Write"/>.
    /// </summary>
    void CheckWritable(Checkpoint checkpoint)
    {
    }

    /// <summary>
    /// True when <see cref="Write"/> gives the layers of a cut's <see cref="TensorCut.KeptBy"/> a copy of the tensor as it
    /// was; otherwise <see cref="ModelPrune"/> refuses a cut of a tensor a layer it leaves whole reads too.
    /// </summary>
    bool KeepsSharedTensors => false;

    /// <summary>
    /// The cuts the format itself needs besides <paramref name="cuts"/>, for tensors no layer names (an ONNX QDQ constant's
    /// per-axis scales, a recurrent node's initial state): planned, reported and checked like the others.
    /// </summary>
    IReadOnlyList<TensorCut> Companions(Checkpoint checkpoint, IReadOnlyList<TensorCut> cuts) => [];

    /// <summary>
    /// What the user must know of the pruned file that the format keeps beyond its tensors (a model config inside it that
    /// still gives the old sizes), one sentence each; printed as notes.
    /// </summary>
    IReadOnlyList<string> Notes(ModelPrune prune) => [];
}
