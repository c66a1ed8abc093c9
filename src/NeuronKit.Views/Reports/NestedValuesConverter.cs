using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NeuronKit.Views.Reports;

/// <summary>Writes <see cref="NestedValues"/> as nested arrays of contract doubles, and reads them back.</summary>
internal sealed class NestedValuesConverter : JsonConverter<NestedValues>
{
    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, NestedValues value, JsonSerializerOptions options)
    {
        if (value.Complex is { } complex) Nest(writer, complex, value.Shape, 0, WritePair);
        else Nest<double>(writer, value.Real, value.Shape, 0, ContractDoubleConverter.WriteValue);
    }

    /// <inheritdoc/>
    public override NestedValues Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var values = new List<double>();
        var shape = new List<long>();
        ReadLevel(ref reader, values, shape, 0);
        return NestedValues.Of([.. values], shape);
    }

    private static void WritePair(Utf8JsonWriter writer, Complex value)
    {
        writer.WriteStartArray();
        ContractDoubleConverter.WriteValue(writer, value.Real);
        ContractDoubleConverter.WriteValue(writer, value.Imaginary);
        writer.WriteEndArray();
    }

    // One array per dimension from `dim` on, each element written by `leaf`.
    private static void Nest<T>(Utf8JsonWriter json, ReadOnlySpan<T> values, IReadOnlyList<long> shape, int dim, Action<Utf8JsonWriter, T> leaf)
    {
        if (dim == shape.Count)
        {
            leaf(json, values[0]);
            return;
        }
        json.WriteStartArray();
        long count = shape[dim];
        int stride = count == 0 ? 0 : values.Length / (int)count;
        for (int i = 0; i < count; i++)
            Nest(json, values.Slice(i * stride, stride), shape, dim + 1, leaf);
        json.WriteEndArray();
    }

    // The value at the reader, appended to `values`; the first array met at each depth gives that dimension's length
    // (-1 until then), and every other array at that depth must have it too.
    private static void ReadLevel(ref Utf8JsonReader reader, List<double> values, List<long> shape, int dim)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            if (shape.Count > dim) throw new JsonException($"nested values are ragged: a value at depth {dim}, where arrays were");
            values.Add(ContractDoubleConverter.ReadValue(ref reader));
            return;
        }
        if (shape.Count == dim) shape.Add(-1);
        long count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            ReadLevel(ref reader, values, shape, dim + 1);
            count++;
        }
        if (shape[dim] == -1) shape[dim] = count;
        else if (shape[dim] != count) throw new JsonException($"nested values are ragged: {count} values where dimension {dim} has {shape[dim]}");
    }
}
