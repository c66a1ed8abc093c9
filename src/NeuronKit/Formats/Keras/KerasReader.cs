using System.Text;
using NeuronKit.Containers.Hdf5;
using NeuronKit.Containers.Zip;
using NeuronKit.Layers;
using NeuronKit.Tensors;

namespace NeuronKit.Formats.Keras;

/// <summary>
/// Reads Keras' weight files lazily, with NeuronKit's own HDF5 reader (<see cref="Hdf5File"/>): the .h5 files of Keras 2's
/// and Keras 3's <c>model.save</c> and <c>save_weights</c> (<see cref="KerasLegacyWeights"/>), Keras 3's
/// <c>.weights.h5</c> and the <c>model.weights.h5</c> inside a <c>.keras</c> archive (<see cref="KerasVarsWeights"/>).
/// Each weight is a tensor named by its layer's path and variable (<c>dense.kernel</c>), mapped where its dataset lies;
/// the model's config, when the file has one, gives each layer's class (<c>keras.layers.Dense</c>) as evidence, and is
/// read as data only: nothing in it (a Lambda layer's code) is run.
/// </summary>
public sealed class KerasReader : ICheckpointReader
{
    private const string WeightsMember = "model.weights.h5";
    private const string ConfigMember = "config.json";
    private const long MaxConfigBytes = 64L << 20;

    // The members Keras 3's saving_lib writes into a .keras zip; the first is one of them.
    private static readonly string[] KerasMembers = ["metadata.json", ConfigMember, WeightsMember, "model.weights.npz"];

    /// <inheritdoc/>
    public string Name => "keras";

    /// <inheritdoc/>
    public string Description => "Keras weights: HDF5 files of model.save and save_weights (.h5, .weights.h5; Keras 2 and 3) and Keras 3 .keras archives";

    /// <inheritdoc/>
    public bool Detect(ReadOnlySpan<byte> head) =>
        Hdf5File.IsHdf5(head) || KerasMembers.Contains(Encoding.UTF8.GetString(ZipArchiveReader.FirstEntryName(head)));

