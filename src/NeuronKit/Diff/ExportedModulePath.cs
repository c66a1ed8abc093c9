using System.Text.RegularExpressions;
using NeuronKit.Layers;

namespace NeuronKit.Diff;

/// <summary>
/// The PyTorch module an ONNX layer was exported from, so <c>/fc/Gemm</c> pairs with a state dict's <c>fc</c>:
/// torch.onnx.export names initializers by their parameter (<c>fc.weight</c>) unless it transposed them (a Linear on a
/// 3-D input becomes MatMul with <c>onnx::MatMul_24</c>), and names nodes by module scope (<c>/net/net.0/Gemm</c>: the
/// last scope is the module's full path). A recurrent module exports one node per layer (<c>/lstm/LSTM</c>,
/// <c>/lstm/LSTM_1</c>), each read as a sub-layer per direction (<c>/lstm/LSTM_1.reverse</c>), which is the state
/// dict's <c>lstm.l1_reverse</c>.
/// </summary>
internal static partial class ExportedModulePath
{
    /// <summary>The module path of ONNX layer <paramref name="layer"/>, or its own name when neither its initializers nor its node name tell one.</summary>
    public static string Of(Layer layer)
    {
        // Initializer names the exporter made up (onnx::MatMul_24) say nothing of the module.
        var paths = layer.Tensors.Select(t => t.Tensor.Name).Where(n => !n.Contains("::", StringComparison.Ordinal) && n.Contains('.'))
            .Select(n => n[..n.LastIndexOf('.')]).Distinct().ToList();
        if (paths is [var path]) return path;
        var scopes = layer.Name.Split('/');
        if (paths.Count > 0 || scopes.Length < 3 || scopes[^2] == "") return layer.Name;
        // The exporter numbers a module's recurrent nodes by layer: LSTM, LSTM_1, …
        return RecurrentNode().Match(scopes[^1]) is { Success: true } node
            ? $"{scopes[^2]}.l{(node.Groups["layer"].Success ? node.Groups["layer"].Value : "0")}{(node.Groups["direction"].Value == "reverse" ? "_reverse" : "")}"
            : scopes[^2];
    }

    [GeneratedRegex(@"^(?:LSTM|GRU|RNN)(?:_(?<layer>\d+))?(?:\.(?<direction>forward|reverse))?$")]
    private static partial Regex RecurrentNode();
}
