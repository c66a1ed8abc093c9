using NeuronKit.Layers;

namespace NeuronKit.Diff;

/// <summary>
/// The PyTorch module an ONNX layer was exported from, so <c>/fc/Gemm</c> pairs with a state dict's <c>fc</c>:
/// torch.onnx.export names initializers by their parameter (<c>fc.weight</c>) unless it transposed them (a Linear on a
/// 3-D input becomes MatMul with <c>onnx::MatMul_24</c>), and names nodes by module scope (<c>/net/net.0/Gemm</c>: the
/// last scope is the module's full path).
/// </summary>
internal static class ExportedModulePath
{
    /// <summary>The module path of ONNX layer <paramref name="layer"/>, or its own name when neither its initializers nor its node name tell one.</summary>
    public static string Of(Layer layer)
    {
        // Initializer names the exporter made up (onnx::MatMul_24) say nothing of the module.
        var paths = layer.Tensors.Select(t => t.Tensor.Name).Where(n => !n.Contains("::", StringComparison.Ordinal) && n.Contains('.'))
            .Select(n => n[..n.LastIndexOf('.')]).Distinct().ToList();
        if (paths is [var path]) return path;
        var scopes = layer.Name.Split('/');
        return paths.Count == 0 && scopes.Length >= 3 && scopes[^2] != "" ? scopes[^2] : layer.Name;
    }
}
