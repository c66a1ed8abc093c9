using System.Globalization;
using System.Text.RegularExpressions;
using NeuronKit.Layers;

namespace NeuronKit.Graph;

/// <summary>
/// The shortcuts of a torchvision ResNet state dict (blocks <c>layer{s}.{b}</c>, stem <c>conv1</c>, <c>bn1</c>, head <c>fc</c>):
/// a block's output, relu(branch + shortcut), is read by the next block's <c>conv1</c> and, through that block's identity
/// shortcut, by the blocks after it, up to and including the first with a <c>downsample</c> (whose <c>downsample.0</c> reads
/// it too); past the last block, by <c>fc</c>. The producers of a block's output are its last conv (through its bn) and its
/// <c>downsample.0</c> (through <c>downsample.1</c>); the stem feeds the first block the same way. The shortcuts add up a
/// stage's stream: a block's input is the sum of the outputs of its stage's first block's downsample (or the stem) and of
/// every block's last conv up to it, the branches a prune of any one of them cuts with it.
/// https://github.com/pytorch/vision/blob/main/torchvision/models/resnet.py
/// </summary>
internal static partial class ResidualStages
{
    /// <summary>Adds the consumers of each block's output, and of the stem's, to the producers that have none yet.</summary>
    public static void Add(IReadOnlyList<Layer> layers, Dictionary<string, Layer> byName, Dictionary<Layer, IReadOnlyList<LayerEdge>> consumers,
        Dictionary<Layer, string> whyNone)
    {
        var blocks = layers.Select(l => Block().Match(l.Name)).Where(m => m.Success)
            .Select(m => (Name: m.Groups["block"].Value, Stage: Number(m, "stage"), Index: Number(m, "index")))
            .Distinct().OrderBy(b => b.Stage).ThenBy(b => b.Index).Select(b => b.Name).ToList();
        if (blocks.Count == 0) return;
        // streams[b]: the layers whose outputs add up to block b's input (b = blocks.Count: fc's); null for one not there.
        List<IReadOnlyList<Layer?>> streams = [[byName.GetValueOrDefault("conv1")]];
        for (int i = 0; i < blocks.Count; i++)
        {
            var last = byName.GetValueOrDefault($"{blocks[i]}.{LastConv(byName, blocks[i])}");
            streams.Add(byName.GetValueOrDefault($"{blocks[i]}.downsample.0") is { } downsample ? [downsample, last] : [.. streams[i], last]);
        }
        Link(byName, consumers, whyNone, [("conv1", "bn1")], blocks, 0, stem: true, streams);
        for (int i = 0; i < blocks.Count; i++)
        {
            string last = LastConv(byName, blocks[i]);
            Link(byName, consumers, whyNone, [($"{blocks[i]}.{last}", $"{blocks[i]}.bn{last[^1]}"), ($"{blocks[i]}.downsample.0", $"{blocks[i]}.downsample.1")],
                blocks, i + 1, stem: false, streams);
        }
    }

    private static string LastConv(Dictionary<string, Layer> byName, string block) => byName.ContainsKey($"{block}.conv3") ? "conv3" : "conv2";

    // The edges from each producer (with its norm) into the readers of the output they add up to, from block `next` on,
    // each residual one with the stream's other layers as its branches.
    private static void Link(Dictionary<string, Layer> byName, Dictionary<Layer, IReadOnlyList<LayerEdge>> consumers, Dictionary<Layer, string> whyNone,
        IReadOnlyList<(string Conv, string Norm)> producers, IReadOnlyList<string> blocks, int next, bool stem, IReadOnlyList<IReadOnlyList<Layer?>> streams)
    {
        List<(Layer Reader, bool Residual, int Block)> readers = [];
        for (int i = next; i < blocks.Count; i++)
        {
            bool residual = !stem || i > next;
            foreach (string conv in (string[])["conv1", "downsample.0"])
                if (byName.GetValueOrDefault($"{blocks[i]}.{conv}") is { } reader) readers.Add((reader, residual, i));
            if (byName.ContainsKey($"{blocks[i]}.downsample.0")) break;
            if (i == blocks.Count - 1 && byName.GetValueOrDefault("fc") is { } head) readers.Add((head, true, blocks.Count));
        }
        if (next == blocks.Count && byName.GetValueOrDefault("fc") is { } last) readers.Add((last, true, blocks.Count));
        if (readers.Count == 0) return;
        foreach (var (conv, norm) in producers)
        {
            if (byName.GetValueOrDefault(conv) is not { } producer || consumers.ContainsKey(producer)) continue;
            List<Layer> through = byName.GetValueOrDefault(norm) is { } bn && LayerGraph.PassesOn(bn, producer.NeuronCount) ? [bn] : [];
            string evidence = stem
                ? "name convention: torchvision's ResNet stem, maxpool(relu(bn1(conv1(x)))), is the first block's input"
                : "name convention: torchvision's ResNet block output, relu(branch + shortcut), is the next block's input";
            var edges = readers.Select(r => LayerGraph.Fit(producer, r.Reader, through, evidence, assumed: true) is { Map.Spread: 1 } edge
                ? edge with
                {
                    Residual = r.Residual,
                    Branches = r.Residual && streams[r.Block].All(l => l is not null && l.NeuronCount == producer.NeuronCount)
                        ? [.. streams[r.Block].OfType<Layer>().Where(l => l != producer)]
                        : null,
                    Evidence = r.Residual
                        ? [.. edge.Evidence, $"identity shortcuts carry channel j on to {r.Reader.Name}, added to other branches: its weights for channel j are shared"]
                        : edge.Evidence,
                }
                : null).ToList();
            if (edges.FindIndex(e => e is null) is var misfit and >= 0)
                whyNone[producer] = $"torchvision's ResNet names {readers[misfit].Reader.Name} ({readers[misfit].Reader.Kind}) as a reader of its output, " +
                    $"but it does not read {producer.NeuronCount} channels";
            else
            {
                consumers[producer] = edges!;
                whyNone.Remove(producer);
            }
        }
    }

    private static long Number(Match match, string group) => long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?<block>layer(?<stage>\d+)\.(?<index>\d+))\.conv1$", RegexOptions.CultureInvariant)]
    private static partial Regex Block();
}
