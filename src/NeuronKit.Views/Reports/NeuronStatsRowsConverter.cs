using System.Text.Json;
using System.Text.Json.Serialization;

namespace NeuronKit.Views.Reports;

/// <summary>Writes <see cref="NeuronStatsRows"/> in chunks formatted on all cores (<see cref="ChunkedRows"/>); reads them as a plain array.</summary>
internal sealed class NeuronStatsRowsConverter : JsonConverter<NeuronStatsRows>
{
    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, NeuronStatsRows value, JsonSerializerOptions options) =>
        ChunkedRows.Write(writer, value.Count, i => value[i], ReportJsonContext.Default.NeuronStatsRow);

    /// <inheritdoc/>
    public override NeuronStatsRows Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        NeuronStatsRows.Of(JsonSerializer.Deserialize(ref reader, ReportJsonContext.Default.NeuronStatsRowArray)
            ?? throw new JsonException("a layer's stats must be an array of rows, not null"));
}
