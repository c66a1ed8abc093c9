using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NeuronKit.Views.Reports;

/// <summary>
/// Writes <see cref="NeuronStatsRows"/> in chunks: a chunk's rows are made and serialized as one JSON array on the
/// thread pool (<see cref="FormatAhead{T}"/>: formatting a hundred thousand rows of shortest round-trip numbers is as
/// much work as measuring the weights), its elements spliced into the open array in order, and the writer flushed to
/// its output after each, so the layer's JSON is never held whole.
/// </summary>
internal sealed class NeuronStatsRowsConverter : JsonConverter<NeuronStatsRows>
{
    private const int ChunkNeurons = 1024;

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, NeuronStatsRows value, JsonSerializerOptions options)
    {
        var spare = new ConcurrentBag<ArrayBufferWriter<byte>>();
        var ahead = new FormatAhead<ArrayBufferWriter<byte>>(chunk =>
        {
            // The chunk is "[{...},{...}]": its elements go in as they are, the writer adding the comma before them.
            writer.WriteRawValue(chunk.WrittenSpan[1..^1], skipInputValidation: true);
            writer.Flush();
            chunk.ResetWrittenCount();
            spare.Add(chunk);
        });
        writer.WriteStartArray();
        for (int start = 0; start < value.Count; start += ChunkNeurons)
        {
            // Reused buffers: fresh ones would be new pages for the kernel to zero, every time.
            var output = spare.TryTake(out var used) ? used : new ArrayBufferWriter<byte>(ChunkNeurons * 512);
            int first = start, count = Math.Min(ChunkNeurons, value.Count - start);
            ahead.Add(() => Format(output, value, first, count, options));
        }
        ahead.Flush();
        writer.WriteEndArray();
    }

    /// <inheritdoc/>
    public override NeuronStatsRows Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        NeuronStatsRows.Of(JsonSerializer.Deserialize(ref reader, ReportJsonContext.Default.NeuronStatsRowArray)
            ?? throw new JsonException("a layer's stats must be an array of rows, not null"));

    // Rows [first, first + count) as one JSON array, into a reused buffer.
    private static ArrayBufferWriter<byte> Format(ArrayBufferWriter<byte> output, NeuronStatsRows rows, int first, int count, JsonSerializerOptions options)
    {
        using var json = new Utf8JsonWriter(output, ReportJson.WriterOptions);
        json.WriteStartArray();
        for (int i = first; i < first + count; i++)
            JsonSerializer.Serialize(json, rows[i], ReportJsonContext.Default.NeuronStatsRow);
        json.WriteEndArray();
        return output;
    }
}
