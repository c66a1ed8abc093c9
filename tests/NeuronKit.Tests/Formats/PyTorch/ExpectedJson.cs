using System.Text.Json;
using NeuronKit.Tensors;

namespace NeuronKit.Tests.Formats.PyTorch;

/// <summary>Reads tests/fixtures/pytorch/expected.json, PyTorch's own answers for the fixtures.</summary>
internal static class ExpectedJson
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Fixtures.PyTorch("expected.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    /// <summary>Every part of every query: (file, tensor, index, shape, dtype, values flattened row-major).</summary>
    public static IEnumerable<(string File, string Tensor, string Index, long[] Shape, string DType, double[] Values)> Parts() =>
        Root.GetProperty("queries").EnumerateArray().SelectMany(q => q.GetProperty("expect").GetProperty("parts").EnumerateArray()
            .Select(p => (q.GetProperty("file").GetString()!, p.GetProperty("tensor").GetString()!, p.GetProperty("index").GetString()!,
                p.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(), p.GetProperty("dtype").GetString()!,
                Oracle.OracleQuery.Flatten(p.GetProperty("values")))));

    /// <summary>Applies a PyTorch index such as <c>[3]</c>, <c>[:, 2]</c>, <c>[2:4, 1]</c>, <c>[0, 0, 5]</c> or <c>[()]</c>.</summary>
    public static TensorView Index(TensorView view, string index)
    {
        string inner = index[1..^1];
        if (inner == "()") return view;
        int dim = 0;
        foreach (string item in inner.Split(", "))
        {
            if (item == ":") { dim++; continue; }
            if (item.Contains(':'))
            {
                var (start, end) = (long.Parse(item.Split(':')[0]), long.Parse(item.Split(':')[1]));
                view = view.Narrow(dim++, start, end - start);
                continue;
            }
            view = view.Select(dim, long.Parse(item));
        }
        return view;
    }
}
