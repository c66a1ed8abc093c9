using NeuronKit.Formats.NumPy;
using NeuronKit.Tensors;

namespace NeuronKit.Export;

/// <summary>
/// Whole tensors saved as NumPy arrays (<c>neuron tensors FILE -o OUT.npz</c>): each under its name, in the dtype
/// <see cref="NeuronArrays.SavedAs"/> gives (a GGUF block or a GPTQ word as its decoded float32 values), streamed a few
/// megabytes of rows at a time, so a tensor larger than memory is written as well.
/// </summary>
public static class TensorArrays
{
    // Rows read and written at a time: about this many bytes of the saved dtype.
    private const long ChunkBytes = 16 << 20;

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/>: an .npz of them all, or an .npy of one; through a
    /// temporary file, renamed when complete. Throws <see cref="RequestException"/> for another extension, or an .npy
    /// asked to hold several tensors.
    /// </summary>
    public static void Save(IReadOnlyList<TensorInfo> tensors, string path) => Save(tensors, path, ChunkBytes);

    // As Save, reading and writing about chunkBytes of rows at a time (tests make chunks of one row).
    internal static void Save(IReadOnlyList<TensorInfo> tensors, string path, long chunkBytes)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".npy" or ".npz"))
            throw new RequestException($"{Path.GetFileName(path)}: NumPy arrays are written as .npy (one tensor) or .npz (several)");
        if (extension == ".npy" && tensors.Count != 1)
            throw new RequestException($"{Path.GetFileName(path)}: an .npy holds one array, and {tensors.Count} tensors are asked for",
                ["name one with --tensor NAME, or write an .npz"]);
        foreach (var tensor in tensors) EnsureNotRepeating(tensor);
        OutputFile.Write(path, stream =>
        {
            if (extension == ".npy")
            {
                var tensor = tensors[0];
                stream.Write(NpyArray.Header(NeuronArrays.SavedAs(tensor.DType), tensor.Shape));
                WriteElements(stream, tensor, chunkBytes);
                return;
            }
            using var npz = new NpzWriter(stream);
            foreach (var (tensor, name) in tensors.Zip(Names(tensors)))
                npz.Add(name, NeuronArrays.SavedAs(tensor.DType), tensor.Shape, target => WriteElements(target, tensor, chunkBytes));
        });
    }

    // A view that repeats its stored values past RepeatedViews' limit is refused before anything is written.
    private static void EnsureNotRepeating(TensorInfo tensor)
    {
        if (RepeatedViews.StoredValues(tensor) is not { } stored) return;
        double gib = (double)tensor.ElementCount * NeuronArrays.SavedAs(tensor.DType).Size() / (1L << 30);
        throw new CheckpointException($"tensor {RepeatedViews.Describe(tensor, stored)}, which would be written out in full, {gib:N0} GiB; refused",
            ["'neuron show' reads its rows; --tensor NAME saves the other tensors"]);
    }

    /// <summary>
    /// Each tensor's key in the .npz: its name (<see cref="NpzWriter.SafeName"/> where a zip reader would refuse it: an
    /// ONNX <c>/lstm/Constant_output_0</c> is <c>lstm/Constant_output_0</c>), with <c>~2</c>, <c>~3</c>, … after a key
    /// another tensor took already.
    /// </summary>
    public static IReadOnlyList<string> Names(IReadOnlyList<TensorInfo> tensors)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var names = new List<string>(tensors.Count);
        foreach (var tensor in tensors)
        {
            string name = NpzWriter.SafeName(tensor.Name), key = name;
            for (int n = 2; !taken.Add(key); n++) key = $"{name}~{n}";
            names.Add(key);
        }
        return names;
    }

    /// <summary>
    /// The tensors of <paramref name="checkpoint"/> named <paramref name="names"/>, in that order; throws
    /// <see cref="RequestException"/>, with the closest names, for one it does not have.
    /// </summary>
    public static IReadOnlyList<TensorInfo> Named(Formats.Checkpoint checkpoint, IReadOnlyList<string> names) =>
        [.. names.Select(name => checkpoint.Find(name) ?? throw new RequestException($"{checkpoint.FileName} has no tensor '{name}'",
            Layers.NameSuggestions.Closest(name, [.. checkpoint.Tensors.Select(t => t.Name)]) is [_, ..] close
                ? [Layers.NameSuggestions.DidYouMean(close)] : ["neuron tensors FILE lists them"]))];

    // The tensor's elements in their saved dtype, row-major, a chunk of its first dimension at a time.
    private static void WriteElements(Stream target, TensorInfo tensor, long chunkBytes)
    {
        var view = tensor.View();
        if (view.Shape.Count == 0)
        {
            target.Write(NeuronArrays.SavedBytes(view));
            return;
        }
        long rows = view.Shape[0], perRow = view.ElementCount / Math.Max(rows, 1);
        long chunk = Math.Max(1, chunkBytes / Math.Max(perRow * NeuronArrays.SavedAs(tensor.DType).Size(), 1));
        for (long start = 0; start < rows; start += chunk)
            target.Write(NeuronArrays.SavedBytes(view.Narrow(0, start, Math.Min(chunk, rows - start))));
    }
}
