using System.Text.RegularExpressions;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.PyTorch;

/// <summary>
/// Names the cells of a dynamic quantized LSTM or GRU (torch.ao.nn.quantized.dynamic's RNNBase) by layer and direction. Its
/// state dict keeps one packed cell per layer and direction, <c>lstm._all_weight_values.{n}.param</c>, in the order l0,
/// l0_reverse, l1, …, and does not say how many directions there are: a pickled module says so (<c>bidirectional</c>), else
/// the cells' input sizes do (layer 0 reads the input, a later layer H per direction). A cell's tensors then end as the
/// quantized module's own <c>_weight_bias()</c> names them (<c>weight_ih_l0_reverse</c>).
/// </summary>
internal static partial class QuantizedCellNames
{
    [GeneratedRegex(@"^(?:(?<module>.*)\.)?_all_weight_values\.(?<cell>\d+)\.param\.(?<role>weight_ih|weight_hh|bias_ih|bias_hh)$")]
    private static partial Regex CellTensor();

    /// <summary>
    /// <paramref name="tensors"/> with each cell's tensors renamed by layer and direction, and per quantized recurrent module a
    /// sentence saying how its cells were placed; <paramref name="directions"/> gives the directions a pickled module states.
    /// </summary>
    public static IReadOnlyList<TensorInfo> Apply(IReadOnlyList<TensorInfo> tensors, IReadOnlyDictionary<string, int> directions,
        Dictionary<string, string> notes)
    {
        var cells = tensors
            .Select(t => (Tensor: t, Match: CellTensor().Match(t.Name)))
            .Where(c => c.Match.Success)
            .GroupBy(c => c.Match.Groups["module"].Value)
            .ToList();
        if (cells.Count == 0) return tensors;
        var renamed = new Dictionary<TensorInfo, string>(ReferenceEqualityComparer.Instance);
        foreach (var module in cells)
        {
            var byCell = module.GroupBy(c => long.Parse(c.Match.Groups["cell"].Value, System.Globalization.CultureInfo.InvariantCulture))
                .OrderBy(g => g.Key)
                .ToList();
            if (byCell.Where((g, i) => g.Key != i).Any()) continue;   // not numbered 0, 1, …: left as stored
            var inputs = byCell.Select(g => Width(g, "weight_ih")).ToList();
            var hidden = byCell.Select(g => Width(g, "weight_hh")).ToList();
            if (inputs.Any(i => i is null) || hidden.Distinct().Count() != 1) continue;
            var (count, why) = Directions(module.Key, inputs.Select(i => i!.Value).ToList(), hidden[0]!.Value, directions);
            foreach (var cell in byCell)
            {
                string suffix = $"_l{cell.Key / count}{(cell.Key % count == 1 ? "_reverse" : "")}";
                foreach (var (tensor, _) in cell) renamed[tensor] = tensor.Name + suffix;
            }
            notes[module.Key] = $"{(module.Key == "" ? "" : module.Key + ".")}_all_weight_values holds {byCell.Count} " +
                $"cell{(byCell.Count == 1 ? "" : "s")} of a dynamic quantized LSTM or GRU (quantize_dynamic), one per layer and " +
                $"direction in that order; {why}";
        }
        return [.. tensors.Select(t => renamed.TryGetValue(t, out var name) ? t.Renamed(name) : t)];
    }

    // The columns of a cell's 2-d weight of role `role`, or null when it has none.
    private static long? Width(IEnumerable<(TensorInfo Tensor, Match Match)> cell, string role) =>
        cell.FirstOrDefault(c => c.Match.Groups["role"].Value == role).Tensor is { Shape.Count: 2 } weight ? weight.Shape[1] : null;

    private static (int Count, string Why) Directions(string module, List<long> inputs, long hidden, IReadOnlyDictionary<string, int> stated)
    {
        if (stated.TryGetValue(module, out int count) && inputs.Count % count == 0)
            return (count, $"the pickled module says bidirectional = {(count == 2 ? "True" : "False")}");
        string sizes = $"their input sizes [{string.Join(", ", inputs)}] with H = {hidden}";
        bool Fits(int d) => inputs.Count % d == 0 && inputs.Select((n, c) => c / d == 0 ? n == inputs[0] : n == hidden * d).All(f => f);
        return (Fits(1), Fits(2)) switch
        {
            (true, true) => (1, $"{sizes} fit {inputs.Count} layers and {inputs.Count / 2} bidirectional layer{(inputs.Count == 2 ? "" : "s")} " +
                "alike, and a state dict does not say which: read as one direction (if the module is bidirectional, l1 is l0_reverse)"),
            (false, true) => (2, $"{sizes} say 2 directions"),
            (true, false) => (1, $"{sizes} say 1 direction"),
            _ => (1, $"{sizes} fit no stacking of layers: each cell is read as a layer of one direction"),
        };
    }
}
