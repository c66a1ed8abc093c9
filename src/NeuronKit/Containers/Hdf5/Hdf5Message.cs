namespace NeuronKit.Containers.Hdf5;

/// <summary>One message of an object header: its type, flags, and where its data lies.</summary>
/// <param name="Type">What the message says (a dataspace, a datatype, a link, …).</param>
/// <param name="Flags">The message flags; bit 1 marks a shared message, whose data points elsewhere.</param>
/// <param name="Address">Where the message's data starts.</param>
/// <param name="Size">The data's length in bytes.</param>
internal sealed record Hdf5Message(Hdf5MessageType Type, int Flags, long Address, int Size)
{
    /// <summary>True when the data is a reference to a message kept elsewhere (a committed datatype, the shared message table).</summary>
    public bool Shared => (Flags & 0x02) != 0;

    /// <summary>The message's data, as fields to read; a shared message is refused, naming <paramref name="what"/>.</summary>
    public Hdf5Fields Fields(Hdf5File file, string what)
    {
        if (Shared) throw file.Unsupported($"a shared {Type} message in {what} (a committed datatype or the shared message table)");
        return new Hdf5Fields(file.Bytes(Address, Size, what), file, what);
    }
}
