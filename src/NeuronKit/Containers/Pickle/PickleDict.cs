namespace NeuronKit.Containers.Pickle;

/// <summary>
/// A Python dict (or <c>collections.OrderedDict</c>/<c>Counter</c>), keeping insertion order as Python does; setting
/// an existing simple key (str, int, bool, float, None) replaces its value in place.
/// </summary>
public sealed class PickleDict(string className = "builtins.dict") : PickleContainer
{
    private static readonly object NoneKey = new();
    private readonly List<KeyValuePair<object?, object?>> _entries = [];
    private readonly Dictionary<object, int> _index = [];

    /// <summary>The Python class: <c>builtins.dict</c>, <c>collections.OrderedDict</c>, …</summary>
    public string ClassName { get; } = className;

    /// <summary>The entries, in insertion order.</summary>
    public IReadOnlyList<KeyValuePair<object?, object?>> Entries => _entries;

    /// <summary>State given by BUILD (a state dict's <c>_metadata</c>); kept, never interpreted.</summary>
    public object? State { get; internal set; }

    /// <summary>The value of string key <paramref name="key"/>, or null when absent.</summary>
    public bool TryGet(string key, out object? value)
    {
        if (_index.TryGetValue(key, out int at))
        {
            value = _entries[at].Value;
            return true;
        }
        value = null;
        return false;
    }

    /// <summary>True when string key <paramref name="key"/> is present.</summary>
    public bool ContainsKey(string key) => _index.ContainsKey(key);

    internal void Set(object? key, object? value)
    {
        object? indexKey = key switch
        {
            null => NoneKey,
            string or long or bool or double or System.Numerics.BigInteger => key,
            _ => null,
        };
        if (indexKey is not null && _index.TryGetValue(indexKey, out int at))
        {
            _entries[at] = new(key, value);
            return;
        }
        if (indexKey is not null) _index[indexKey] = _entries.Count;
        _entries.Add(new(key, value));
    }
}
