using System.Buffers.Binary;
using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Containers.Hdf5;

/// <summary>
/// A dataset whose elements lie in the file in one run, row-major: contiguous (anywhere in the file) or compact (inside
/// its own header). Chunked, filtered or externally stored data is refused when the dataset is opened.
/// </summary>
public sealed class Hdf5Dataset : Hdf5Object
{
    private readonly Hdf5Datatype _type;

    private Hdf5Dataset(Hdf5File file, string path, Hdf5ObjectHeader header, Hdf5Datatype type, long[] shape, long dataAddress, bool compact)
        : base(file, path, header)
    {
        (_type, Shape, DataAddress, IsCompact) = (type, shape, dataAddress, compact);
    }

    /// <summary>The dataset's dimensions, C order ([] for a scalar).</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The element type when it is a number NeuronKit reads (a little-endian integer or IEEE float), else null.</summary>
    public DType? DType => _type.DType;

    /// <summary>What the element type is, as a sentence fragment (<c>float32</c>, <c>big-endian float64</c>, <c>compound</c>).</summary>
    public string TypeDescription => _type.Description;

    /// <summary>Where the elements start in the file's <see cref="Hdf5File.Source"/>.</summary>
    public long DataAddress { get; }

    /// <summary>True when the data lies inside the object header (compact), which a version 2 header's checksum covers.</summary>
    public bool IsCompact { get; }

    /// <summary>The byte length of the elements.</summary>
    public long ByteLength => Shape.Aggregate(1L, (n, d) => n * d) * _type.Size;

    /// <summary>
    /// Plans shrinking the dataset in place to <paramref name="shape"/> holding <paramref name="data"/> (row-major): the
    /// data written where it lies and the bytes it no longer uses zeroed, the dataspace's dimensions (and maximum
    /// dimensions, unless unlimited) and the layout's size made the new ones, a version 2 header's checksums made again.
    /// Only a contiguous dataset in a file NeuronKit can write (<see cref="MappedFile"/>) can be shrunk so.
    /// </summary>
    internal void PlanShrink(IReadOnlyList<long> shape, byte[] data, PatchSet patches)
    {
        string what = $"dataset '{Path}'";
        if (IsCompact) throw new RequestException($"{what} keeps its data inside its HDF5 object header (compact), which a prune does not rewrite");
        if (File.Source is not MappedFile target) throw new RequestException($"{what} is not in a file NeuronKit can write");
        if (shape.Count != Shape.Count || data.LongLength > ByteLength || data.LongLength != shape.Aggregate(1L, (n, d) => n * d) * _type.Size)
            throw new ArgumentException($"a shrink of {what} needs as many dimensions and at most its bytes, in full", nameof(data));
        patches.Write(target, DataAddress, data);
        patches.Write(target, DataAddress + data.LongLength, new byte[ByteLength - data.LongLength]);
        var space = Header.Find(Hdf5MessageType.Dataspace)!;
        var head = File.Bytes(space.Address, 4, what);
        int version = head[0], rank = head[1], flags = head[2];
        long dims = space.Address + (version == 1 ? 8 : 4);
        var lengths = shape.Select(d => Length(d)).ToList();
        for (int d = 0; d < rank; d++) Write(target, dims + d * File.LengthSize, lengths[d], patches, what);
        // Maximum dimensions follow when flag 1 is set; an unlimited one (all bits set) stays so.
        if ((flags & 1) != 0)
            for (int d = 0; d < rank; d++)
            {
                long at = dims + (rank + d) * File.LengthSize;
                if (!File.Bytes(at, File.LengthSize, what).ContainsAnyExcept((byte)0xff)) continue;
                Write(target, at, lengths[d], patches, what);
            }
        // A contiguous layout (version 3 or 4, class 1): its address, then its size.
        var layout = Header.Find(Hdf5MessageType.DataLayout)!;
        Write(target, layout.Address + 2 + File.OffsetSize, Length(data.LongLength), patches, what);
        foreach (var (start, end) in Header.Checksummed)
        {
            var covered = new byte[end - start];
            patches.Read(target, File.SourceOffset(start, covered.Length, what), covered);
            var checksum = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(checksum, Hdf5Checksum.Of(covered));
            Write(target, end, checksum, patches, what);
        }
    }

