using NeuronKit.Tensors;

namespace NeuronKit.Layers;

/// <summary>
/// The tensors that share one module prefix (<c>encoder.0.weight</c>, <c>encoder.0.bias</c> → module <c>encoder.0</c>),
/// each with its last name component as role, plus the module's class when the file names it.
/// </summary>
internal sealed class LayerCandidate
{
    /// <summary>Makes a candidate of <paramref name="tensors"/>, whose roles are their names after <paramref name="module"/>.</summary>
    public LayerCandidate(string module, IReadOnlyList<LayerTensor> tensors, string? moduleClass)
    {
        Module = module;
        Tensors = tensors;
        ModuleClass = moduleClass;
    }

    /// <summary>The module path: the tensor names minus their last component; "" for a bare module's <c>weight</c>.</summary>
    public string Module { get; }

    /// <summary>The tensors in file order; each role is the name's last component (<c>weight</c>, <c>weight_ih_l0</c>).</summary>
    public IReadOnlyList<LayerTensor> Tensors { get; }

    /// <summary>The module's class as the file names it (<c>torch.nn.modules.conv.Conv2d</c>), or null.</summary>
    public string? ModuleClass { get; }

    /// <summary>The module's own name: the last component of <see cref="Module"/> (<c>c_attn</c> of <c>h.0.attn.c_attn</c>).</summary>
    public string ModuleName => Module[(Module.LastIndexOf('.') + 1)..];

    /// <summary>The tensor whose last name component is <paramref name="role"/>, or null.</summary>
    public TensorInfo? Find(string role) => Tensors.FirstOrDefault(t => t.Role == role)?.Tensor;

    /// <summary>True when every tensor's role is one of <paramref name="roles"/>.</summary>
    public bool HasOnly(params string[] roles) => Tensors.All(t => roles.Contains(t.Role));

    /// <summary>Throws <see cref="RequestException"/> naming the first tensor whose role is not one of <paramref name="roles"/>.</summary>
    public void RequireOnly(KindRequest request, params string[] roles)
    {
        var stranger = Tensors.FirstOrDefault(t => !roles.Contains(t.Role));
        if (stranger is not null)
            throw new RequestException($"{request.Name} has no tensor like {stranger.Tensor.Name} " +
                $"(it reads {string.Join(", ", roles)})");
    }

    /// <summary>The module of a tensor name: the name minus its last component ("" when it has none).</summary>
    public static string ModuleOf(string tensorName) => tensorName.LastIndexOf('.') is var dot and >= 0 ? tensorName[..dot] : "";

    /// <summary>A tensor name's last component.</summary>
    public static string RoleOf(string tensorName) => tensorName[(tensorName.LastIndexOf('.') + 1)..];
}
