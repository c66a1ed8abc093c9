using System.Globalization;
using NeuronKit.Layers;
using NeuronKit.Layers.Kinds;
using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Diff;

/// <summary>
/// DeepSeek's <c>kv_b_proj</c> (multi-head latent attention's up-projection of the compressed key/value, [heads ·
/// (key width + value width), latent rank]) read back from the two per-head tensors llama.cpp's converter splits it into
/// (DeepseekV2Model.modify_tensors): <c>attn_k_b</c> [heads, latent rank, key width], each head's key rows transposed,
/// and <c>attn_v_b</c> [heads, value width, latent rank], its value rows as they were. Neuron h·(k + v) + i is column i
/// of head h's <c>attn_k_b</c> for i &lt; k, row i − k of its <c>attn_v_b</c> otherwise. Made by the diff to pair the
/// files' layers, never read from a file.
/// </summary>
internal sealed class LatentUpProjection : ILayerKind, IJoinedLayer
{
    private readonly IReadOnlyList<Layer> _keys;
    private readonly IReadOnlyList<Layer> _values;
    private readonly long _keyWidth;
    private readonly long _valueWidth;

    private LatentUpProjection(IReadOnlyList<Layer> keys, IReadOnlyList<Layer> values, long keyWidth, long valueWidth)
    {
        (_keys, _values, _keyWidth, _valueWidth) = (keys, values, keyWidth, valueWidth);
    }

    /// <summary>
    /// The up-projection joined from every head of <paramref name="keys"/> and of <paramref name="values"/> (the heads of
    /// one block's <c>attn_k_b</c> and <c>attn_v_b</c>, in head order); null when they are not such a pair: another
    /// head count, or a key part whose latent rank is not the value part's.
    /// </summary>
    public static Layer? Join(IReadOnlyList<Layer> keys, IReadOnlyList<Layer> values, string why)
    {
        if (keys.Count == 0 || keys.Count != values.Count || keys.Concat(values).Any(h => h.Layout != Experts.HeadLayout)
            || keys[0].Tensors is not [{ Tensor: { Shape: [var heads, var rank, var keyWidth] } k }]
            || values[0].Tensors is not [{ Tensor: { Shape: [_, var valueWidth, var valueRank] } v }]
            || heads != keys.Count || valueRank != rank || keys.Select((h, i) => h.StackIndex != i || h.Tensors[0].Tensor != k).Any(x => x)
            || values.Select((h, i) => h.StackIndex != i || h.Tensors[0].Tensor != v).Any(x => x))
            return null;
        var culture = CultureInfo.InvariantCulture;
        return new Layer
        {
            Name = $"{keys[0].Module} + {values[0].Module}",
            Kind = "Linear",
            NeuronCount = heads * (keyWidth + valueWidth),
            Tensors = [new("weight", k), new("weight", v)],
            Layout = $"per head: key rows the columns of {keys[0].Module}, value rows the rows of {values[0].Module}",
            Evidence = [why, string.Create(culture, $"neuron h·{keyWidth + valueWidth} + i is column i of head h of {keys[0].Module} " +
                $"for i < {keyWidth}, row i − {keyWidth} of head h of {values[0].Module} otherwise")],
            Module = keys[0].Module,
            Implementation = new LatentUpProjection(keys, values, keyWidth, valueWidth),
        };
    }

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Joined => [.. _keys, .. _values];

    /// <inheritdoc/>
    public long NeuronOf(int which, long k) => which >= _keys.Count
        ? (which - _keys.Count) * (_keyWidth + _valueWidth) + _keyWidth + k
        : throw new RequestException($"neuron {k} of {_keys[which].Name} is latent dimension {k} of head {which}'s key projection: " +
            $"one weight of each of that head's {_keyWidth} key rows of {_keys[which].Module} + {_values[which].Module}, no one neuron of it",
            [$"ask for the layer it was split from, kv_b_proj, by its Hugging Face name: head {which}'s key row i is its neuron " +
                $"{which * (_keyWidth + _valueWidth)} + i"]);

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; } = [];

    /// <inheritdoc/>
    public IReadOnlyList<Layer>? Match(LayerCandidate candidate) => null;

    /// <inheritdoc/>
    public IReadOnlyList<Layer> Read(LayerCandidate candidate, KindRequest request) =>
        throw new InvalidOperationException("a latent up-projection is made by the diff, not read from a file");

    /// <inheritdoc/>
    // A head's key rows are columns, its value rows rows, of two tensors: the diff reads them neuron by neuron.
    public bool StepsEvenly => false;

    /// <inheritdoc/>
    public IReadOnlyList<NeuronPart> Parts(Layer layer, long neuron)
    {
        long head = neuron / (_keyWidth + _valueWidth), i = neuron % (_keyWidth + _valueWidth);
        if (i < _keyWidth)
        {
            var keys = _keys[(int)head].Tensors[0].Tensor;
            return [new NeuronPart(keys, PartRole.Weight, new TensorSlice(SliceItem.At(head), SliceItem.All, SliceItem.At(i)),
                note: $"head {head}'s key row {i}: column {i} of {keys.Name}[{head}], stored transposed")];
        }
        var values = _values[(int)head].Tensors[0].Tensor;
        return [new NeuronPart(values, PartRole.Weight, new TensorSlice(SliceItem.At(head), SliceItem.At(i - _keyWidth)),
            note: $"head {head}'s value row {i - _keyWidth}: row {i - _keyWidth} of {values.Name}[{head}]")];
    }
}