    // A length as the file stores lengths: little-endian, LengthSize bytes.
    private byte[] Length(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes[..File.LengthSize];
    }

    private void Write(MappedFile target, long address, byte[] bytes, PatchSet patches, string what) =>
        patches.Write(target, File.SourceOffset(address, bytes.Length, what), bytes);

    internal static Hdf5Dataset Read(Hdf5File file, string path, Hdf5ObjectHeader header)
    {
        string what = $"dataset '{path}'";
        if (header.Find(Hdf5MessageType.FilterPipeline) is not null) throw file.Unsupported($"filters (compression) on {what}");
        if (header.Find(Hdf5MessageType.ExternalDataFiles) is not null)
            throw new CheckpointException($"{file.Name} keeps the data of {what} in other files (an external storage list); refused: " +
                "NeuronKit reads a file's data only from the file itself");
        var typeMessage = header.Find(Hdf5MessageType.Datatype) ?? throw file.Corrupt($"{what} has no datatype");
        var spaceMessage = header.Find(Hdf5MessageType.Dataspace) ?? throw file.Corrupt($"{what} has no dataspace");
        var layoutMessage = header.Find(Hdf5MessageType.DataLayout)!;
        var typeFields = typeMessage.Fields(file, what);
        var type = Hdf5Datatype.Read(ref typeFields, file, what);
        var spaceFields = spaceMessage.Fields(file, what);
        long[] shape = Hdf5Dataspace.Read(ref spaceFields, file, what) ?? throw file.Unsupported($"a null dataspace for {what}");
        long bytes;
        try
        {
            bytes = checked(shape.Aggregate(1L, (n, d) => checked(n * d)) * type.Size);
        }
        catch (OverflowException)
        {
            throw file.Corrupt($"{what} has dimensions [{string.Join(", ", shape)}] of more bytes than any file holds");
        }
        var layout = layoutMessage.Fields(file, what);
        int version = layout.Byte();
        if (version is not (3 or 4)) throw file.Unsupported($"data layout message version {version} for {what}");
        int layoutClass = layout.Byte();
        switch (layoutClass)
        {
            case 0:
            {
                int size = layout.UInt16();
                if (size != bytes) throw file.Corrupt($"{what} keeps {size:N0} bytes compact for [{string.Join(", ", shape)}] of {type.Size}-byte elements ({bytes:N0})");
                long at = layoutMessage.Address + layout.Position;
                return new Hdf5Dataset(file, path, header, type, shape, file.SourceOffset(at, size, what), compact: true);
            }
            case 1:
            {
                long address = layout.Address();
                long size = layout.Length();
                // An empty dataset has no storage; a dataset never written has none either, and would read as its fill value.
                if (address < 0 && bytes == 0) return new Hdf5Dataset(file, path, header, type, shape, file.SourceOffset(0, 0, what), compact: false);
                if (address < 0) throw file.Unsupported($"a dataset whose data was never written ({what}, all fill values)");
                if (size != bytes) throw file.Corrupt($"{what} stores {size:N0} bytes for [{string.Join(", ", shape)}] of {type.Size}-byte elements ({bytes:N0})");
                return new Hdf5Dataset(file, path, header, type, shape, file.SourceOffset(address, size, what), compact: false);
            }
            case 2: throw file.Unsupported($"chunked storage for {what} (h5py writes it for chunks=, compression= or maxshape=)");
            case 3: throw file.Unsupported($"a virtual dataset ({what})");
            default: throw file.Corrupt($"{what} has data layout class {layoutClass}");
        }
    }
}
