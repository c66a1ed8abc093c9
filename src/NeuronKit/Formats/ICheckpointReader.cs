namespace NeuronKit.Formats;

/// <summary>One checkpoint format: tells its files by content and opens them lazily.</summary>
public interface ICheckpointReader
{
    /// <summary>The format's short name as the CLI and JSON print it (<c>pytorch</c>, <c>safetensors</c>).</summary>
    string Name { get; }

    /// <summary>A line for <c>neuron formats</c>: what files this reads.</summary>
    string Description { get; }

    /// <summary>True when <paramref name="head"/> (the file's first bytes, up to 64 KiB: enough for a zip's first entry name) starts a file of this format.</summary>
    bool Detect(ReadOnlySpan<byte> head);

    /// <summary>
    /// Asked after <see cref="Detect"/> accepted the head: true when the file at <paramref name="path"/> is of this format.
    /// Formats with a magic number need no more (the default); formats without one (TorchSharp .dat) parse the whole file.
    /// </summary>
    bool Confirm(string path) => true;

    /// <summary>
    /// Parses the header or index of <paramref name="path"/> and checks every size in it against the file;
    /// reads no tensor values. Fails with <see cref="CheckpointException"/>.
    /// </summary>
    Checkpoint Open(string path);
}
