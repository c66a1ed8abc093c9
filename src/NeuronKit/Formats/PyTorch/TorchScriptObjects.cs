using NeuronKit.Containers.Pickle;

namespace NeuronKit.Formats.PyTorch;

/// <summary>
/// TorchBind objects in a torch.save pickle: <c>torch.ScriptObject</c> built (never run) with the state
/// <c>(obj.__getstate__(), qualified class name)</c>. Quantized modules keep their weights in two of them, and those are read;
/// any other class is refused by name rather than skipped, so no tensor goes missing without a word.
/// </summary>
internal static class TorchScriptObjects
{
    /// <summary>The class every TorchBind object is pickled as.</summary>
    public const string ClassName = "torch.ScriptObject";

    // (weight, bias or None): a quantized Linear's prepacked weight, and each side of a quantized recurrent cell
    // (aten/src/ATen/native/quantized/cpu/LinearUnpackImpl.cpp, SerializationTypeLinearPrePack).
    private const string LinearPackedParams = "__torch__.torch.classes.quantized.LinearPackedParamsBase";

    // (version, [weight], doubles, longs): a quantized Embedding's or EmbeddingBag's packed weight, which its state dict
    // saves under the object's own name (aten/src/ATen/native/quantized/cpu/EmbeddingPackedParams.h, EmbeddingParamsSerializationType).
    private const string EmbeddingPackedParams = "__torch__.torch.classes.quantized.EmbeddingPackedParamsBase";

    // (type, tensors, doubles, longs, packed): one layer and direction of a quantized LSTM or GRU
    // (aten/src/ATen/native/RNN.cpp, CellParamsSerializationType).
    private const string CellParams = "__torch__.torch.classes.rnn.CellParamsBase";

    // The cell type quantize_dynamic's qint8 LSTM and GRU write: tensors [b_ih, b_hh], packed [w_ih, w_hh] (RNN.cpp
    // QuantizedCellParamsDynamic::__getstate__).
    private const string DynamicCell = "quantized_dynamic";

    /// <summary>True when <paramref name="node"/> is a TorchBind object.</summary>
    public static bool Is(object? node) => node is PickleObject { Class.FullName: ClassName };

    /// <summary>
    /// The values <paramref name="script"/> (at <paramref name="path"/>) holds, named as the reader names them: a packed Linear's
    /// <c>0</c> (weight) and <c>1</c> (bias), as its state dict's tuple has them; a recurrent cell's <c>weight_ih</c>,
    /// <c>weight_hh</c>, <c>bias_ih</c>, <c>bias_hh</c>, as PyTorch names a cell's parameters; a packed Embedding's weight under
    /// <c>""</c>, the object's own path, as its state dict saves it.
    /// </summary>
    public static List<(string Key, object? Value)> Children(PickleObject script, string path, string fileName)
    {
        if (script.State is not PickleTuple { Count: 2 } built || built[1] is not string className)
            throw Unread(fileName, path, "a TorchBind object (torch.ScriptObject) without its (state, class name)");
        return className switch
        {
            LinearPackedParams => LinearItems(built[0], path, fileName),
            CellParams => CellItems(built[0], path, fileName),
            EmbeddingPackedParams => EmbeddingItems(built[0], path, fileName),
            _ => throw Unread(fileName, path, $"a TorchBind object of class {className}"),
        };
    }

    private static List<(string Key, object? Value)> LinearItems(object? state, string path, string fileName)
    {
        if (state is not PickleTuple { Count: 2 } pair || !TorchTensorBuilder.IsTensor(pair[0]) || !(pair[1] is null || TorchTensorBuilder.IsTensor(pair[1])))
            throw Unread(fileName, path, "a packed Linear whose state is not (weight, bias)");
        return [("0", pair[0]), ("1", pair[1])];
    }

    private static List<(string Key, object? Value)> EmbeddingItems(object? state, string path, string fileName) =>
        state is PickleTuple { Count: 4 } packed && packed[1] is PickleList { Items: [var weight] } && TorchTensorBuilder.IsTensor(weight)
            ? [("", weight)]
            : throw Unread(fileName, path, "a packed Embedding whose state is not (version, [weight], doubles, longs)");

    private static List<(string Key, object? Value)> CellItems(object? state, string path, string fileName)
    {
        if (state is not PickleTuple { Count: 5 } cell || cell[0] is not string type)
            throw Unread(fileName, path, "a quantized recurrent cell whose state is not (type, tensors, doubles, longs, packed)");
        if (type != DynamicCell)
            throw Unread(fileName, path, $"a quantized recurrent cell of type '{type}' (NeuronKit reads quantize_dynamic's qint8 cells, '{DynamicCell}')");
        if (cell[1] is not PickleList { Items: [var biasIh, var biasHh] } || !TorchTensorBuilder.IsTensor(biasIh) || !TorchTensorBuilder.IsTensor(biasHh)
            || cell[4] is not PickleList { Items: [var packedIh, var packedHh] } || PackedState(packedIh) is not { } ih || PackedState(packedHh) is not { } hh)
            throw Unread(fileName, path, $"a '{DynamicCell}' cell that does not hold [bias_ih, bias_hh] and two packed Linear weights");
        return [("weight_ih", LinearItems(ih, path, fileName)[0].Value), ("weight_hh", LinearItems(hh, path, fileName)[0].Value),
            ("bias_ih", biasIh), ("bias_hh", biasHh)];
    }

    // The state of a packed Linear (its class checked, not its state), or null when the node is something else.
    private static object? PackedState(object? node) =>
        Is(node) && ((PickleObject)node!).State is PickleTuple { Count: 2 } built && built[1] is LinearPackedParams ? built[0] : null;

    private static CheckpointException Unread(string fileName, string path, string what) =>
        new($"{fileName} holds {what} at '{path}', which NeuronKit does not read");
}
