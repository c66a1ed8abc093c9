using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Cli.Output;

/// <summary><c>neuron prune --json</c>: the neurons removed per layer and every tensor's shape before and after.</summary>
internal static class PruneJsonWriter
{
    public static void Write(TextWriter stdout, ModelPrune prune, bool dryRun) => JsonOutput.Write(stdout, json =>
    {
        json.WriteStartObject();
        json.WriteString("file", Path.GetFileName(prune.Model.Checkpoint.Path));
        json.WriteString("format", prune.Model.Checkpoint.Format);
        if (prune.WrittenTo is null) json.WriteNull("output");
        else json.WriteString("output", prune.WrittenTo);
        json.WriteBoolean("dry_run", dryRun);
        json.WriteStartArray("layers");
        foreach (var (layer, removed) in prune.Targets)
        {
            json.WriteStartObject();
            json.WriteString("name", layer.Name);
            json.WriteString("kind", layer.Kind);
            json.WriteNumber("neurons_before", layer.NeuronCount);
            json.WriteNumber("neurons_after", layer.NeuronCount - removed.Count);
            json.WriteStartArray("removed");
            foreach (long j in removed) json.WriteNumberValue(j);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("consumers");
        foreach (string consumer in prune.Consumers) json.WriteStringValue(consumer);
        json.WriteEndArray();
        json.WriteStartArray("tensors");
        foreach (var cut in prune.Cuts)
        {
            json.WriteStartObject();
            json.WriteString("tensor", cut.Tensor.Name);
            json.WriteString("dtype", cut.Tensor.StoredAs ?? cut.Tensor.DType.Name());
            JsonOutput.WriteShape(json, "shape_before", cut.Tensor.Shape);
            JsonOutput.WriteShape(json, "shape_after", cut.NewShape);
            json.WriteStartObject("removed");
            foreach (var (dim, indices) in cut.Removed.OrderBy(r => r.Key))
            {
                json.WriteStartArray(dim.ToString(System.Globalization.CultureInfo.InvariantCulture));
                foreach (long i in indices) json.WriteNumberValue(i);
                json.WriteEndArray();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    });
}
