using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace NeuronKit.Views.Reports;

/// <summary>
/// Writes a layer's rows as one JSON array in chunks: a chunk's rows are made and serialized as one JSON array on the
/// thread pool (<see cref="FormatAhead{T}"/>: formatting a hundred thousand rows of shortest round-trip numbers is as
/// much work as measuring the weights), its elements spliced into the open array in order, and the writer flushed to
/// its output after each, so the layer's JSON is never held whole.
/// </summary>
internal static class ChunkedRows
{
    private const int ChunkRows = 1024;

    /// <summary>Writes the <paramref name="count"/> rows <paramref name="row"/>(i) as an array, each as <paramref name="info"/> says.</summary>
    public static void Write<TRow>(Utf8JsonWriter writer, int count, Func<int, TRow> row, JsonTypeInfo<TRow> info)
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
        for (int start = 0; start < count; start += ChunkRows)
        {
            // Reused buffers: fresh ones would be new pages for the kernel to zero, every time.
            var output = spare.TryTake(out var used) ? used : new ArrayBufferWriter<byte>(ChunkRows * 512);
            int first = start, end = Math.Min(count, start + ChunkRows);
            ahead.Add(() =>
            {
                using var json = new Utf8JsonWriter(output, ReportJson.WriterOptions);
                json.WriteStartArray();
                for (int i = first; i < end; i++) JsonSerializer.Serialize(json, row(i), info);
                json.WriteEndArray();
                return output;
            });
        }
        ahead.Flush();
        writer.WriteEndArray();
    }
}
