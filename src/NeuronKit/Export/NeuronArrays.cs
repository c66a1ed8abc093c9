using NeuronKit.Formats.NumPy;
using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Export;

/// <summary>
/// A neuron's parts saved as NumPy arrays, one <c>.npy</c> or an <c>.npz</c> of several, holding exactly the values
/// <c>neuron show</c> prints, in the dtype <see cref="SavedAs"/> gives: a part's bytes copied as its view holds them
/// (a quantized part's as decoded), bfloat16 and the 8-bit floats widened to float32.
/// </summary>
public static class NeuronArrays
{
    /// <summary>
    /// The arrays of <paramref name="parts"/> (the parts of one neuron), in their order, named by <see cref="Names"/>.
    /// </summary>
    public static IReadOnlyList<NeuronArray> Of(IReadOnlyList<NeuronPart> parts) =>
        [.. parts.Zip(Names(parts), (part, name) => Array(name, part))];

    /// <summary>
    /// The key of each of <paramref name="parts"/> (the parts of one neuron) in an .npz: <see cref="NameOf"/>, or, for a
    /// name two parts would share, each one's tensor and index (<c>fc.weight[3]</c>), and its role too where two roles
    /// read one tensor (an ONNX initializer an exporter gives a BatchNorm's bias and running mean alike), and the consumer
    /// too where a layer on the way is passed toward two (<c>bn.weight[0]/weight for /head/Gemm</c>).
    /// </summary>
    public static IReadOnlyList<string> Names(IReadOnlyList<NeuronPart> parts)
    {
        var names = Apart(parts.Select(NameOf).ToList(), k => $"{parts[k].Tensor}{parts[k].Index}");
        names = Apart(names, k => $"{parts[k].Tensor}{parts[k].Index}/{parts[k].Role.Name}");
        // A norm on the way to two consumers (after a residual add) is passed once for each.
        return Apart(names, k => $"{parts[k].Tensor}{parts[k].Index}/{parts[k].Role.Name} for {parts[k].Consumer}");
    }

    // The names, each one that two would share given by `instead` (its index in the list).
    private static List<string> Apart(List<string> names, Func<int, string> instead)
    {
        var repeated = names.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        return [.. names.Select((name, k) => repeated.Contains(name) ? NpzWriter.SafeName(instead(k)) : name)];
    }

    /// <summary>
    /// The parts of <paramref name="neuron"/> that <paramref name="name"/> names: a key as <see cref="Names"/> gives it
    /// (<c>weight_hh/forget</c>, <c>out/fc2.weight</c>), or one of the neuron's own parts as <c>neuron edit --part</c>
    /// names them: a role (<c>weight_hh</c>: every gate's) or ROLE:GATE; throws <see cref="RequestException"/>, listing the
    /// keys, when none does.
    /// </summary>
    public static IReadOnlyList<NeuronPart> Pick(Neuron neuron, string name)
    {
        var names = Names(neuron.Parts);
        var picked = neuron.Parts.Where((p, k) => names[k] == name
            || (p.Direction == PartDirection.In && (p.Role.Name == name || (p.Gate is { } gate && $"{p.Role.Name}:{gate.Name}" == name)))).ToList();
        return picked.Count > 0 ? picked
            : throw new RequestException($"neuron {neuron.Index} of '{neuron.Layer.Name}' has no part '{name}'",
                [$"its parts: {string.Join(", ", names)}"]);
    }

    /// <summary>
    /// A part's key in an .npz: its role, and gate, for the neuron's own parts (<c>weight</c>, <c>bias</c>,
    /// <c>weight_hh/forget</c>); <c>through/</c> or <c>out/</c> and the tensor (and gate) for a per-channel layer's channel
    /// or a consumer's slice (<c>through/bn.weight</c>, <c>out/fc2.weight</c>). A slash, as zip folders: a colon would
    /// make ONNX's <c>W/input</c> a drive letter, which zip readers refuse.
    /// </summary>
    public static string NameOf(NeuronPart part)
    {
        string name = part.Direction switch
        {
            PartDirection.Through => $"through/{part.Tensor}",
            PartDirection.Out => $"out/{part.Tensor}",
            _ => part.Role.Name,
        };
        return NpzWriter.SafeName(part.Gate is { } gate ? $"{name}/{gate.Name}" : name);
    }

    /// <summary>
    /// Writes <paramref name="arrays"/> to <paramref name="path"/>: an <c>.npz</c> (np.savez's layout: one stored
    /// <c>NAME.npy</c> member each), or an <c>.npy</c> of the one array; through a temporary file, renamed when complete.
    /// Throws <see cref="RequestException"/> for another extension, or an .npy asked to hold several arrays.
    /// </summary>
    public static void Save(IReadOnlyList<NeuronArray> arrays, string path)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension == ".npy")
        {
            if (arrays.Count != 1)
                throw new RequestException($"{Path.GetFileName(path)}: an .npy holds one array, and {arrays.Count} parts are asked for " +
                    $"({string.Join(", ", arrays.Select(a => a.Name))})", ["name one with --part ROLE[:GATE], or write an .npz of them all"]);
            OutputFile.Write(path, stream =>
            {
                stream.Write(NpyArray.Header(arrays[0].DType, arrays[0].Shape));
                stream.Write(arrays[0].Bytes);
            });
        }
        else if (extension == ".npz")
        {
            OutputFile.Write(path, stream => WriteNpz(stream, arrays));
        }
        else
        {
            throw new RequestException($"{Path.GetFileName(path)}: NumPy arrays are written as .npy (one part) or .npz (several)");
        }
    }

    /// <summary>
    /// Writes <paramref name="arrays"/> to <paramref name="stream"/> as an .npz (np.savez's layout: one stored
    /// <c>NAME.npy</c> member each, in order), the members' times fixed so that the same neuron always gives the same bytes.
    /// </summary>
    public static void WriteNpz(Stream stream, IReadOnlyList<NeuronArray> arrays)
    {
        using var npz = new NpzWriter(stream);
        foreach (var array in arrays) npz.Add(array.Name, array.DType, array.Shape, target => target.Write(array.Bytes));
    }

    /// <summary>
    /// The dtype a view of <paramref name="dtype"/> is saved as: its own where NumPy has it (a quantized part's values,
    /// decoded, are float32, or float64 for a LoRA merge computed in double), else float32, which holds every bfloat16,
    /// 8-bit float and MX scale exactly.
    /// </summary>
    public static DType SavedAs(DType dtype) => NpyDTypes.Holds(dtype) ? dtype : DType.Float32;

    /// <summary>The elements of <paramref name="view"/>, row-major, in the dtype <see cref="SavedAs"/> gives.</summary>
    internal static byte[] SavedBytes(TensorView view)
    {
        var dtype = SavedAs(view.DType);
        if (dtype == view.DType) return view.ToStoredBytes();
        var values = view.ToDoubles();
        var bytes = new byte[values.Length * dtype.Size()];
        DTypeConversion.FromDoubles(dtype, values, bytes);
        return bytes;
    }

    private static NeuronArray Array(string name, NeuronPart part) =>
        new(name, part, SavedAs(part.DType), part.Shape, SavedBytes(part.View));
}
