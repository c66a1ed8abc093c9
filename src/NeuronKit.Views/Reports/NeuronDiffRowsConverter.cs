using System.Text.Json;
using System.Text.Json.Serialization;

namespace NeuronKit.Views.Reports;

/// <summary>Writes <see cref="NeuronDiffRows"/> in chunks formatted on all cores (<see cref="ChunkedRows"/>); reads them as a plain array.</summary>
internal sealed class NeuronDiffRowsConverter : JsonConverter<NeuronDiffRows>
{
    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, NeuronDiffRows value, JsonSerializerOptions options) =>
        ChunkedRows.Write(writer, value.Count, i => value[i], ReportJsonContext.Default.NeuronDiffRow);

    /// <inheritdoc/>
    public override NeuronDiffRows Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        NeuronDiffRows.Of(JsonSerializer.Deserialize(ref reader, ReportJsonContext.Default.NeuronDiffRowArray)
            ?? throw new JsonException("a layer's stats must be an array of rows, not null"));
}
