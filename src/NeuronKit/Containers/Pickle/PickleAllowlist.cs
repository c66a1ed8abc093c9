namespace NeuronKit.Containers.Pickle;

/// <summary>
/// Which globals a pickle may name and what each may do. Unlisted globals may only be constructed into inert
/// placeholders; unlisted globals from the modules in <see cref="RefusedModules"/> are refused outright.
/// </summary>
public sealed class PickleAllowlist
{
    /// <summary>Python's own data constructors that protocol 2 pickles use for plain containers.</summary>
    public static readonly PickleAllowlist Python = new(new Dictionary<string, PickleGlobalRole>
    {
        ["collections.OrderedDict"] = PickleGlobalRole.Dict,
        ["collections.Counter"] = PickleGlobalRole.Dict,
        ["builtins.set"] = PickleGlobalRole.Set,
        ["builtins.frozenset"] = PickleGlobalRole.Set,
        ["builtins.bytearray"] = PickleGlobalRole.ByteArray,
        ["builtins.complex"] = PickleGlobalRole.Complex,
        ["_codecs.encode"] = PickleGlobalRole.Encode,
        ["copyreg._reconstructor"] = PickleGlobalRole.Reconstructor,
        ["builtins.object"] = PickleGlobalRole.ObjectBase,
        // A Lightning checkpoint's hyper-parameters often hold a data folder as a Path (torch.load asks for add_safe_globals).
        ["pathlib.Path"] = PickleGlobalRole.Path,
        ["pathlib.PosixPath"] = PickleGlobalRole.Path,
        ["pathlib.WindowsPath"] = PickleGlobalRole.Path,
        ["pathlib.PurePath"] = PickleGlobalRole.Path,
        ["pathlib.PurePosixPath"] = PickleGlobalRole.Path,
        ["pathlib.PureWindowsPath"] = PickleGlobalRole.Path,
        // A Hydra config (OmegaConf's DictConfig) names its key and element types and keeps its nodes in a defaultdict.
        ["collections.defaultdict"] = PickleGlobalRole.Dict,
        ["builtins.str"] = PickleGlobalRole.BuiltinType,
        ["builtins.int"] = PickleGlobalRole.BuiltinType,
        ["builtins.float"] = PickleGlobalRole.BuiltinType,
        ["builtins.bool"] = PickleGlobalRole.BuiltinType,
        ["builtins.bytes"] = PickleGlobalRole.BuiltinType,
        ["builtins.list"] = PickleGlobalRole.BuiltinType,
        ["builtins.tuple"] = PickleGlobalRole.BuiltinType,
        ["builtins.dict"] = PickleGlobalRole.BuiltinType,
        // NumPy values beside the weights (np.float64 scores, np.random.get_state()), under NumPy 1's and NumPy 2's names.
        ["numpy.dtype"] = PickleGlobalRole.InertValue,
        ["numpy.core.multiarray.scalar"] = PickleGlobalRole.InertValue,
        ["numpy.core.multiarray._reconstruct"] = PickleGlobalRole.InertValue,
        ["numpy._core.multiarray.scalar"] = PickleGlobalRole.InertValue,
        ["numpy._core.multiarray._reconstruct"] = PickleGlobalRole.InertValue,
    });

    /// <summary>
    /// Modules whose members are never placeholders, even when only constructed: they reach the process, the
    /// interpreter, files or the network (torch blocks sys/os/posix/nt even when a user allowlists them).
    /// </summary>
    public static readonly IReadOnlySet<string> RefusedModules = new HashSet<string>(StringComparer.Ordinal)
    {
        "sys", "os", "posix", "nt", "subprocess", "builtins", "runpy", "pickle", "_pickle", "importlib", "shutil",
        "socket", "marshal", "ctypes", "code", "codeop", "pty", "commands", "webbrowser", "_posixsubprocess",
        "multiprocessing", "asyncio", "signal", "io", "_io", "operator", "functools", "types", "inspect", "pydoc",
    };

    // Python 2 module names that Python 3's unpickler renames first (pickle's IMPORT_MAPPING), so that
    // __builtin__.eval is judged as builtins.eval.
    private static readonly Dictionary<string, string> ModuleRenames = new(StringComparer.Ordinal)
    {
        ["__builtin__"] = "builtins",
        ["copy_reg"] = "copyreg",
        ["exceptions"] = "builtins",
        ["cPickle"] = "pickle",
        ["commands"] = "subprocess",
    };

    // Python 2 names that Python 3's unpickler renames first (pickle's NAME_MAPPING): protocol 2 writes int as
    // __builtin__.long and str as __builtin__.unicode.
    private static readonly Dictionary<string, string> NameRenames = new(StringComparer.Ordinal)
    {
        ["__builtin__.long"] = "builtins.int",
        ["__builtin__.unicode"] = "builtins.str",
    };

    private readonly IReadOnlyDictionary<string, PickleGlobalRole> _roles;

    private PickleAllowlist(IReadOnlyDictionary<string, PickleGlobalRole> roles) => _roles = roles;

    /// <summary>This allowlist plus <paramref name="entries"/> (<c>module.name</c> → role).</summary>
    public PickleAllowlist With(IEnumerable<KeyValuePair<string, PickleGlobalRole>> entries)
    {
        var roles = new Dictionary<string, PickleGlobalRole>(_roles, StringComparer.Ordinal);
        foreach (var (key, role) in entries) roles[key] = role;
        return new PickleAllowlist(roles);
    }

    /// <summary>The role of <paramref name="module"/>.<paramref name="name"/>, or null when it must be refused.</summary>
    public PickleGlobalRole? Classify(string module, string name)
    {
        string canonical = ModuleRenames.GetValueOrDefault(module, module);
        if (_roles.TryGetValue(NameRenames.GetValueOrDefault($"{module}.{name}") ?? $"{canonical}.{name}", out var role)) return role;
        string root = canonical.Split('.')[0];
        return RefusedModules.Contains(root) || RefusedModules.Contains(module.Split('.')[0]) ? null : PickleGlobalRole.Class;
    }
}
