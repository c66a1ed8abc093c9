namespace NeuronKit.Containers.Protobuf;

/// <summary>The protobuf wire types (https://protobuf.dev/programming-guides/encoding/#structure).</summary>
public enum WireType
{
    /// <summary>A base-128 varint.</summary>
    Varint = 0,
    /// <summary>Eight little-endian bytes.</summary>
    Fixed64 = 1,
    /// <summary>A varint length, then that many bytes: strings, bytes, sub-messages, packed repeated fields.</summary>
    LengthDelimited = 2,
    /// <summary>A deprecated group start.</summary>
    StartGroup = 3,
    /// <summary>A deprecated group end.</summary>
    EndGroup = 4,
    /// <summary>Four little-endian bytes.</summary>
    Fixed32 = 5,
}
