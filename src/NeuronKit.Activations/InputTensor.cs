namespace NeuronKit.Activations;

/// <summary>A float32 tensor fed to the model: row-major values and their shape.</summary>
public sealed record InputTensor(float[] Values, IReadOnlyList<long> Shape)
{
    /// <summary>Item <paramref name="index"/> of the first dimension, keeping that dimension (size 1).</summary>
    public InputTensor Item(long index)
    {
        long size = Values.Length / Shape[0];
        return new InputTensor(Values.AsSpan((int)(index * size), (int)size).ToArray(), [1, .. Shape.Skip(1)]);
    }

    /// <summary>Tensors of the same shape past the first dimension, one after another along it.</summary>
    public static InputTensor Stack(IReadOnlyList<InputTensor> tensors)
    {
        var values = new float[tensors.Sum(t => (long)t.Values.Length)];
        int at = 0;
        foreach (var tensor in tensors)
        {
            tensor.Values.CopyTo(values, at);
            at += tensor.Values.Length;
        }
        return new InputTensor(values, [tensors.Sum(t => t.Shape[0]), .. tensors[0].Shape.Skip(1)]);
    }

    /// <summary>The shape as messages show it: <c>[1, 3, 8, 8]</c>.</summary>
    public string Describe() => "[" + string.Join(", ", Shape) + "]";
}
