namespace NeuronKit.Containers.Protobuf;

/// <summary>One field of a protobuf message as it sits in the bytes: where it starts and ends, and its payload.</summary>
/// <param name="Number">The field number.</param>
/// <param name="Type">The wire type.</param>
/// <param name="Start">Where the field's tag starts, in bytes from the start of the message.</param>
/// <param name="End">Where the field ends (exclusive), in bytes from the start of the message.</param>
/// <param name="PayloadStart">Where a length-delimited payload starts; for other types, where the value starts.</param>
/// <param name="Value">A varint's value; 0 for other types.</param>
public readonly record struct WireField(int Number, WireType Type, int Start, int End, int PayloadStart, ulong Value)
{
    /// <summary>The payload's length in bytes (the value's bytes for fixed and varint fields).</summary>
    public int PayloadLength => End - PayloadStart;
}
