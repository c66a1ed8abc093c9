using System.Text.Json;
using System.Text.Json.Serialization;

namespace NeuronKit.Views.Reports;

/// <summary>
/// A double as the JSON contract writes it: a number in shortest round-trip form, or the string "NaN", "Infinity" or
/// "-Infinity" (JSON has no such numbers). Every double of every report goes through here.
/// </summary>
internal sealed class ContractDoubleConverter : JsonConverter<double>
{
    /// <inheritdoc/>
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadValue(ref reader);

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) => WriteValue(writer, value);

    /// <summary>Writes <paramref name="value"/> as the contract does.</summary>
    public static void WriteValue(Utf8JsonWriter json, double value)
    {
        if (double.IsNaN(value)) json.WriteStringValue("NaN");
        else if (double.IsPositiveInfinity(value)) json.WriteStringValue("Infinity");
        else if (double.IsNegativeInfinity(value)) json.WriteStringValue("-Infinity");
        else json.WriteNumberValue(value);
    }

    /// <summary>Reads a number, or one of the contract's three strings.</summary>
    public static double ReadValue(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Number => reader.GetDouble(),
        JsonTokenType.String => reader.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var text => throw new JsonException($"'{text}' is not a number; the only strings a number may be are NaN, Infinity and -Infinity"),
        },
        var token => throw new JsonException($"a number was expected, not {token}"),
    };
}
