using System.Globalization;
using NeuronKit.Formats;
using NeuronKit.Layers;

namespace NeuronKit.Graph;

/// <summary>
/// The consumers a state dict's names give: the numbered children of a <c>nn.Sequential</c> (<c>features.0</c>,
/// <c>features.3</c>) run in number order, so a layer's output goes to the next numbered layer with weights, through any
/// per-channel layer (a BatchNorm) between them; activations, pooling and Flatten have no tensors and leave no name. The
/// shapes must agree (<see cref="LayerGraph.Fit"/>); a pickled module's class Sequential settles the order. Where the model
/// gives a Sequential's order (<see cref="ModelGraph.ModuleOrder"/>: a live module's children, named ones too), that order is the number.
/// A module nested in a child between two layers runs between them: its norms are on the way, any other layer ends the path;
/// so does one nested in the producer itself (a fused ConvBn's <c>bn</c>), which runs on its output first.
/// </summary>
internal static class SequentialSiblings
{
    public static void Add(IReadOnlyList<Layer> layers, ModelGraph graph, Dictionary<Layer, IReadOnlyList<LayerEdge>> consumers,
        Dictionary<Layer, string> whyNone)
    {
        // A stacked expert's or head's number (blk.0.ffn_up_exps.3, blk.0.attn_k_b.3) is which one it is, not where it runs.
        var families = layers
            .Where(l => l.Implementation is not Layers.Kinds.Experts)
            .Select(l => (Layer: l, Parent: Parent(l.Name, graph, out long number), Number: number))
            .Where(c => c.Number >= 0)
            .GroupBy(c => c.Parent);
        foreach (var family in families)
        {
            var ordered = family.OrderBy(c => c.Number).ToList();
            var children = ordered.Select(c => c.Layer).ToList();
            // Layers of a module nested in a numbered child (`1.0` of nn.Sequential(Linear, nn.Sequential(BatchNorm1d, ReLU),
            // Linear)): they run between that child's siblings, so a norm there is on the way and anything else ends it.
            string prefix = family.Key == "" ? "" : family.Key + ".";
            var nested = layers
                .Where(l => l.Name.StartsWith(prefix, StringComparison.Ordinal) && l.Name[prefix.Length..].Contains('.'))
                .Select(l => (Layer: l, Number: Number(family.Key, l.Name[prefix.Length..].Split('.')[0], graph)))
                .Where(c => c.Number >= 0)
                .ToList();
            string? parentClass = graph.ModuleClasses.GetValueOrDefault(family.Key);
            bool sequential = parentClass?.EndsWith(".Sequential", StringComparison.Ordinal) ?? false;
            string container = family.Key == "" ? "the saved module" : family.Key;
            for (int i = 0; i < children.Count; i++)
            {
                var producer = children[i];
                // PReLU()'s one slope scales every channel of the layer before it: it makes no channel of its own to follow.
                if (producer.Implementation.SharedByEveryChannel(producer))
                {
                    whyNone[producer] = "its one entry is every channel's, not a channel of its own: it is on the way from the layer before it";
                    continue;
                }
                // A norm that is the producer's own child runs inside it, on its output: torch.ao's fused ConvBn2d, ConvBnReLU2d
                // and LinearBn1d (quantization-aware training) keep their BatchNorm as `bn` beside their weight.
                List<Layer> through = [.. nested.Where(c => c.Number == ordered[i].Number && c.Layer.Name.StartsWith(producer.Name + ".", StringComparison.Ordinal))
                    .Select(c => c.Layer)];
                string? why = $"it is the last numbered layer of {container}";
                if (through.FirstOrDefault(l => !LayerGraph.PassesOn(l, producer.NeuronCount)) is { } own)
                {
                    whyNone[producer] = $"{own.Name} ({own.Kind}), a module nested in {producer.Name}, reads it first, " +
                        "and NeuronKit does not follow a path into a nested module";
                    continue;
                }
                for (int k = i + 1; k < children.Count; k++)
                {
                    var next = children[k];
                    var between = nested.Where(c => c.Number > ordered[k - 1].Number && c.Number < ordered[k].Number).Select(c => c.Layer).ToList();
                    if (between.FirstOrDefault(l => !LayerGraph.PassesOn(l, producer.NeuronCount)) is { } inside)
                    {
                        why = $"{inside.Name} ({inside.Kind}), in a module nested between {producer.Name} and {next.Name}, reads it first, " +
                            "and NeuronKit does not follow a path into a nested module";
                        break;
                    }
                    through.AddRange(between);
                    if (LayerGraph.PassesOn(next, producer.NeuronCount))
                    {
                        through.Add(next);
                        continue;
                    }
                    string evidence = sequential
                        ? $"module class {parentClass}: its children run in order, {producer.Name} then {next.Name}"
                        : $"numbered children of {container} (a Sequential's names): {producer.Name} then {next.Name}";
                    if (LayerGraph.Fit(producer, next, through, evidence, assumed: !sequential) is { } edge)
                    {
                        consumers[producer] = [edge];
                        why = null;
                    }
                    else
                    {
                        why = $"the next numbered layer, {next.Name} ({next.Kind}), does not read {producer.NeuronCount} channels";
                    }
                    break;
                }
                if (why is not null) whyNone[producer] = why;
            }
        }
    }

    // The parent path of a numbered child (`features.3` → `features`, number 3; `0` → "", 0), or of a child whose place in
    // its parent's order the graph gives (`head.fc` → `head`, its position); number -1 when neither.
    private static string Parent(string name, ModelGraph graph, out long number)
    {
        int dot = name.LastIndexOf('.');
        string parent = dot < 0 ? "" : name[..dot];
        number = Number(parent, name[(dot + 1)..], graph);
        return parent;
    }

    private static long Number(string parent, string child, ModelGraph graph) =>
        graph.ModuleOrder.TryGetValue(parent, out var order) ? order.ToList().IndexOf(child)
            : long.TryParse(child, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : -1;
}
