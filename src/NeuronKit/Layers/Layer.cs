using NeuronKit.Neurons;

namespace NeuronKit.Layers;

/// <summary>
/// A group of tensors that together make neurons: its kind (PyTorch's class name), how many neurons it has,
/// the layout it was read with, and the evidence that decided it.
/// </summary>
public sealed class Layer
{
    /// <summary>
    /// The name of the layer made of the saved module's own tensors (a state dict of one <c>nn.Conv2d</c>: <c>weight</c>,
    /// <c>bias</c>), which <c>named_modules()</c> calls <c>""</c>; a recurrent one's sub-layers are <c>l0</c>, … of module root.
    /// </summary>
    public const string RootName = "root";

    /// <summary>The name <c>neuron layers</c> lists and <c>neuron show</c> takes: a module path (<c>fc</c>, <c>rnn.l0</c>).</summary>
    public required string Name { get; init; }

    /// <summary>PyTorch's class name for the kind: <c>Linear</c>, <c>Conv2d</c>, <c>ConvTranspose1d</c>, <c>LSTM</c>, … or <c>Tensor</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The number of neurons (output units).</summary>
    public required long NeuronCount { get; init; }

    /// <summary>The layer's tensors with their roles.</summary>
    public required IReadOnlyList<LayerTensor> Tensors { get; init; }

    /// <summary>How the weight is laid out, e.g. <c>(out, in)</c>, <c>(in, out)</c>, <c>[4H, in], gates i, f, g, o</c>.</summary>
    public required string Layout { get; init; }

    /// <summary>What decided the kind and layout, one sentence each (<c>module class torch.nn.modules.conv.Conv2d</c>).</summary>
    public required IReadOnlyList<string> Evidence { get; init; }

    /// <summary>True when the evidence does not settle the kind or layout and a default was taken.</summary>
    public bool Assumed { get; init; }

    /// <summary>For a sub-layer of a recurrent module (<c>rnn.l0_reverse</c>), the module's name (<c>rnn</c>); otherwise null.</summary>
    public string? Module { get; init; }

    /// <summary>Other names the layer answers to: the outputs of the ONNX node it was made from.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>
    /// For one of the sub-layers a tensor stacks along dim 0, which slice it reads: an ONNX recurrent node's direction
    /// (0 forward, 1 reverse, of W, R and B), a llama.cpp expert of a mixture of experts.
    /// </summary>
    internal int StackIndex { get; init; }

    /// <summary>For a recurrent layer, its gates in storage order and which of them add their two biases; null otherwise.</summary>
    internal GateTable? Gates { get; init; }

    /// <summary>The kind's implementation, which knows which slices make a neuron.</summary>
    internal ILayerKind Implementation { get; init; } = null!;

    /// <summary>For a kind that never has neurons (a Quantize), why; null for the others.</summary>
    internal string? NeuronlessBecause { get; init; }

    /// <summary>
    /// Why the layer has no neurons: its kind's reason, or its first tensor with an empty dimension (<c>weight is [0, 5]</c>); null
    /// when it has some.
    /// </summary>
    public string? WhyNoNeurons => NeuronCount != 0 ? null
        : NeuronlessBecause ?? ((Tensors.FirstOrDefault(t => t.Tensor.Shape.Contains(0)) ?? Tensors.FirstOrDefault()) is { } empty
            ? $"{empty.Role} is {empty.Tensor.Shape.Text()}"
            : "it has no tensors");

    /// <summary>
    /// Neuron <paramref name="index"/> (negative counts from the end, as in Python) with its parts.
    /// Throws <see cref="RequestException"/> when the index is out of range or the layer has no neurons.
    /// </summary>
    public Neuron Neuron(long index)
    {
        if (WhyNoNeurons is { } why)
            throw new RequestException($"layer '{Name}' ({Kind}) has no neurons: {why}");
        if (index < -NeuronCount || index >= NeuronCount)
            throw new RequestException($"neuron {index} is out of range for layer '{Name}' " +
                $"({Kind}, {NeuronCount} neuron{(NeuronCount == 1 ? "" : "s")}: 0..{NeuronCount - 1}, or -{NeuronCount}..-1)");
        long j = index < 0 ? index + NeuronCount : index;
        return new Neuron(this, j, Implementation.Parts(this, j));
    }

    /// <summary>
    /// This layer under another name, or with evidence added before and after its own, or with other aliases or module, or with
    /// tensors added after its own (which no neuron's parts read).
    /// </summary>
    internal Layer Copy(string? name = null, IEnumerable<string>? evidenceBefore = null, IEnumerable<string>? evidenceAfter = null,
        IReadOnlyList<string>? aliases = null, string? module = null, IEnumerable<LayerTensor>? tensorsAfter = null) => new()
    {
        Name = name ?? Name,
        Kind = Kind,
        NeuronCount = NeuronCount,
        Tensors = [.. Tensors, .. tensorsAfter ?? []],
        Layout = Layout,
        Evidence = [.. evidenceBefore ?? [], .. Evidence, .. evidenceAfter ?? []],
        Assumed = Assumed,
        Module = module ?? Module,
        Aliases = aliases ?? Aliases,
        StackIndex = StackIndex,
        Gates = Gates,
        NeuronlessBecause = NeuronlessBecause,
        Implementation = Implementation,
    };

    /// <summary>
    /// Why <paramref name="gate"/>'s biases do not add up to one effective bias, or null when they do: the one place that
    /// decides it, for <c>neuron show</c>, statistics and every other reader of biases.
    /// </summary>
    public string? WhyBiasesDoNotSum(Gate? gate) => Gates?.Unsummed is { } unsummed && unsummed.Gate == gate ? unsummed.Why : null;

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Kind}, {NeuronCount} neuron{(NeuronCount == 1 ? "" : "s")})";
}
