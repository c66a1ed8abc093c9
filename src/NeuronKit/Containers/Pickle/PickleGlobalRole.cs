namespace NeuronKit.Containers.Pickle;

/// <summary>What a global named by GLOBAL/STACK_GLOBAL may do; nothing is ever imported or called.</summary>
public enum PickleGlobalRole
{
    /// <summary>Any other class: it may only be constructed (NEWOBJ, copyreg._reconstructor) into an inert placeholder.</summary>
    Class,
    /// <summary>A tensor rebuild function (<c>torch._utils._rebuild_tensor_v2</c>): REDUCE records a <see cref="PickleCall"/>.</summary>
    TensorRebuild,
    /// <summary>A tensor class (<c>torch.nn.parameter.Parameter</c>): NEWOBJ or REDUCE records a <see cref="PickleCall"/>.</summary>
    TensorClass,
    /// <summary>A storage class (<c>torch.FloatStorage</c>): only named inside a persistent id.</summary>
    StorageType,
    /// <summary>A dtype object (<c>torch.float16</c>): only passed as an argument.</summary>
    DType,
    /// <summary>A plain value built by REDUCE and recorded as a <see cref="PickleCall"/> (<c>torch.device</c>).</summary>
    Value,
    /// <summary><c>collections.OrderedDict</c>, <c>collections.Counter</c>: builds a <see cref="PickleDict"/>.</summary>
    Dict,
    /// <summary><c>builtins.set</c>, <c>builtins.frozenset</c>: builds a <see cref="PickleSet"/>.</summary>
    Set,
    /// <summary><c>builtins.bytearray</c>: builds bytes.</summary>
    ByteArray,
    /// <summary><c>_codecs.encode(str, 'latin1')</c>: how protocol 2 pickles bytes.</summary>
    Encode,
    /// <summary><c>builtins.complex</c>: builds a complex number.</summary>
    Complex,
    /// <summary><c>torch.Size</c>: builds the tuple it wraps.</summary>
    Size,
    /// <summary><c>copyreg._reconstructor(cls, object, None)</c>: how protocol 0/1 build plain instances.</summary>
    Reconstructor,
    /// <summary><c>builtins.object</c>: only the base class argument of <see cref="Reconstructor"/>.</summary>
    ObjectBase,
    /// <summary><c>pathlib.PosixPath</c> and its kin: REDUCE of the path's parts, strings, builds the path as a string.</summary>
    Path,
    /// <summary>
    /// A built-in type named as a value (<c>builtins.str</c>, <c>builtins.dict</c>: OmegaConf's key and element types, a
    /// defaultdict's factory): inert, never called.
    /// </summary>
    BuiltinType,
    /// <summary>
    /// A data constructor whose result no tensor needs (NumPy's <c>scalar</c>, <c>dtype</c> and <c>_reconstruct</c>: a best
    /// score, an epoch counter, a random state): REDUCE builds an inert placeholder, which BUILD may give its state.
    /// </summary>
    InertValue,
}
