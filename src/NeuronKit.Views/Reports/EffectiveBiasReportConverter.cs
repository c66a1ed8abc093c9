using System.Text.Json;
using System.Text.Json.Serialization;

namespace NeuronKit.Views.Reports;

/// <summary>Writes an <see cref="EffectiveBiasReport"/> as a bare value (one block, no gate) or a gate-keyed object, and reads it back.</summary>
internal sealed class EffectiveBiasReportConverter : JsonConverter<EffectiveBiasReport>
{
    private static readonly NestedValuesConverter Values = new();

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, EffectiveBiasReport value, JsonSerializerOptions options)
    {
        if (value.Gates is [{ Gate: null } single])
        {
            WriteSum(writer, single.Sum, options);
            return;
        }
        writer.WriteStartObject();
        foreach (var (gate, sum) in value.Gates)
        {
            writer.WritePropertyName(gate!);
            WriteSum(writer, sum, options);
        }
        writer.WriteEndObject();
    }

    /// <inheritdoc/>
    public override EffectiveBiasReport Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) return new EffectiveBiasReport([(null, ReadSum(ref reader, options))]);
        var gates = new List<(string?, NestedValues?)>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string gate = reader.GetString()!;
            reader.Read();
            gates.Add((gate, ReadSum(ref reader, options)));
        }
        return new EffectiveBiasReport(gates);
    }

    private static void WriteSum(Utf8JsonWriter writer, NestedValues? sum, JsonSerializerOptions options)
    {
        if (sum is null) writer.WriteNullValue();
        else Values.Write(writer, sum, options);
    }

    private static NestedValues? ReadSum(ref Utf8JsonReader reader, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : Values.Read(ref reader, typeof(NestedValues), options);
}
