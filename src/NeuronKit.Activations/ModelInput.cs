namespace NeuronKit.Activations;

/// <summary>One input the ONNX model takes: its name, its dimensions (-1 where the model leaves one open) and element type.</summary>
public sealed record ModelInput(string Name, IReadOnlyList<long> Dimensions, IReadOnlyList<string> DimensionNames, string ElementType)
{
    /// <summary>The shape as a message shows it: <c>[batch, 3, 224, 224]</c>, an open dimension by its name or <c>?</c>.</summary>
    public string Describe() => "[" + string.Join(", ", Dimensions.Select((d, i) =>
        d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : i < DimensionNames.Count && DimensionNames[i] != "" ? DimensionNames[i] : "?")) + "]";

    /// <summary>Whether the first dimension is the batch and the model takes any size there.</summary>
    public bool OpenBatch => Dimensions.Count > 0 && Dimensions[0] < 0;
}
