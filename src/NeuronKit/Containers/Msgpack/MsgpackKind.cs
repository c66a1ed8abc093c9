namespace NeuronKit.Containers.Msgpack;

/// <summary>The kinds of msgpack value (github.com/msgpack/msgpack/blob/master/spec.md, "Type system").</summary>
internal enum MsgpackKind
{
    /// <summary>nil.</summary>
    Nil,

    /// <summary>true or false.</summary>
    Boolean,

    /// <summary>A signed or unsigned integer.</summary>
    Integer,

    /// <summary>A float32 or float64.</summary>
    Float,

    /// <summary>UTF-8 text (str).</summary>
    String,

    /// <summary>Bytes (bin).</summary>
    Binary,

    /// <summary>A list of values.</summary>
    Array,

    /// <summary>Key-value pairs, in the order they were written.</summary>
    Map,

    /// <summary>An application's own type: a type number and bytes.</summary>
    Extension,
}
