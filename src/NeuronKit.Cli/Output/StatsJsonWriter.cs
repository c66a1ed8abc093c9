using System.Text;
using System.Text.Json;
using NeuronKit.Stats;

namespace NeuronKit.Cli.Output;

/// <summary>
/// <c>neuron stats --json</c>: one object, written in chunks as it is built, so a model of a million neurons is never
/// held as one string.
/// </summary>
internal static class StatsJsonWriter
{
    private const int ChunkNeurons = 4096;

    public static void Write(TextWriter stdout, ModelStats stats, StatsOrder order)
    {
        using var buffer = new MemoryStream();
        using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var checkpoint = stats.Model.Checkpoint;
        json.WriteStartObject();
        json.WriteString("file", Path.GetFileName(checkpoint.Path));
        json.WriteString("format", checkpoint.Format);
        json.WriteStartArray("layers");
        foreach (var layer in stats.Layers)
        {
            json.WriteStartObject();
            json.WriteString("name", layer.Layer.Name);
            json.WriteString("kind", layer.Layer.Kind);
            json.WriteNumber("neurons", layer.Neurons.Count);
            json.WritePropertyName("summary");
            WriteSummary(json, layer);
            json.WriteStartArray("stats");
            int written = 0;
            foreach (var n in order.Apply(layer))
            {
                WriteNeuron(json, n);
                if (++written % ChunkNeurons == 0) Drain(json, buffer, stdout);
            }
            json.WriteEndArray();
            json.WriteEndObject();
            Drain(json, buffer, stdout);
        }
        json.WriteEndArray();
        json.WriteStartObject("summary");
        json.WriteNumber("layers", stats.Layers.Count);
        json.WriteNumber("neurons", stats.NeuronCount);
        json.WriteNumber("weights", stats.Weights);
        JsonOutput.WriteProperty(json, "zero_fraction", stats.Weights == 0 ? double.NaN : (double)stats.Zeros / stats.Weights);
        json.WriteNumber("dead", stats.DeadCount);
        json.WriteNumber("duplicates", stats.DuplicateCount);
        json.WriteNumber("outliers", stats.OutlierCount);
        json.WriteNumber("bytes_read", stats.BytesRead);
        json.WriteEndObject();
        json.WriteEndObject();
        Drain(json, buffer, stdout);
        stdout.WriteLine();
    }

    private static void WriteSummary(Utf8JsonWriter json, LayerStats layer)
    {
        json.WriteStartObject();
        json.WriteNumber("weights", layer.Weights);
        JsonOutput.WriteProperty(json, "zero_fraction", layer.ZeroFraction);
        JsonOutput.WriteProperty(json, "min", layer.Min);
        JsonOutput.WriteProperty(json, "max", layer.Max);
        JsonOutput.WriteProperty(json, "l2_median", layer.NormMedian);
        JsonOutput.WriteProperty(json, "l2_sigma", layer.NormSigma);
        json.WriteNumber("outlier_k", layer.OutlierK);
        json.WriteNumber("dead", layer.DeadCount);
        json.WriteNumber("duplicates", layer.DuplicateCount);
        json.WriteNumber("outliers", layer.OutlierCount);
        json.WriteEndObject();
    }

    private static void WriteNeuron(Utf8JsonWriter json, NeuronStats n)
    {
        json.WriteStartObject();
        json.WriteNumber("neuron", n.Index);
        json.WriteNumber("weights", n.Weights);
        JsonOutput.WriteProperty(json, "l1", n.L1);
        JsonOutput.WriteProperty(json, "l2", n.L2);
        JsonOutput.WriteProperty(json, "mean", n.Mean);
        JsonOutput.WriteProperty(json, "std", n.Std);
        JsonOutput.WriteProperty(json, "min", n.Min);
        JsonOutput.WriteProperty(json, "max", n.Max);
        JsonOutput.WriteProperty(json, "zero_fraction", n.ZeroFraction);
        if (n.Bias is { } bias) JsonOutput.WriteProperty(json, "bias", bias);
        else json.WriteNull("bias");
        if (n.GateBiases is { } gates)
        {
            json.WriteStartObject("gate_biases");
            foreach (var g in gates) JsonOutput.WriteProperty(json, g.Gate, g.Bias);
            json.WriteEndObject();
        }
        json.WriteBoolean("dead", n.Dead);
        if (n.DuplicateOf is { } of) json.WriteNumber("duplicate_of", of);
        else json.WriteNull("duplicate_of");
        json.WriteBoolean("outlier", n.Outlier);
        json.WriteEndObject();
    }

    // Moves what the writer has produced so far to stdout and empties the buffer; the writer goes on where it was.
    private static void Drain(Utf8JsonWriter json, MemoryStream buffer, TextWriter stdout)
    {
        json.Flush();
        stdout.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        buffer.SetLength(0);
    }
}
