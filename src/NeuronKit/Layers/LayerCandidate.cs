using NeuronKit.Tensors;

namespace NeuronKit.Layers;

/// <summary>
/// The tensors that share one module prefix (<c>encoder.0.weight</c>, <c>encoder.0.bias</c> → module <c>encoder.0</c>),
/// each with its last name component as role (or the role of a packed parameter, <see cref="NameConventions.PackedParameters"/>),
/// plus the module's class when the file names it. A quantized module's output scale and zero point, and an FP8
/// module's input scale, are set aside (<see cref="ActivationQuantization"/>): kinds match the other tensors, and the
/// layer keeps these beside its parts.
/// </summary>
internal sealed class LayerCandidate
{
    /// <summary>Makes a candidate of <paramref name="tensors"/>, whose roles are their names after <paramref name="module"/>.</summary>
    public LayerCandidate(string module, IReadOnlyList<LayerTensor> tensors, string? moduleClass)
    {
        Module = module;
        All = tensors;
        bool quantized = tensors.Any(t => t.Tensor.Quantization is not null), scaled = tensors.Any(t => t.Tensor.StoredAs is not null);
        Tensors = [.. tensors.Where(t => !IsActivationQuantization(t, quantized, scaled))];
        ActivationQuantization = [.. tensors.Where(t => IsActivationQuantization(t, quantized, scaled))];
        ModuleClass = moduleClass;
        Packed = tensors.Select(t => NameConventions.FindPacked(t.Tensor.Name)).FirstOrDefault(p => p is not null);
    }

    // Quantization-aware training's fake quantization and observer buffers; a scalar beside a quantized weight: a quantized
    // module's output scale or zero point, or, beside an 8-bit float weight read through its scales, the static scale of the
    // module's input or its KV cache's; a KV-cache scale named so beside any weight.
    private static bool IsActivationQuantization(LayerTensor tensor, bool quantized, bool scaled) =>
        IsFakeQuantization(tensor.Role)
        || (quantized && NameConventions.OutputQuantization.Contains(tensor.Role) && tensor.Tensor.Shape.Count == 0)
        || ((scaled && (NameConventions.InputQuantization.Contains(tensor.Role) || NameConventions.CacheQuantization.Contains(tensor.Role))
                || NameConventions.CacheScales.Contains(tensor.Role))
            && tensor.Tensor.ElementCount == 1 && tensor.Tensor.Shape.Count <= 1);

    /// <summary>The module path: the tensor names minus their last component; "" for a bare module's <c>weight</c>.</summary>
    public string Module { get; }

    /// <summary>
    /// The tensors kinds match, in file order; each role is the name's last component (<c>weight</c>, <c>weight_ih_l0</c>), or a
    /// packed parameter's role.
    /// </summary>
    public IReadOnlyList<LayerTensor> Tensors { get; }

    /// <summary>The module's class as the file names it (<c>torch.nn.modules.conv.Conv2d</c>), or null.</summary>
    public string? ModuleClass { get; }

    /// <summary>The groups the file says the module has (a pickled ConvTranspose's <c>groups</c>), or null.</summary>
    public long? ModuleGroups { get; init; }

    /// <summary>Every tensor in file order: <see cref="Tensors"/> and <see cref="ActivationQuantization"/>.</summary>
    public IReadOnlyList<LayerTensor> All { get; }

    /// <summary>
    /// The module's output scale and zero point when it is quantized (<c>0.scale</c>, <c>0.zero_point</c>), or its input
    /// scale beside an 8-bit float weight (<c>input_scale</c>), which no kind matches.
    /// </summary>
    public IReadOnlyList<LayerTensor> ActivationQuantization { get; }

    /// <summary>A packed parameter among the tensors (a quantized Linear's <c>_packed_params._packed_params.0</c>), or null.</summary>
    public PackedParameter? Packed { get; }

    /// <summary>The kind and layout the packed parameters say the module is, or null when it has none.</summary>
    public KindRequest? PackedRequest => Packed is { Kind: { } name } packed && LayerKinds.Find(name) is { } kind
        ? new KindRequest(kind.Kind, kind.Name, packed.Layout, null, PackedEvidence!)
        : null;

    /// <summary>The sentence saying whose container the packed parameters are, or null when there are none.</summary>
    public string? PackedEvidence => Packed is { } packed ? $"{(Module == "" ? "" : Module + ".")}{packed.Container} is {packed.Source}" : null;

