using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace NeuronKit.Views.Reports;

/// <summary>
/// Writes reports as the JSON contract specifies, byte for byte what <c>neuron … --json</c> prints: one compact
/// object and a newline, names and strings as they are (not \u-escaped), NaN and ±Infinity as strings, values nested
/// as their part's shape. The CLI, the web view and any other program write through here.
/// <code>
/// using var model = Model.Open("model.pt");
/// ReportJson.Write(Console.Out, ShowReport.Of(model, model.Neuron("fc", 3)));
/// </code>
/// </summary>
public static class ReportJson
{
    /// <summary>The writer options of every report: compact, names and strings not \u-escaped.</summary>
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <paramref name="report"/> and a newline to <paramref name="utf8"/> as UTF-8, streaming a <see cref="StatsReport"/>'s rows as they are made.</summary>
    public static void Write(Stream utf8, IReport report)
    {
        using (var json = new Utf8JsonWriter(utf8, WriterOptions))
            JsonSerializer.Serialize(json, report, TypeInfo(report.GetType()));
        utf8.Write("\n"u8);
        utf8.Flush();
    }

    /// <summary>Writes <paramref name="report"/> and a newline to <paramref name="text"/>, streaming as <see cref="Write(Stream, IReport)"/> does.</summary>
    public static void Write(TextWriter text, IReport report) => Write(new TextWriterStream(text), report);

    /// <summary>
    /// Writes <paramref name="report"/> and a newline to a stream that takes only asynchronous writes (an ASP.NET Core
    /// response body), streaming as <see cref="Write(Stream, IReport)"/> does: the report is written on the thread pool
    /// into a pipe that is copied to <paramref name="utf8"/> as it fills; a full pipe holds the writing back, so memory
    /// stays bounded. When copying fails (the client went away), the writing stops at its next chunk.
    /// </summary>
    public static async Task WriteAsync(Stream utf8, IReport report, CancellationToken cancellationToken = default)
    {
        var pipe = new Pipe();
        var writing = Task.Run(() =>
        {
            using var stream = pipe.Writer.AsStream();
            Write(stream, report);
        }, CancellationToken.None);
        try
        {
            await pipe.Reader.CopyToAsync(utf8, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The writer's next flush throws OperationCanceledException, which ends it.
            pipe.Writer.CancelPendingFlush();
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            await writing.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            throw;
        }
        await pipe.Reader.CompleteAsync().ConfigureAwait(false);
        // A failure while writing (a file that cannot be read) surfaces here, as itself.
        await writing.ConfigureAwait(false);
    }

    /// <summary><paramref name="report"/> as one string, without the newline.</summary>
    public static string Serialize(IReport report)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
            JsonSerializer.Serialize(json, report, TypeInfo(report.GetType()));
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads a report back from the JSON a command printed.</summary>
    /// <exception cref="JsonException">The text is not such a report.</exception>
    public static TReport Deserialize<TReport>(string json) where TReport : IReport =>
        (TReport)(JsonSerializer.Deserialize(json, TypeInfo(typeof(TReport))) ?? throw new JsonException($"null is not a {typeof(TReport).Name}"));

    private static JsonTypeInfo TypeInfo(Type type) =>
        ReportJsonContext.Default.GetTypeInfo(type) ?? throw new NotSupportedException($"{type.Name} is not a report of the JSON contract");
}
