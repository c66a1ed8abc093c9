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
        RefuseDenseStorage(Hdf5MessageType.AttributeInfo, 2, "attribute");
        return [.. Header.Messages.Where(m => m.Type == Hdf5MessageType.Attribute).Select(m => Hdf5Attribute.Read(File, m, Path))];
    }

    /// <summary>
    /// Refuses dense storage: an attribute info or link info message (<paramref name="type"/>; a maximum creation index of
    /// <paramref name="indexBytes"/> when its flags say so) whose fractal heap keeps the object's <paramref name="what"/>s
    /// outside its header, where this reader does not follow.
    /// </summary>
    private protected void RefuseDenseStorage(Hdf5MessageType type, int indexBytes, string what)
    {
        if (Header.Find(type) is not { } info) return;
        var fields = info.Fields(File, $"the {what} info of '{Path}'");
        fields.Skip(1); // version
        if ((fields.Byte() & 0x01) != 0) fields.Skip(indexBytes);
        if (fields.Address() >= 0) throw File.Unsupported($"dense {what} storage (a fractal heap) for '{Path}'");
    }
}
