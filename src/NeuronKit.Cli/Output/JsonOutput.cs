using System.Numerics;
using System.Text;
using System.Text.Json;

namespace NeuronKit.Cli.Output;

/// <summary>Writes one JSON object to a text writer, and the value conventions of the contract (NaN as a string).</summary>
internal static class JsonOutput
{
    /// <summary>The writer options of every JSON output: names and strings as they are, not \u-escaped.</summary>
    public static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(TextWriter stdout, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
            body(json);
        stdout.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>A double as the contract writes it: a number, or "NaN", "Infinity", "-Infinity".</summary>
    public static void WriteValue(Utf8JsonWriter json, double value)
    {
        if (double.IsNaN(value)) json.WriteStringValue("NaN");
        else if (double.IsPositiveInfinity(value)) json.WriteStringValue("Infinity");
        else if (double.IsNegativeInfinity(value)) json.WriteStringValue("-Infinity");
        else json.WriteNumberValue(value);
    }

    /// <summary>A named double as the contract writes it (see <see cref="WriteValue"/>).</summary>
    public static void WriteProperty(Utf8JsonWriter json, string name, double value)
    {
        json.WritePropertyName(name);
        WriteValue(json, value);
    }

    /// <summary>Row-major <paramref name="values"/> nested as <paramref name="shape"/> is (a scalar is a bare value).</summary>
    public static void WriteNested(Utf8JsonWriter json, ReadOnlySpan<double> values, IReadOnlyList<long> shape) =>
        Nest(json, values, shape, 0, WriteValue);

    /// <summary>
    /// Row-major complex <paramref name="values"/> nested as <paramref name="shape"/> is, each value an <c>[re, im]</c>
    /// pair of contract doubles (so a part of shape [3] is three pairs, and a scalar is one pair).
    /// </summary>
    public static void WriteNested(Utf8JsonWriter json, ReadOnlySpan<Complex> values, IReadOnlyList<long> shape) =>
        Nest(json, values, shape, 0, (writer, value) =>
        {
            writer.WriteStartArray();
            WriteValue(writer, value.Real);
            WriteValue(writer, value.Imaginary);
            writer.WriteEndArray();
        });

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

    public static void WriteShape(Utf8JsonWriter json, string name, IReadOnlyList<long> shape)
    {
        json.WriteStartArray(name);
        foreach (long d in shape) json.WriteNumberValue(d);
        json.WriteEndArray();
    }
}
