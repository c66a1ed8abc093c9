using System.Text;

namespace NeuronKit.Containers.Hdf5;

/// <summary>An attribute of a group or dataset (message versions 1 to 3): its name, type, shape and where its data is.</summary>
public sealed class Hdf5Attribute
{
    private readonly Hdf5File _file;
    private readonly Hdf5Datatype _type;
    private readonly long _dataAddress;
    private readonly string _what;

    private Hdf5Attribute(Hdf5File file, string name, Hdf5Datatype type, long[]? dims, long dataAddress, string what)
    {
        (_file, Name, _type, Dims, _dataAddress, _what) = (file, name, type, dims, dataAddress, what);
    }

    /// <summary>The attribute's name.</summary>
    public string Name { get; }

    /// <summary>Its dimensions ([] for a scalar); null when it holds nothing (a null dataspace).</summary>
    public IReadOnlyList<long>? Dims { get; }

    /// <summary>True when the attribute holds text (fixed or variable-length strings).</summary>
    public bool IsText => _type.IsText;

    private long Count => Dims is null ? 0 : Dims.Aggregate(1L, (n, d) => checked(n * d));

    internal static Hdf5Attribute Read(Hdf5File file, Hdf5Message message, string owner)
    {
        string what = $"an attribute of '{owner}'";
        var fields = message.Fields(file, what);
        int version = fields.Byte();
        if (version is < 1 or > 3) throw file.Corrupt($"{what} has version {version} (1 to 3)");
        int flags = fields.Byte();
        if (version > 1 && (flags & 0x03) != 0) throw file.Unsupported($"a shared datatype or dataspace in {what}");
        int nameSize = fields.UInt16(), typeSize = fields.UInt16(), spaceSize = fields.UInt16();
        if (version == 3) fields.Skip(1); // the name's character set
        static int Padded(int size, int version) => version == 1 ? (size + 7) / 8 * 8 : size;
        var nameBytes = fields.Take(Padded(nameSize, version))[..nameSize];
        int nul = nameBytes.IndexOf((byte)0);
        string name = Encoding.UTF8.GetString(nul < 0 ? nameBytes : nameBytes[..nul]);
        what = $"attribute '{name}' of '{owner}'";
        var typeFields = new Hdf5Fields(fields.Take(Padded(typeSize, version))[..typeSize], file, what);
        var type = Hdf5Datatype.Read(ref typeFields, file, what);
        var spaceFields = new Hdf5Fields(fields.Take(Padded(spaceSize, version))[..spaceSize], file, what);
        var dims = Hdf5Dataspace.Read(ref spaceFields, file, what);
        var attribute = new Hdf5Attribute(file, name, type, dims, message.Address + fields.Position, what);
        long bytes;
        try
        {
            bytes = checked(attribute.Count * type.Size);
        }
        catch (OverflowException)
        {
            throw file.Corrupt($"{what} claims more elements than any file holds");
        }
        if (bytes > fields.Remaining) throw file.Corrupt($"{what} holds {bytes:N0} bytes of data in a message of {fields.Remaining:N0}");
        return attribute;
    }

    /// <summary>Its values as text, row-major: a fixed-length string's bytes up to its padding, a variable-length string from the global heap.</summary>
    public IReadOnlyList<string> Strings()
    {
        if (!_type.IsText) throw new CheckpointException($"{_file.Name}: {_what} is {_type.Description}, not text");
        long count = Count;
        var data = _file.Bytes(_dataAddress, checked(count * _type.Size), _what);
        var strings = new List<string>();
        for (long i = 0; i < count; i++)
        {
            var element = data.Slice((int)(i * _type.Size), (int)_type.Size);
            strings.Add(_type.Class == Hdf5Datatype.String ? FixedString(element) : VariableString(element));
        }
        return strings;
    }

    private string FixedString(ReadOnlySpan<byte> element)
    {
        int nul = element.IndexOf((byte)0);
        string text = Encoding.UTF8.GetString(nul < 0 ? element : element[..nul]);
        return _type.SpacePadded ? text.TrimEnd(' ') : text;
    }

    // A variable-length element: the length, then the global heap ID (the collection's address and the object's index).
    private string VariableString(ReadOnlySpan<byte> element)
    {
        var fields = new Hdf5Fields(element, _file, _what);
        long length = fields.UInt32();
        long collection = fields.Address();
        int index = (int)fields.UInt32();
        if (length == 0 || collection < 0) return "";
        var bytes = _file.GlobalHeap(collection).Object(index, _what);
        if (length > bytes.Length) throw _file.Corrupt($"{_what} is a string of {length:N0} bytes in a heap object of {bytes.Length:N0}");
        return Encoding.UTF8.GetString(bytes[..(int)length]);
    }
}
