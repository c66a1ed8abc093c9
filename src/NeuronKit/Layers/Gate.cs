namespace NeuronKit.Layers;

/// <summary>
/// A gate of a recurrent unit, or the q, k or v projection of an attention unit: the blocks of rows a neuron's parts
/// are labelled with. PyTorch and ONNX name the same gates differently (PyTorch GRU's new gate is ONNX's hidden gate),
/// and each keeps its own names here.
/// </summary>
public sealed class Gate
{
    private Gate(string name) => Name = name;

    /// <summary>LSTM's input gate (i).</summary>
    public static Gate Input { get; } = new("input");

    /// <summary>LSTM's forget gate (f).</summary>
    public static Gate Forget { get; } = new("forget");

    /// <summary>LSTM's cell candidate (PyTorch's g, ONNX's c).</summary>
    public static Gate Cell { get; } = new("cell");

    /// <summary>LSTM's output gate (o).</summary>
    public static Gate Output { get; } = new("output");

    /// <summary>GRU's reset gate (r).</summary>
    public static Gate Reset { get; } = new("reset");

    /// <summary>GRU's update gate (z).</summary>
    public static Gate Update { get; } = new("update");

    /// <summary>PyTorch GRU's new gate (n).</summary>
    public static Gate New { get; } = new("new");

    /// <summary>ONNX GRU's hidden gate (h).</summary>
    public static Gate Hidden { get; } = new("hidden");

    /// <summary>Attention's query projection.</summary>
    public static Gate Q { get; } = new("q");

    /// <summary>Attention's key projection.</summary>
    public static Gate K { get; } = new("k");

    /// <summary>Attention's value projection.</summary>
    public static Gate V { get; } = new("v");

    /// <summary>The gate's name as parts and JSON carry it.</summary>
    public string Name { get; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