    /// <inheritdoc/>
    public Checkpoint Open(string path)
    {
        string name = ByteSources.FileName(path);
        var source = ByteSources.Open(path);
        try
        {
            var (file, weights, sequence, _) = Read(source, name);
            return Checkpoint(path, source, file, weights, sequence);
        }
        catch (OverflowException)
        {
            source.Dispose();
            throw new CheckpointException($"{name} is corrupt: a size or offset overflows");
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The HDF5 file of a Keras file or archive in <paramref name="source"/>, its weights (each with its dataset) and its
    /// model's layer sequence; throws <see cref="CheckpointException"/> for a file without Keras weights.
    /// </summary>
    internal static (Hdf5File File, IReadOnlyList<KerasWeight> Weights, IReadOnlyList<SequenceStep> Sequence, bool Configured) Read(ByteSource source, string name)
    {
        // A .keras zip holds an HDF5 file, whose signature may happen to lie where a user block would end: the zip decides.
        var head = source.Span(0, (int)Math.Min(Hdf5File.HeadBytes, source.Length));
        var (file, config) = ZipArchiveReader.FirstEntryName(head).IsEmpty && Hdf5File.IsHdf5(head)
            ? OpenHdf5(source, name)
            : OpenArchive(source, name);
        var legacy = KerasLegacyWeights.Find(file, config);
        var weights = legacy ?? KerasVarsWeights.Find(file, config)
            ?? throw new CheckpointException($"{name} is an HDF5 file without Keras weights: it lists no layer_names (model.save, " +
                "save_weights) and has no layers group (Keras 3)", ["NeuronKit reads the HDF5 files Keras writes; h5py reads any other"]);
        return (file, PReluChannels(weights, config), Sequence(config, byPath: legacy is null), config is not null);
    }

    // Keras' PReLU learns an alpha of its input's shape without the batch axis, 1 on each shared axis
    // (keras/src/layers/activations/prelu.py, build): of several axes, the input's layout says which holds the channels, the
    // last unless a layer's data_format keeps them first. Where the config does not say they are last (it keeps some
    // layer's channels first, or there is none), the class is left unsaid, and alpha reads as rows with a note saying why.
    private static IReadOnlyList<KerasWeight> PReluChannels(IReadOnlyList<KerasWeight> weights, KerasConfig? config)
    {
        var first = config?.ChannelsFirst;
        if (config is not null && first is null) return weights;
        return [.. weights.Select(w => w.Class != "PReLU" || w.Dataset.Shape.Count < 2 ? w : w with
        {
            Class = null,
            Note = first is not null
                ? $"Keras class PReLU, whose alpha {w.Dataset.Shape.Text()} has the shape of its input without the batch axis: the model's " +
                  $"config keeps the channels of {first.Name} first (data_format channels_first), so alpha's first axis or its last may hold " +
                  "the channels, and which one cannot be told: alpha is read as rows, not as a PReLU's channels"
                : $"no model config names layer '{w.Module}': its path names its class PReLU, as Keras 3 names paths, but nothing says " +
                  $"whether its input keeps its channels last (Keras' default) or first, so which axis of alpha {w.Dataset.Shape.Text()} " +
                  "holds them cannot be told: alpha is read as rows (--kind keras.PReLU reads channel j as alpha[…, j], channels last)",
        })];
    }

    private static (Hdf5File, KerasConfig?) OpenHdf5(ByteSource source, string name)
    {
        var file = Hdf5File.Open(source, 0, source.Length, name);
        string? json = file.Root.Attribute("model_config") is { IsText: true } config ? config.Strings().FirstOrDefault() : null;
        return (file, KerasConfig.Parse(json, name));
    }

    // A .keras archive: its weights' HDF5 file read where it lies (Keras stores it uncompressed), its config.json as data.
    private static (Hdf5File, KerasConfig?) OpenArchive(ByteSource source, string name)
    {
        var archive = ZipArchiveReader.Open(source, name);
        var weights = archive.Find(WeightsMember)
            ?? throw (archive.Find("model.weights.npz") is not null
                ? new CheckpointException($"{name} keeps its weights as model.weights.npz, which NeuronKit does not read inside a .keras archive",
                    ["unzip it: model.weights.npz is a NumPy archive NeuronKit reads, its arrays named by layer path and position"])
                : new CheckpointException($"{name} is a .keras archive without {WeightsMember}"));
        var record = archive.Read(weights);
        var file = Hdf5File.Open(record.Source, record.Offset, record.Length, $"{name}'s {WeightsMember}");
        string? json = null;
        if (archive.Find(ConfigMember) is { } configEntry)
        {
            if (configEntry.UncompressedSize > MaxConfigBytes)
                throw new CheckpointException($"{name}'s {ConfigMember} claims {configEntry.UncompressedSize:N0} bytes (at most {MaxConfigBytes:N0} are read)");
            var config = archive.Read(configEntry);
            json = Encoding.UTF8.GetString(config.Source.Span(config.Offset, (int)config.Length));
        }
        return (file, KerasConfig.Parse(json, name));
    }

    // A model's layers in its config's order, named as their tensors are (by name in a legacy file, by path in Keras 3's):
    // a Sequential model's in the order they run, a Functional model's each with the layers it reads.
    private static IReadOnlyList<SequenceStep> Sequence(KerasConfig? config, bool byPath)
    {
        bool functional = config is { ModelClass: not "Sequential" } && config.Layers.Any(l => l.Inbound is not null);
        if (config is null || (config.ModelClass != "Sequential" && !functional)) return [];
        var names = new Dictionary<KerasLayer, string>(ReferenceEqualityComparer.Instance);
        if (byPath)
            foreach (var (path, layer) in KerasVarsWeights.Paths(config.Layers)) names[layer] = path;
        string NameOf(KerasLayer layer) => names.GetValueOrDefault(layer) ?? layer.Name;
        SequenceStep StepOf(KerasLayer layer) => new(NameOf(layer), layer.ClassName, layer.WeightLayer.Number("groups", 1))
        {
            Merge = layer.ClassName == "Bidirectional" ? layer.MergeMode : null,
        };
        if (!functional) return [.. config.Layers.Where(l => l.ClassName != "InputLayer").Select(StepOf)];
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var layer in config.Layers) byName.TryAdd(layer.Name, NameOf(layer));
        return [.. config.Layers.Select(l => StepOf(l) with
        {
            Inputs = [.. (l.Inbound ?? []).Select(n => byName.GetValueOrDefault(n, n))],
            Axis = l.Integer("axis") ?? -1,
            Channels = l.ClassName == "InputLayer" ? l.InputChannels() : null,
            Shared = l.Calls > 1,
        })];
    }

    private Checkpoint Checkpoint(string path, ByteSource source, Hdf5File file, IReadOnlyList<KerasWeight> weights, IReadOnlyList<SequenceStep> sequence)
    {
        List<TensorInfo> tensors = [];
        var unread = new Dictionary<string, string>(StringComparer.Ordinal);
        var classes = new Dictionary<string, string>(StringComparer.Ordinal);
        var notes = new Dictionary<string, string>(StringComparer.Ordinal);
        // Compact data lies inside its dataset's header, which a version 2 header covers with a checksum an edit would break.
        var unwritable = new UnwritableBytes(file.Source, "the dataset keeps its data inside its HDF5 object header, under its checksum");
        foreach (var weight in weights)
        {
            if (weight.Class is { } cls) classes[weight.Module] = "keras.layers." + cls;
            if (weight.Note is { } note) notes[weight.Module] = note;
            if (weight.Dataset.DType is not { } dtype)
            {
                unread[weight.Name] = weight.Dataset.TypeDescription;
                continue;
            }
            var bytes = weight.Dataset.IsCompact && weight.Dataset.Header.Version == 2 ? unwritable : file.Source;
            tensors.Add(TensorInfo.Contiguous(weight.Name, dtype, [.. weight.Dataset.Shape],
                new TensorStorage(weight.Name, bytes, weight.Dataset.DataAddress, weight.Dataset.ByteLength)));
        }
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string key in new[] { "keras_version", "backend" })
            if ((file.Root.Attribute(key) ?? file.Root.Group("model_weights")?.Attribute(key)) is { IsText: true } value)
                metadata[key] = value.Strings().FirstOrDefault() ?? "";
        return new Checkpoint(path, Name, tensors, [source], metadata,
            new ModelGraph { ModuleClasses = classes, ModuleNotes = notes, UnreadTensors = unread, Sequence = sequence });
    }
}
