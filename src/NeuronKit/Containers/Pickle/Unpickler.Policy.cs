using System.Numerics;
using System.Text;

namespace NeuronKit.Containers.Pickle;

// What GLOBAL, REDUCE, NEWOBJ, BUILD and BINPERSID may do: each is judged here and recorded, never executed.
public sealed partial class Unpickler
{
    private PickleGlobal ResolveGlobal(string module, string name)
    {
        var role = _allowlist.Classify(module, name);
        return role is { } r ? new PickleGlobal(module, name, r) : throw Calls($"{module}.{name}", "GLOBAL names it");
    }

    private PickleTuple AsArgs(object? args, string opcode) =>
        args as PickleTuple ?? throw Corrupt($"passes {Describe(args)} to {opcode}; expected an argument tuple");

    // REDUCE is Python's "call": only recorded for allowlisted functions, and evaluated only for data constructors.
    private object? Call(object? callable, PickleTuple args)
    {
        if (callable is not PickleGlobal g)
            throw new CheckpointException($"{_fileName} calls {Describe(callable)} while unpickling; refused, nothing was run",
                [$"REDUCE at byte {_opcodeStart} calls a value that is not an allowed function; NeuronKit never runs code from a file"]);
        switch (g.Role)
        {
            case PickleGlobalRole.TensorRebuild or PickleGlobalRole.TensorClass or PickleGlobalRole.Value:
                var call = new PickleCall(g, args);
                Deepen(call, args);
                return call;
            case PickleGlobalRole.Dict when args.Count == 0:
                return new PickleDict(CanonicalName(g));
            case PickleGlobalRole.Dict when g.FullName == "collections.defaultdict" && args.Count == 1 && args[0] is PickleGlobal or null:
                // defaultdict(factory): the factory only names what a missing key would get; nothing calls it.
                return new PickleDict(CanonicalName(g));
            case PickleGlobalRole.Dict when args.Count == 1 && args[0] is PickleList or PickleTuple:
                var dict = new PickleDict(CanonicalName(g));
                foreach (var pair in Items(args[0]))
                {
                    if (pair is not PickleTuple { Count: 2 } kv) throw Corrupt($"builds {g.FullName} from {Describe(pair)}; expected pairs");
                    SetItemsOf(dict, kv[0], kv[1]);
                }
                return dict;
            case PickleGlobalRole.Set when args.Count == 0 || (args.Count == 1 && args[0] is PickleList or PickleTuple or PickleSet):
                var set = new PickleSet(frozen: g.Name == "frozenset");
                if (args.Count == 1)
                    foreach (var item in Items(args[0])) AddChild(set, set.Items, item);
                return set;
            case PickleGlobalRole.ByteArray when args.Count == 0:
                return Array.Empty<byte>();
            case PickleGlobalRole.ByteArray when args.Count == 1 && args[0] is byte[] bytes:
                return bytes;
            case PickleGlobalRole.Encode when args.Count == 2 && args[0] is string text && args[1] is "latin1" or "latin-1":
                // Protocol 2 writes bytes b as _codecs.encode(b.decode('latin1'), 'latin1').
                if (text.Any(c => c > 0xff)) throw Corrupt("encodes a non-latin1 string as latin1");
                return Encoding.Latin1.GetBytes(text);
            case PickleGlobalRole.Complex when args.Count is 1 or 2 && args.Items.All(a => a is double or long):
                return new Complex(Convert.ToDouble(args[0]), args.Count == 2 ? Convert.ToDouble(args[1]) : 0);
            case PickleGlobalRole.Size when args.Count == 0:
                return new PickleTuple([]);
            case PickleGlobalRole.Size when args.Count == 1 && args[0] is PickleTuple size:
                return size;
            case PickleGlobalRole.Path when args.Items.All(a => a is string):
                // PurePath.__reduce__ gives (cls, parts): '/', 'data', 'x' are /data/x. Nothing of pathlib runs.
                return args.Items.Cast<string>().Aggregate("", (path, part) => path.Length == 0 || path[^1] is '/' or '\\' ? path + part : $"{path}/{part}");
            case PickleGlobalRole.InertValue:
                // Recorded, never evaluated: what NumPy would build is no tensor and no container of one.
                var inert = new PickleObject(g, args);
                Deepen(inert, args);
                return inert;
            case PickleGlobalRole.Reconstructor:
                // copyreg._reconstructor(cls, object, None) is object.__new__(cls): construction, not a call of cls.
                if (args.Count == 3 && args[1] is PickleGlobal { Role: PickleGlobalRole.ObjectBase } && args[2] is null)
                    return Construct(args[0], new PickleTuple([]), kwargs: null);
                throw Calls(g.FullName, $"REDUCE would call it with {Describe(args[0])}, not (class, object, None),");
            default:
                throw Calls(g.FullName, "REDUCE would call it");
        }
    }

