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
            json.WriteString("tensor", part.Tensor);
            json.WriteString("role", part.Role);
            if (part.Gate is null) json.WriteNull("gate");
            else json.WriteString("gate", part.Gate);
            json.WriteString("index", part.Index);
            JsonOutput.WriteShape(json, "shape", part.Shape);
            json.WriteString("dtype", model.Checkpoint.Find(part.Tensor)?.StoredAs ?? part.DType.Name());
            json.WritePropertyName("values");
            JsonOutput.WriteNested(json, part.ToDoubles(), part.Shape);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    });
}