    /// <summary>
    /// <paramref name="layers"/> with the output scale and zero point added to the one layer, and evidence saying why no neuron
    /// has them; several layers (or none) leave them to the caller, as tensors no kind claimed.
    /// </summary>
    public IReadOnlyList<Layer> WithActivationQuantization(IReadOnlyList<Layer> layers) =>
        ActivationQuantization.Count == 0 || layers.Count != 1 ? layers
        : [layers[0].Copy(tensorsAfter: ActivationQuantization, evidenceAfter: [ActivationEvidence()])];

    // Why the activation tensors are no neuron's: what each kind of them scales, then that it is not the weights.
    private string ActivationEvidence()
    {
        static string Names(IEnumerable<LayerTensor> tensors) => string.Join(" and ", tensors.Select(t => t.Tensor.Name));
        var input = ActivationQuantization.Where(t => NameConventions.InputQuantization.Contains(t.Role)).ToList();
        var cache = ActivationQuantization.Where(t => NameConventions.CacheQuantization.Contains(t.Role)).ToList();
        var fake = ActivationQuantization.Where(t => IsFakeQuantization(t.Role)).ToList();
        var output = ActivationQuantization.Except(input).Except(cache).Except(fake).ToList();
        int bits = Tensors.Any(t => t.Tensor.StoredAs?.StartsWith("nvfp4", StringComparison.Ordinal) == true) ? 4 : 8;
        var said = new List<string>();
        if (input.Count > 0) said.Add($"{Names(input)} scales the module's input to {bits}-bit floats (a static activation scale)");
        if (cache.Count > 0)
            said.Add($"{Names(cache)}{(cache.Any(t => ModuleOf(t.Tensor.Name) != Module) ? ", kept on the attention," : "")} scales what the module writes to the KV cache");
        if (output.Count > 0) said.Add($"{Names(output)} quantize the module's output (its q_scale and q_zero_point)");
        foreach (var submodule in fake.GroupBy(t => t.Role[..t.Role.IndexOf('.')]))
            said.Add($"{(Module == "" ? "" : Module + ".")}{submodule.Key}.* ({submodule.Count()} tensor{(submodule.Count() == 1 ? "" : "s")}) " +
                (submodule.Key == "weight_fake_quant" ? "fake-quantizes its weight" : "observes or fake-quantizes its output") +
                " in quantization-aware training (ranges, scales, zero points, switches)");
        return string.Join("; ", said) + ", not its weights: kept with the layer, part of no neuron";
    }

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

    /// <summary>
    /// The module of a tensor name: the name minus its last component ("" when it has none), or minus a packed parameter's tail,
    /// or a quantized recurrent cell's (<c>._all_weight_values.0.param.weight_ih_l0</c>).
    /// </summary>
    public static string ModuleOf(string tensorName) =>
        FakeQuantization(tensorName) is var (module, _) ? module
        : NameConventions.FindPacked(tensorName) is { } packed ? packed.ModuleOf(tensorName)
        : NameConventions.QuantizedCellParameter().Match(tensorName) is { Success: true } cell ? cell.Groups["module"].Value
        : tensorName.LastIndexOf('.') is var dot and >= 0 ? tensorName[..dot] : "";

    /// <summary>A tensor name's last component, or the role of the packed parameter or quantized cell tensor it names.</summary>
    public static string RoleOf(string tensorName) =>
        FakeQuantization(tensorName) is var (_, role) ? role
        : NameConventions.FindPacked(tensorName)?.Role
        ?? (NameConventions.QuantizedCellParameter().Match(tensorName) is { Success: true } cell ? cell.Groups["role"].Value
            : tensorName[(tensorName.LastIndexOf('.') + 1)..]);

    // A fake quantization or observer buffer's module and role: fc.activation_post_process.activation_post_process.min_val is
    // fc's, role activation_post_process.activation_post_process.min_val.
    private static (string Module, string Role)? FakeQuantization(string tensorName)
    {
        var components = tensorName.Split('.');
        int at = NameConventions.FakeQuantizationAt(components);
        return at < 0 ? null : (string.Join('.', components[..at]), string.Join('.', components[at..]));
    }

    /// <summary>True when <paramref name="role"/> is a buffer of a <see cref="NameConventions.FakeQuantization"/> submodule.</summary>
    public static bool IsFakeQuantization(string role) => NameConventions.FakeQuantizationAt(role.Split('.')) == 0;
}
