using NeuronKit.Tensors;

namespace NeuronKit.Activations;

/// <summary>
/// Reads <c>--input</c> arguments (<c>x.npy</c>, <c>photo.jpg</c>, <c>name=x.npy</c>) into tensors and checks each
/// against the model input it feeds, saying what the model expects when it does not fit.
/// </summary>
internal static class InputFiles
{
    /// <summary>The runs <paramref name="specs"/> make: one per file for a model of one input; for several, one per full set of named files.</summary>
    public static List<ActivationInput> Read(IEnumerable<string> specs, IReadOnlyList<ModelInput> inputs, ImageOptions options)
    {
        if (inputs.Count == 0) throw new RequestException("the model takes no inputs; there is nothing to feed it");
        var runs = new List<ActivationInput>();
        var current = new Dictionary<string, InputTensor>(StringComparer.Ordinal);
        var labels = new List<string>();
        foreach (string spec in specs)
        {
            var (input, path) = Target(spec, inputs);
            if (current.ContainsKey(input.Name)) Flush();
            // Results and messages name the file, not the folder it was found in: x.npy, a=a.npy.
            string label = spec.Length > path.Length ? $"{input.Name}={Path.GetFileName(path)}" : Path.GetFileName(path);
            current[input.Name] = Checked(ReadFile(path, options), input, label);
            labels.Add(label);
            if (current.Count == inputs.Count) Flush();
        }
        if (current.Count > 0)
            throw new RequestException($"the model takes {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => i.Name))}); " +
                $"{string.Join(" ", labels)} gives only {string.Join(", ", current.Keys)}",
                [$"name each file: {string.Join(" ", inputs.Select(i => $"--input {i.Name}=FILE"))}"]);
        return runs;

        void Flush()
        {
            if (current.Count != inputs.Count) return;
            runs.Add(new ActivationInput(string.Join(" ", labels), new Dictionary<string, InputTensor>(current)));
            current.Clear();
            labels.Clear();
        }
    }

    /// <summary>The tensor in <paramref name="path"/>: a .npy array, or a PNG/JPEG picture made a tensor as <paramref name="options"/> say.</summary>
    public static InputTensor ReadFile(string path, ImageOptions options)
    {
        if (ImageTensor.IsPicture(path))
        {
            if (!File.Exists(path)) throw new CheckpointException($"{path}: no such file");
            return ImageTensor.Read(path, options);
        }
        using var array = Model.Open(path);
        if (array.Checkpoint.Format != "numpy" || array.Checkpoint.Tensors.Count != 1)
            throw new RequestException($"{Path.GetFileName(path)} is {array.Checkpoint.Format} with {array.Checkpoint.Tensors.Count} tensors; " +
                "an input is one array in a .npy file, or a PNG or JPEG picture");
        var tensor = array.Checkpoint.Tensors[0];
        // Real inputs only: a complex array's (re, im) pairs are no float32 tensor.
        if (tensor.DType.IsComplex())
            throw new RequestException($"{Path.GetFileName(path)} holds {tensor.DType.Name()} values; neuron act feeds float32 tensors",
                ["save the array's real part, or np.abs of it, as float32"]);
        return new InputTensor(tensor.View().ToFloats(), [.. tensor.Shape]);
    }

    private static (ModelInput Input, string Path) Target(string spec, IReadOnlyList<ModelInput> inputs)
    {
        int equals = spec.IndexOf('=');
        if (equals > 0 && inputs.FirstOrDefault(i => i.Name == spec[..equals]) is { } named) return (named, spec[(equals + 1)..]);
        if (inputs.Count == 1) return (inputs[0], spec);
        throw new RequestException($"the model takes {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => i.Name))}): say which one {spec} is",
            [$"--input {inputs[0].Name}={spec}"]);
    }

    // A tensor fits when its fixed dimensions are the model's; one without the batch dimension gets it, and a batch of
    // several for a model of batch 1 is run an item at a time.
    private static InputTensor Checked(InputTensor tensor, ModelInput input, string label)
    {
        if (input.ElementType != "float32")
            throw new RequestException($"the model's input '{input.Name}' takes {input.ElementType}; neuron act feeds float32 tensors only");
        var dims = input.Dimensions;
        // The batch dimension may be left out where the model takes one item, or any number.
        bool batchOptional = dims.Count > 0 && (dims[0] < 0 || dims[0] == 1);
        if (tensor.Shape.Count == dims.Count - 1 && batchOptional)
            tensor = tensor with { Shape = [1, .. tensor.Shape] };
        bool fits = tensor.Shape.Count == dims.Count && Enumerable.Range(0, dims.Count).All(i =>
            dims[i] < 0 || dims[i] == tensor.Shape[i] || (i == 0 && dims[0] == 1));
        if (!fits)
            throw new RequestException($"{label} has shape {tensor.Describe()}, but the model's input '{input.Name}' expects {input.Describe()}",
                [$"give a float32 array of shape {input.Describe()}{(batchOptional ? " (the first dimension may be left out for one item)" : "")}"]);
        return tensor;
    }
}