    // NEWOBJ is cls.__new__(cls, *args): for a class that is not allowlisted it yields an inert placeholder.
    private object Construct(object? cls, PickleTuple args, PickleDict? kwargs)
    {
        if (cls is not PickleGlobal g)
            throw Refused($"constructs an instance of {Describe(cls)}, which is not a class");
        switch (g.Role)
        {
            case PickleGlobalRole.Class:
                var placeholder = new PickleObject(g, args);
                Deepen(placeholder, args);
                return placeholder;
            case PickleGlobalRole.TensorClass when kwargs is null || kwargs.Entries.Count == 0:
                var call = new PickleCall(g, args);
                Deepen(call, args);
                return call;
            case PickleGlobalRole.Dict when kwargs is null || kwargs.Entries.Count == 0:
                return new PickleDict(CanonicalName(g));
            case PickleGlobalRole.Set when args.Count == 0 && (kwargs is null || kwargs.Entries.Count == 0):
                return new PickleSet(frozen: g.Name == "frozenset");
            default:
                throw Refused($"constructs {g.FullName}, which may not be constructed");
        }
    }

    private void SetState(object? target, object? state)
    {
        switch (target)
        {
            case PickleObject o:
                o.State = state;
                Deepen(o, state);
                break;
            case PickleDict d when d.ClassName != "builtins.dict":
                d.State = state;
                break;
            case PickleCall c when c.Callable.Role is PickleGlobalRole.TensorRebuild or PickleGlobalRole.TensorClass:
                c.State = state;
                Deepen(c, state);
                break;
            default:
                throw Refused($"sets the state of {Describe(target)} with BUILD");
        }
    }

    // torch's persistent ids: ('storage', StorageType, key, location, numel) in zip files, a sixth view_metadata
    // (None) in legacy ones, and ('module', cls, source_file, source) for module classes in legacy files.
    private object PersistentLoad(object? pid)
    {
        if (pid is PickleTuple { Count: 5 or 6 } t && t[0] is "storage"
            && t[1] is PickleGlobal { Role: PickleGlobalRole.StorageType } type
            && t[2] is string key && t[3] is string location && t[4] is long numel and >= 0)
        {
            if (t.Count == 6 && t[5] is not null)
                throw new CheckpointException($"{_fileName} holds a legacy storage view (storage '{key}' at byte {_opcodeStart}); " +
                    "views of storages from torch before 0.4 cannot be read");
            var storage = new PickleStorageRef(type, key, location, numel, _opcodeStart);
            _storages.Add(storage);
            return storage;
        }
        if (pid is PickleTuple { Count: 4 } m && m[0] is "module" && m[1] is PickleGlobal { Role: PickleGlobalRole.Class } cls
            && m[2] is string or null && m[3] is string or null)
            return cls;
        throw Refused($"has a persistent id {Describe(pid)}{(pid is PickleTuple { Count: > 0 } p ? $" starting {Describe(p[0])}" : "")} " +
            "that is not a storage reference ('storage', type, key, location, numel)");
    }

    private void SetItemsOf(PickleDict dict, object? key, object? value)
    {
        Deepen(dict, key);
        Deepen(dict, value);
        dict.Set(key, value);
    }

    private static IEnumerable<object?> Items(object? container) => container switch
    {
        PickleList l => l.Items,
        PickleTuple t => t.Items,
        PickleSet s => s.Items,
        _ => [],
    };

    private static string CanonicalName(PickleGlobal g) => $"{(g.Module == "__builtin__" ? "builtins" : g.Module)}.{g.Name}";

    private CheckpointException Calls(string name, string where) =>
        new($"{_fileName} calls {name} while unpickling; refused, nothing was run",
            [$"{where} at byte {_opcodeStart}; NeuronKit reads tensors and plain containers and never runs code from a file",
             .. name is "builtins.getattr" or "__builtin__.getattr"
                ? ["Python 3.11 and later pickle an enum member as getattr(its class, its name): a Lightning checkpoint's hyper-parameters may hold one"]
                : Array.Empty<string>(),
             "if you trust the file, load it in Python and re-save its state_dict (or save it as safetensors)"]);
}
