namespace NeuronKit.Containers.Hdf5;

/// <summary>A group or dataset of an HDF5 file: its path, its header, and its attributes.</summary>
public abstract class Hdf5Object
{
    private IReadOnlyList<Hdf5Attribute>? _attributes;

    private protected Hdf5Object(Hdf5File file, string path, Hdf5ObjectHeader header)
    {
        File = file;
        Path = path;
        Header = header;
    }

    /// <summary>The file the object is in.</summary>
    public Hdf5File File { get; }

    /// <summary>The object's path from the root (<c>/model_weights/dense</c>).</summary>
    public string Path { get; }

    /// <summary>The last name of its path (<c>dense</c>); <c>/</c> for the root.</summary>
    public string Name => Path == "/" ? Path : Path[(Path.LastIndexOf('/') + 1)..];

    internal Hdf5ObjectHeader Header { get; }

    /// <summary>The attributes the object's header holds, in header order.</summary>
    public IReadOnlyList<Hdf5Attribute> Attributes => _attributes ??= ReadAttributes();

    /// <summary>Attribute <paramref name="name"/>, or null when the object has none of that name.</summary>
    public Hdf5Attribute? Attribute(string name) => Attributes.FirstOrDefault(a => a.Name == name);

    private List<Hdf5Attribute> ReadAttributes()
    {
        // Dense attribute storage (an attribute info message with a fractal heap) keeps them outside the header.
        if (Header.Find(Hdf5MessageType.AttributeInfo) is { } info)
        {
            var fields = info.Fields(File, $"the attribute info of '{Path}'");
            fields.Skip(1);
            int flags = fields.Byte();
            if ((flags & 0x01) != 0) fields.Skip(2); // maximum creation index
            if (fields.Address() >= 0) throw File.Unsupported($"dense attribute storage (a fractal heap) for the attributes of '{Path}'");
        }
        return [.. Header.Messages.Where(m => m.Type == Hdf5MessageType.Attribute).Select(m => Hdf5Attribute.Read(File, m, Path))];
    }
}
