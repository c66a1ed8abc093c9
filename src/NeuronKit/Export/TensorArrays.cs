using NeuronKit.Formats.NumPy;
using NeuronKit.Layers;
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

    // A view may repeat its stored values (expand() makes stride 0): torch.save keeps one value for billions of elements,
    // and np.save, like this, would write every one. Past RepeatLimit times the values stored, and a gigabyte, the tensor
    // is refused before anything is written: a file of a few hundred bytes must not fill a disk. Decoded formats (a GGUF
    // block, a GPTQ word) store values as dense as they decode, so they never come near it.
    private const long RepeatLimit = 64, RepeatedBytes = 1L << 30;

    private static void EnsureNotRepeating(TensorInfo tensor)
    {
        long stored = Math.Max(tensor.Storage.ByteLength / tensor.DType.Size(), 1);
        int size = NeuronArrays.SavedAs(tensor.DType).Size();
        long elements = tensor.ElementCount;
        if (elements / RepeatLimit <= stored || elements <= RepeatedBytes / size) return;
        throw new CheckpointException($"tensor '{tensor.Name}' {tensor.Shape.Text()} holds {elements:N0} values but its storage " +
            $"{stored:N0}: a view that repeats its values (stride 0, as expand() makes), which would be written out in full, " +
            $"{(double)elements * size / (1L << 30):N0} GiB; refused",
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
        [.. names.Select(name => checkpoint.Find(name) ?? throw new RequestException($"{Path.GetFileName(checkpoint.Path)} has no tensor '{name}'",
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
