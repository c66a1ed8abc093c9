using System.Text.Json;
using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Cli.Output;

/// <summary><c>neuron show --json</c>: the object DESIGN.md specifies, which other tools read.</summary>
internal static class ShowJsonWriter
{
    public static void Write(TextWriter stdout, Model model, Neuron neuron) => JsonOutput.Write(stdout, json =>
    {
        json.WriteStartObject();
        json.WriteString("file", Path.GetFileName(model.Checkpoint.Path));
        json.WriteString("format", model.Checkpoint.Format);
        json.WriteStartObject("layer");
        json.WriteString("name", neuron.Layer.Name);
        json.WriteString("kind", neuron.Layer.Kind);
        json.WriteNumber("neurons", neuron.Layer.NeuronCount);
        json.WriteEndObject();
        json.WriteNumber("neuron", neuron.Index);
        json.WriteStartArray("parts");
        foreach (var part in neuron.Parts)
        {
            json.WriteStartObject();
            PartJson.WriteIdentity(json, part);
            json.WritePropertyName("values");
            if (part.DType.IsComplex()) JsonOutput.WriteNested(json, part.ToComplex(), part.Shape);
            else JsonOutput.WriteNested(json, part.ToDoubles(), part.Shape);
            if (part.ToQuantized() is { } quantized) WriteQuantized(json, quantized, part.Shape);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        WriteEffectiveBiases(json, neuron.EffectiveBiases);
        json.WriteEndObject();
    });

    // The stored side of a quantized part: integers nested as the values; scale and zero point a number per tensor,
    // nested as the values per channel.
    private static void WriteQuantized(Utf8JsonWriter json, QuantizedValues quantized, IReadOnlyList<long> shape)
    {
        json.WriteStartObject("quantized");
        json.WriteString("scheme", quantized.Scheme);
        json.WritePropertyName("values");
        JsonOutput.WriteNested(json, quantized.Integers.Select(v => (double)v).ToArray(), shape);
        json.WritePropertyName("scale");
        if (quantized.Axis is null) JsonOutput.WriteValue(json, quantized.Scales[0]);
        else JsonOutput.WriteNested(json, quantized.Scales, shape);
        json.WritePropertyName("zero_point");
        if (quantized.Axis is null) JsonOutput.WriteValue(json, quantized.ZeroPoints[0]);
        else JsonOutput.WriteNested(json, quantized.ZeroPoints, shape);
        if (quantized.Axis is { } axis) json.WriteNumber("axis", axis);
        else json.WriteNull("axis");
        json.WriteEndObject();
    }

    // A recurrent unit's effective biases: {gate: sum or null} (null where the cell does not add them), or a bare
    // number for an RNN, whose one block is not a gate; a complex sum is an [re, im] pair, as complex values are.
    private static void WriteEffectiveBiases(Utf8JsonWriter json, IReadOnlyList<EffectiveBias> biases)
    {
        if (biases.Count == 0) return;
        if (biases is [{ Gate: null } single])
        {
            WriteValue(json, "effective_bias", single);
            return;
        }
        json.WriteStartObject("effective_bias");
        foreach (var bias in biases) WriteValue(json, bias.Gate!.Name, bias);
        json.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter json, string name, EffectiveBias bias)
    {
        json.WritePropertyName(name);
        if (!bias.Sums) json.WriteNullValue();
        else if (bias.IsComplex) JsonOutput.WriteNested(json, [bias.ComplexValue()!.Value], []);
        else JsonOutput.WriteValue(json, bias.Value()!.Value);
    }
}
