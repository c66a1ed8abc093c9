using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace NeuronKit.Web;

/// <summary>
/// A failed request's answer: <c>{"error": message, "hints": [...]}</c>, the text the CLI prints after <c>error:</c> and
/// <c>hint:</c>, with the status that says whose fault it is. Never a stack trace.
/// </summary>
internal static class ApiError
{
    /// <summary>The status of a NeuronKit error: 400 for a wrong request (the CLI's exit 2), 422 for a file that cannot be read (exit 3).</summary>
    public static int StatusOf(NeuronKitException e) => e.ExitCode == 2 ? StatusCodes.Status400BadRequest : StatusCodes.Status422UnprocessableEntity;

    /// <summary>Writes the error body with <paramref name="status"/>.</summary>
    public static async Task Write(HttpContext context, int status, string message, IReadOnlyList<string> hints)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("error", message);
            json.WriteStartArray("hints");
            foreach (string hint in hints) json.WriteStringValue(hint);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        await context.Response.Body.WriteAsync(buffer.ToArray());
    }
}
