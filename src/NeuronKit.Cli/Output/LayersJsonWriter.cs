using NeuronKit.Tensors;

namespace NeuronKit.Cli.Output;

/// <summary><c>neuron layers --json</c>: every layer with its tensors, layout and evidence.</summary>
internal static class LayersJsonWriter
{
    public static void Write(TextWriter stdout, Model model) => JsonOutput.Write(stdout, json =>
    {
        json.WriteStartObject();
        json.WriteString("file", Path.GetFileName(model.Checkpoint.Path));
        json.WriteString("format", model.Checkpoint.Format);
        json.WriteStartArray("layers");
        foreach (var layer in model.Layers)
        {
            json.WriteStartObject();
            json.WriteString("name", layer.Name);
            json.WriteString("kind", layer.Kind);
            json.WriteNumber("neurons", layer.NeuronCount);
            json.WriteString("layout", layer.Layout);
            json.WriteBoolean("assumed", layer.Assumed);
            json.WriteStartArray("evidence");
            foreach (var evidence in layer.Evidence) json.WriteStringValue(evidence);
            json.WriteEndArray();
            json.WriteStartArray("consumers");
            foreach (var edge in model.Graph.ConsumersOf(layer))
            {
                json.WriteStartObject();
                json.WriteString("layer", edge.Consumer.Name);
                json.WriteStartArray("through");
                foreach (var through in edge.Through) json.WriteStringValue(through.Name);
                json.WriteEndArray();
                json.WriteNumber("offset", edge.Map.Offset);
                json.WriteNumber("spread", edge.Map.Spread);
                json.WriteNumber("groups", edge.Groups);
                json.WriteBoolean("residual", edge.Residual);
                json.WriteBoolean("assumed", edge.Assumed);
                json.WriteStartArray("evidence");
                foreach (var evidence in edge.Evidence) json.WriteStringValue(evidence);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("tensors");
            foreach (var tensor in layer.Tensors)
            {
                json.WriteStartObject();
                json.WriteString("name", tensor.Tensor.Name);
                json.WriteString("role", tensor.Role);
                JsonOutput.WriteShape(json, "shape", tensor.Tensor.Shape);
                json.WriteString("dtype", tensor.Tensor.StoredAs ?? tensor.Tensor.DType.Name());
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    });
}
