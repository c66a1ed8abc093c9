using System.Buffers.Binary;
using System.Text;
using NeuronKit.Containers.Pickle;
using NeuronKit.Formats.QuantizedLayouts;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.PyTorch;

// Layout of a torch.save file (https://pytorch.org/docs/stable/notes/serialization.html):
//  1. Zip variant (torch >= 1.6, the default): a zip archive (ZIP64-capable, entries stored, data 64-byte aligned
//     by an "FB" extra field) whose entries all sit in one folder <prefix>/ (the file's base name, or "archive"):
//       <prefix>/data.pkl             the pickled object (protocol 2 unless pickle_protocol= was given)
//       <prefix>/byteorder            "little" or "big" (absent in old files: little)
//       <prefix>/data/<key>           one record per storage, raw little-endian elements
//       <prefix>/version, .format_version, .storage_alignment, .data/serialization_id   bookkeeping
//     A record's data starts at localHeaderOffset + 30 + nameLength + extraLength, both lengths from the local header.
//     TorchScript archives (torch.jit.save) add code/ and constants.pkl: they hold code and are refused.
//  2. Legacy stream (torch < 1.6, or _use_new_zipfile_serialization=False): five pickles back to back,
//       magic number 0x1950a86a20f9469cfc6c | protocol version 1001 | sys_info dict | the object | storage keys,
//     then for each key, in list order: numel:int64 LE, numel * element size raw bytes.
//  3. In both, the object refers to storages by persistent id ('storage', <Type>Storage, key, location, numel
//     [, view_metadata]) and builds tensors with torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …).

/// <summary>Reads PyTorch <c>torch.save</c> files, zip or legacy, lazily and without running any of their code.</summary>
public sealed class PyTorchReader : ICheckpointReader
{
    private static readonly byte[] ZipLocalHeader = [0x50, 0x4b, 0x03, 0x04];

    // LONG1 of 10 bytes, the magic number little-endian, STOP: the legacy stream's first pickle, after its PROTO (2 by
    // default; 3, 4 or 5 with pickle_protocol=, 4 and 5 with a FRAME before it).
    private static readonly byte[] LegacyMagic = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];

    // Records torch writes under <prefix>/; the first entry of a torch zip is one of them.
    private static readonly string[] KnownRecords =
        ["data.pkl", "byteorder", "version", ".format_version", ".storage_alignment", ".data/", "data/", "constants.pkl", "code/"];

    /// <inheritdoc/>
    public string Name => "pytorch";

    /// <inheritdoc/>
    public string Description => "PyTorch torch.save files (.pt, .pth, .bin, .ckpt): zip (torch >= 1.6) and legacy streams; " +
        "transformers' .bin shards by their pytorch_model.bin.index.json; quantized weights read as for safetensors";

    /// <inheritdoc/>
    public bool Detect(ReadOnlySpan<byte> head) => StartsWithLegacyMagic(head) || StartsWithPickleGlobal(head) || IsTorchZip(head);

    // PROTO n (2 to 5), FRAME and its 8-byte length where protocol 4 and 5 write one, then the magic number.
    private static bool StartsWithLegacyMagic(ReadOnlySpan<byte> head)
    {
        if (head.Length < 2 || head[0] != 0x80 || head[1] is < 2 or > 5) return false;
        var rest = head[2..];
        if (rest.Length > 0 && rest[0] == 0x95) rest = rest.Length >= 9 ? rest[9..] : [];
        return rest.StartsWith(LegacyMagic);
    }

    // A pickle that opens by naming a global (a legacy stream whose magic number is computed, e.g. by eval) is read as
    // a legacy stream too, so the unpickler refuses the call by name rather than the file being "not a checkpoint".
    private static bool StartsWithPickleGlobal(ReadOnlySpan<byte> head)
    {
        if (head.Length < 5 || head[0] != 0x80 || head[1] is < 2 or > 5 || head[2] != (byte)'c') return false;
        int newline = head[3..].IndexOf((byte)'\n');
        return newline > 0 && !head.Slice(3, newline).ContainsAnyExcept(ModuleNameBytes);
    }

    private static readonly System.Buffers.SearchValues<byte> ModuleNameBytes =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_."u8);

    /// <inheritdoc/>
    public Checkpoint Open(string path) => Open(path, decodeLayouts: true);

    /// <summary>
    /// The checkpoint of the file at <paramref name="path"/>; with <paramref name="decodeLayouts"/>, its quantized layouts
    /// (a GPTQ or bitsandbytes model saved with <c>torch.save</c>) read as their weights (<see cref="QuantizedWeights"/>),
    /// else its tensors as stored (a shard, whose layouts may span shards).
    /// </summary>
    internal Checkpoint Open(string path, bool decodeLayouts)
    {
        string fileName = ByteSources.FileName(path);
        var file = ByteSources.Open(path);
        TorchStorageRecords? records = null;
        try
        {
            // A zip starts with "PK"; anything else this reader claimed is a pickle stream.
            var pickle = file.Span(0, 1)[0] == 0x80
                ? TorchLegacyStream.Open(file, fileName)
                : TorchZipArchive.Open(file, fileName);
            records = pickle.Records;
            var walker = new TorchObjectWalker(new TorchTensorBuilder(pickle.Records, fileName), fileName);
            walker.Walk(pickle.Root);
            var tensors = decodeLayouts ? QuantizedWeights.Decode(walker.Tensors, path) : walker.Tensors;
            return new Checkpoint(path, Name, tensors, [.. pickle.Records.Owned, file], WithRootIntegers(pickle.Metadata, pickle.Root), walker.Graph);
        }
        catch
        {
            foreach (var owned in records?.Owned ?? []) owned.Dispose();
            file.Dispose();
            throw;
        }
    }

    // A training checkpoint is a dict that carries its step beside the weights ({"step": 1000, "model_state_dict": …},
    // Lightning's "global_step" and "epoch"): its top-level integers are metadata (neuron track reads the step there).
    // The container's own facts (variant, prefix, …) keep their names; a dict key cannot replace them.
    private static Dictionary<string, string> WithRootIntegers(IReadOnlyDictionary<string, string> container, object? root)
    {
        var metadata = new Dictionary<string, string>(container, StringComparer.Ordinal);
        if (root is PickleDict dict)
            foreach (var (key, value) in dict.Entries)
                if (key is string name && value is long number)
                    metadata.TryAdd(name, number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return metadata;
    }

    // A zip whose first entry is a torch record inside a folder. When a long folder name runs past the head,
    // the visible part is all there is to judge.
    private static bool IsTorchZip(ReadOnlySpan<byte> head)
    {
        if (!head.StartsWith(ZipLocalHeader) || head.Length < 30) return false;
        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(head[26..]);
        var visible = head[30..Math.Min(head.Length, 30 + nameLength)];
        int slash = visible.IndexOf((byte)'/');
        if (slash < 0) return 30 + nameLength > head.Length && nameLength > 0;
        if (slash == 0) return false;
        string rest = Encoding.ASCII.GetString(visible[(slash + 1)..]);
        bool complete = 30 + nameLength <= head.Length;
        return KnownRecords.Any(r => complete ? rest.StartsWith(r, StringComparison.Ordinal) || rest == r.TrimEnd('/')
            : r.StartsWith(rest, StringComparison.Ordinal) || rest.StartsWith(r, StringComparison.Ordinal));
    }
}
