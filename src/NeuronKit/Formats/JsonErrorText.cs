using System.Text.Json;

namespace NeuronKit.Formats;

/// <summary>
/// A JSON parser's complaint as a sentence of ours: System.Text.Json's message without its
/// <c>LineNumber: 0 | BytePositionInLine: 1.</c> tail, the place said in words instead.
/// </summary>
internal static class JsonErrorText
{
    public static string Of(JsonException e)
    {
        string message = e.Message;
        int tail = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (tail >= 0) message = message[..tail];
        message = message.TrimEnd();
        if (e.LineNumber is not { } line || e.BytePositionInLine is not { } at) return message;
        return $"{message.TrimEnd('.')} (at byte {at}{(line > 0 ? $" of line {line + 1}" : "")})";
    }
}
