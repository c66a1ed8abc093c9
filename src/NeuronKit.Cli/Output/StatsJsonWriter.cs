using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using NeuronKit.Stats;

namespace NeuronKit.Cli.Output;

/// <summary>
/// <c>neuron stats --json</c>: one object, written in chunks as it is built, so a model of a million neurons is never
/// held as one string. Each layer's neurons are formatted in chunks on all cores (<see cref="FormatAhead{T}"/>), each
/// chunk as a JSON array whose elements are then spliced into the layer's <c>stats</c> array.
/// </summary>
internal static class StatsJsonWriter
{
    private const int ChunkNeurons = 1024;

    public static void Write(TextWriter stdout, ModelStats stats, StatsOrder order)
    {
        using var buffer = new MemoryStream();
        using var json = new Utf8JsonWriter(buffer, JsonOutput.Options);
        var spare = new ConcurrentBag<ArrayBufferWriter<byte>>();
        var ahead = new FormatAhead<ArrayBufferWriter<byte>>(chunk =>
        {
            // The chunk is "[{...},{...}]": its elements go in as they are, the writer adding the comma before them.
            json.WriteRawValue(chunk.WrittenSpan[1..^1], skipInputValidation: true);
            Drain(json, buffer, stdout);
            chunk.ResetWrittenCount();
            spare.Add(chunk);
        });
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
            foreach (var chunk in order.Apply(layer).Chunk(ChunkNeurons))
            {
                var output = spare.TryTake(out var used) ? used : new ArrayBufferWriter<byte>(ChunkNeurons * 512);
                ahead.Add(() => Format(output, chunk));
            }
            ahead.Flush();
            json.WriteEndArray();
            json.WriteEndObject();
            Drain(json, buffer, stdout);
        }
        json.WriteEndArray();
        // Only when there are some, so the object of a model without complex layers stays as it was.
        if (stats.Skipped.Count > 0)
        {
            json.WriteStartArray("skipped");
            foreach (var skipped in stats.Skipped)
            {
                json.WriteStartObject();
                json.WriteString("name", skipped.Layer.Name);
                json.WriteString("kind", skipped.Layer.Kind);
                json.WriteNumber("neurons", skipped.Layer.NeuronCount);
                json.WriteString("reason", skipped.Reason);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
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

    // The chunk's neurons as one JSON array, into a reused buffer (fresh ones would be new pages to zero every time).
    private static ArrayBufferWriter<byte> Format(ArrayBufferWriter<byte> output, NeuronStats[] neurons)
    {
        using var json = new Utf8JsonWriter(output, JsonOutput.Options);
        json.WriteStartArray();
        foreach (var n in neurons) WriteNeuron(json, n);
        json.WriteEndArray();
        return output;
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
        json.WriteNumber("unused", layer.UnusedCount);
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
            foreach (var g in gates)
            {
                if (g.Bias is { } gateBias) JsonOutput.WriteProperty(json, g.Gate.Name, gateBias);
                else json.WriteNull(g.Gate.Name);
            }
            json.WriteEndObject();
        }
        json.WriteBoolean("dead", n.Dead);
        if (n.DuplicateOf is { } of) json.WriteNumber("duplicate_of", of);
        else json.WriteNull("duplicate_of");
        json.WriteBoolean("outlier", n.Outlier);
        if (n.OutgoingL2 is { } outgoing) JsonOutput.WriteProperty(json, "outgoing_l2", outgoing);
        else json.WriteNull("outgoing_l2");
        json.WriteBoolean("unused", n.Unused);
        json.WriteEndObject();
    }

    // Moves what the writer has produced so far to stdout and empties the buffer; the writer goes on where it was.
    private static void Drain(Utf8JsonWriter json, MemoryStream buffer, TextWriter stdout)
    {
        json.Flush();
        int length = (int)buffer.Length;
        // Through a pooled array rather than a string: a chunk's text is large, and a new string each time is garbage.
        char[] chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(length));
        stdout.Write(chars, 0, Encoding.UTF8.GetChars(buffer.GetBuffer(), 0, length, chars, 0));
        ArrayPool<char>.Shared.Return(chars);
        buffer.SetLength(0);
    }
}
