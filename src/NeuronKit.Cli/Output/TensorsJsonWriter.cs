using NeuronKit.Formats;
using NeuronKit.Tensors;

namespace NeuronKit.Cli.Output;

/// <summary><c>neuron tensors --json</c>: every tensor as stored.</summary>
internal static class TensorsJsonWriter
{
    public static void Write(TextWriter stdout, Checkpoint checkpoint) => JsonOutput.Write(stdout, json =>
    {
        json.WriteStartObject();
        json.WriteString("file", Path.GetFileName(checkpoint.Path));
        json.WriteString("format", checkpoint.Format);
        json.WriteStartArray("tensors");
        foreach (var tensor in checkpoint.Tensors)
        {
            json.WriteStartObject();
            json.WriteString("name", tensor.Name);
            JsonOutput.WriteShape(json, "shape", tensor.Shape);
            json.WriteString("dtype", tensor.StoredAs ?? tensor.DType.Name());
            json.WriteNumber("bytes", tensor.ByteSize);
            JsonOutput.WriteShape(json, "strides", tensor.Strides);
            json.WriteNumber("storage_offset", tensor.StorageOffset);
            json.WriteString("storage", tensor.Storage.Key);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    });
}
