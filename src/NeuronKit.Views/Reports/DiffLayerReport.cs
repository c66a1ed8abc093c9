using System.Text.Json.Serialization;
using NeuronKit.Diff;

namespace NeuronKit.Views.Reports;

/// <summary>One compared layer in <c>diff --json</c>: its summary and its neurons' rows.</summary>
/// <param name="Name">The layer's name in A.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Neurons">How many neurons the layer has.</param>
/// <param name="Summary">The layer's summary.</param>
/// <param name="Stats">A row per neuron, in the order asked for (fewer with <c>--top</c>); <c>neuron</c> is A's index; written in chunks formatted on all cores.</param>
/// <param name="BName">The layer's name in B, only when it differs (a llama.cpp GGUF's <c>blk.0.attn_q</c>, an ONNX node's <c>/fc/Gemm</c>).</param>
/// <param name="BRows">
/// Only when B's converter reordered the neurons: what did (<c>llama.cpp q/k permutation</c>); A's neuron j was compared
/// with the neuron of B it became, not with B's neuron j.
/// </param>
/// <param name="BValues">
/// Only when a converter added a constant to the layer's weights in one file: what did (<c>llama.cpp's +1 on gemma2
/// norm weights</c>); B's values were compared less it, so what is left is what the conversion lost.
/// </param>
/// <param name="BKept">
/// Only when a converter dropped trailing rows of the layer's weight in one file: which rows the neurons were compared
/// over, and why (<c>the first 262,144 of 262,208 embedding rows: llama.cpp's gemma3 converter keeps the tokenizer's
/// vocabulary</c>).
/// </param>
/// <param name="BAxes">
/// Only when one file keeps a convolution's channels last (Keras, Flax) and the other first (PyTorch, ONNX): how B's
/// kernel slices were read to run as A's (<c>B's channels-last kernel read as [in, k…]</c>).
/// </param>
public sealed record DiffLayerReport(
    string Name,
    string Kind,
    long Neurons,
    DiffSummaryReport Summary,
    NeuronDiffRows Stats,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? BName = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? BRows = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? BValues = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? BKept = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? BAxes = null)
{
    /// <summary>The report of <paramref name="layer"/>, its neurons in <paramref name="order"/>.</summary>
    public static DiffLayerReport Of(LayerDiff layer, DiffOrder order) =>
        new(layer.A.Name, layer.Kind, layer.A.NeuronCount, DiffSummaryReport.Of(layer), NeuronDiffRows.Of(order.Apply(layer)),
            layer.B.Name == layer.A.Name ? null : layer.B.Name, layer.BOrder?.Name, layer.BShift?.Name, layer.Kept?.Name, layer.BAxes?.Name);
}
