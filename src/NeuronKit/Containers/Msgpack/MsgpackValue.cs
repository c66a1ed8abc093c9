namespace NeuronKit.Containers.Msgpack;

/// <summary>
/// One msgpack value and where it lies in its file: a string's text, an integer's value, a container's items; bytes
/// (bin, an extension's payload) only as where they are, never read.
/// </summary>
internal sealed class MsgpackValue
{
    /// <summary>What it is.</summary>
    public required MsgpackKind Kind { get; init; }

    /// <summary>Where its first byte (the type byte) lies in the file.</summary>
    public required long Offset { get; init; }

    /// <summary>Where a string's, bin's or extension's bytes start (after the type byte, lengths and extension type); else 0.</summary>
    public long DataOffset { get; init; }

    /// <summary>How many bytes a string, bin or extension holds; else 0.</summary>
    public long DataLength { get; init; }

    /// <summary>An extension's type number (application-defined; negative ones are msgpack's own, such as timestamps).</summary>
    public sbyte ExtensionType { get; init; }

    /// <summary>A string's text; null for other kinds.</summary>
    public string? Text { get; init; }

    /// <summary>An integer's value (unsigned ones above long.MaxValue are refused), a boolean as 0 or 1; else 0.</summary>
    public long Integer { get; init; }

    /// <summary>An array's items; empty for other kinds.</summary>
    public IReadOnlyList<MsgpackValue> Items { get; init; } = [];

    /// <summary>A map's entries, in the order written; empty for other kinds.</summary>
    public IReadOnlyList<(MsgpackValue Key, MsgpackValue Value)> Entries { get; init; } = [];

    /// <summary>A map key as a name: a string's text, an integer's digits; null for other kinds.</summary>
    public string? Name => Kind switch
    {
        MsgpackKind.String => Text,
        MsgpackKind.Integer => Integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>The map entry under string key <paramref name="key"/>, or null (also when this is no map).</summary>
    public MsgpackValue? this[string key] => Entries.FirstOrDefault(e => e.Key.Kind == MsgpackKind.String && e.Key.Text == key).Value;
}
