using NeuronKit.Tensors;

namespace NeuronKit.Formats.TorchSharp;

// Layout of a file written by TorchSharp's module.save(path) (src/TorchSharp/NN/Module.cs save_state_dict,
// Tensor/TensorExtensionMethods.cs Save, Utils/LEB128Codec.cs); every integer is an unsigned LEB128
// (7 bits per byte, least significant first, high bit = more follow):
//  1. count                          number of entries of state_dict(), parameters then persistent buffers
//  2. count times:
//       name length, name            a .NET BinaryWriter string: UTF-8 byte count, then the UTF-8 bytes (the state_dict key)
//       dtype                        ScalarType code (TorchSharpScalarTypes)
//       ndim, dim[ndim]              the shape; ndim 0 is a scalar of one element
//       data                         Π dim × element size bytes: the contiguous tensor, row-major, little-endian
//  3. end of file: nothing follows the last entry.
// There is no magic number, version, alignment or index: the file is told by parsing it whole, and opened by one
// scan that records each tensor's data offset. tensor.save(path) files (one record with no count and no name) are
// not read: without a name or a count, too many short binary files would parse as one.
// Tensor names are the keys verbatim, i.e. the saving module's state_dict() keys, so that a live TorchSharp module and
// its saved file give the same layer names.

/// <summary>Reads TorchSharp <c>module.save</c> files (.dat) lazily, without libtorch.</summary>
public sealed class TorchSharpReader : ICheckpointReader
{
    private const string Extension = ".dat";

    /// <inheritdoc/>
    public string Name => "torchsharp";

    /// <inheritdoc/>
    public string Description => "TorchSharp module.save files (.dat): a count, then name, dtype, shape and raw data per tensor";

    /// <summary>
    /// False when the head already breaks the first record (zero count, bad name, unknown dtype code, impossible shape);
    /// otherwise <see cref="Confirm"/> decides on the whole file.
    /// </summary>
    public bool Detect(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty) return false;
        var scanner = new TorchSharpScanner(new MemoryBytes(head.ToArray()), "");
        try
        {
            scanner.Scan();
            return true;
        }
        catch (CheckpointException)
        {
            return scanner.StartsLikeTorchSharp || scanner.RanOutOfBytes;
        }
    }

    /// <summary>
    /// True when the whole file parses cleanly to its last byte; also when a file named <c>*.dat</c> starts with a
    /// well-formed first record header (name, dtype code, shape), so that a damaged TorchSharp file gets its exact error from <see cref="Open"/>.
    /// </summary>
    public bool Confirm(string path)
    {
        try
        {
            if (!ByteSources.IsUrl(path) && new FileInfo(path).Length == 0) return false;
            using var file = ByteSources.Open(path);
            var scanner = new TorchSharpScanner(file, ByteSources.FileName(path));
            try
            {
                scanner.Scan();
                return true;
            }
            catch (CheckpointException)
            {
                return scanner.StartsLikeTorchSharp && Path.GetExtension(ByteSources.FileName(path)).Equals(Extension, StringComparison.OrdinalIgnoreCase);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public Checkpoint Open(string path)
    {
        string fileName = ByteSources.FileName(path);
        var file = ByteSources.Open(path);
        try
        {
            var tensors = new TorchSharpScanner(file, fileName).Scan()
                .Select(e => TensorInfo.Contiguous(e.Name, e.DType, e.Shape, new TensorStorage(e.Name, file, e.DataOffset, e.ByteLength)))
                .ToList();
            return new Checkpoint(path, Name, tensors, [file]);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }
}
