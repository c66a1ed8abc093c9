using NeuronKit.Containers.Zip;
using NeuronKit.Layers;
using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Edits;

/// <summary>
/// An edit of some neurons' parts, planned as byte writes before any file is touched, then written to a new file or
/// in place, checked by reading the result back, and reported. Same-shape edits change only the bytes of the touched
/// slices (and a zip's CRCs).
/// <code>
/// using var model = Model.Open("model.pt");
/// var neuron = model.Graph.WithOutgoing(model.Neuron("fc1", 3));
/// var edit = ModelEdit.Plan(model, [(neuron, ModelEdit.Select(neuron, part: null, outgoing: true))], new EditAction.Zero());
/// edit.WriteTo("model.ablated.pt");
/// </code>
/// </summary>
public sealed class ModelEdit
{
    private readonly PatchSet _patches;
    private readonly IReadOnlyList<FileSnapshot> _snapshots;
    private long _archiveLength;

    private ModelEdit(Model model, EditAction action, IReadOnlyList<PartChange> changes, PatchSet patches)
    {
        Model = model;
        Action = action;
        Changes = changes;
        _patches = patches;
        _snapshots = [.. patches.Files.Select(f => FileSnapshot.Of(f.Path))];
    }

    /// <summary>The model edited.</summary>
    public Model Model { get; }

    /// <summary>What was done to each part.</summary>
    public EditAction Action { get; }

    /// <summary>Every part changed, in the order planned.</summary>
    public IReadOnlyList<PartChange> Changes { get; }

    /// <summary>Every byte run the edit writes, per file in file order: the parts' bytes and any CRCs kept up to date.</summary>
    public IReadOnlyList<BytePatch> Writes => [.. _patches.Files.SelectMany(f => _patches.Runs(f.Path))];

    /// <summary>
    /// Bytes the edit writes in all: its runs' bytes, or, for an archive written anew (<see cref="RewrittenMembers"/>),
    /// the new archive's length once written (0 before).
    /// </summary>
    public long BytesWritten => RewrittenMembers.Count > 0 ? _archiveLength : Writes.Sum(w => w.Bytes.LongLength);

    /// <summary>
    /// The zip members the edit deflates anew (an .npz from <c>np.savez_compressed</c>): a deflated member has no bytes to
    /// overwrite, so the whole archive is written again; empty for every other edit.
    /// </summary>
    public IReadOnlyList<string> RewrittenMembers => [.. _patches.Members.Select(m => m.Entry)];

    /// <summary>
    /// For each changed part whose values other tensors of the file read too (tied weights such as <c>emb.weight</c> and
    /// <c>head.weight</c>, views of one storage), or other layers, or other roles of its own layer (ONNX initializers an
    /// exporter shares between parameters of equal values), a sentence naming them: the edit changes their values as well.
    /// </summary>
    public IReadOnlyList<string> Notes =>
    [
        .. Changes.DistinctBy(c => (c.Part.Tensor, c.Part.Index)).SelectMany(c => new[] { StorageNote(c.Part), ReadersNote(c.Part) }).OfType<string>(),
    ];

    private string? StorageNote(NeuronPart part)
    {
        var sharing = Model.Checkpoint.Tensors.Where(t => t.Name != part.Tensor && t.Storage == part.View.Storage
            && Overlap(ByteSpan(t.View()), ByteSpan(part.View))).Select(t => t.Name).ToList();
        return sharing.Count == 0 ? null
            : $"{part.Tensor}{part.Index} shares its stored values with {string.Join(", ", sharing)} (tied weights or views of one storage): " +
                $"the edit changes {(sharing.Count == 1 ? "that tensor" : "those tensors")} too";
    }

    // A tensor that more than one layer, or one layer in more than one role, reads: every reader changes with the edit.
    private string? ReadersNote(NeuronPart part)
    {
        var readers = Model.Layers
            .Select(l => (Layer: l, Roles: l.Tensors.Where(t => t.Tensor.Name == part.Tensor).Select(t => t.Role).ToList()))
            .Where(r => r.Roles.Count > 0).ToList();
        return readers.Sum(r => r.Roles.Count) <= 1 ? null
            : $"{part.Tensor}{part.Index} is read by {string.Join(", ", readers.Select(r => $"'{r.Layer.Name}' as {string.Join(" and ", r.Roles)}"))} " +
                "(an exporter that gives parameters of equal values one tensor shares it): the edit changes it for each";
    }

    // The bytes of its storage a view can reach, first to last (every byte between them, for a strided view).
    private static (long Start, long End) ByteSpan(TensorView view)
    {
        if (view.ElementCount == 0) return (0, 0);
        long last = view.StorageOffset + view.Shape.Select((d, i) => (d - 1) * view.Strides[i]).Sum();
        long size = view.DType.Size();
        return (view.StorageOffset * size, (last + 1) * size);
    }

    private static bool Overlap((long Start, long End) a, (long Start, long End) b) => a.Start < b.End && b.Start < a.End;

    /// <summary>Where the last write went: the output file as the caller named it, or the model's own path in place; null while only planned.</summary>
    public string? WrittenTo { get; private set; }

    /// <summary>
    /// The parts of <paramref name="neuron"/> an edit touches: its own weights and biases, or only the part named
    /// <paramref name="part"/> (<c>ROLE</c> or <c>ROLE:GATE</c>, e.g. <c>weight_hh:forget</c>, <c>running_var</c>), plus,
    /// with <paramref name="outgoing"/>, every outgoing part (the neuron must come from
    /// <see cref="Graph.LayerGraph.WithOutgoing"/>). Per-channel layers on the way (through parts) are left alone.
    /// </summary>
    public static IReadOnlyList<NeuronPart> Select(Neuron neuron, string? part, bool outgoing)
    {
        var own = neuron.Parts.Where(p => p.Direction == PartDirection.In).ToList();
        List<NeuronPart> chosen;
        if (part is null)
        {
            // A slice every neuron of the layer has (a broadcast bias) is not this neuron's to change unasked.
            chosen = [.. own.Where(p => p.Role.Use is PartUse.Weight or PartUse.Bias && !p.Shared)];
        }
        else
        {
            int colon = part.IndexOf(':');
            string role = colon < 0 ? part : part[..colon];
            string? gate = colon < 0 ? null : part[(colon + 1)..];
            chosen = [.. own.Where(p => p.Role.Name == role && (gate is null || p.Gate?.Name == gate))];
            if (chosen.Count == 0)
                throw new RequestException($"neuron {neuron.Index} of '{neuron.Layer.Name}' has no part '{part}'",
                    [$"its parts: {string.Join(", ", own.Select(p => p.Gate is null ? p.Role.Name : $"{p.Role.Name}:{p.Gate.Name}").Distinct())}"]);
        }
        if (outgoing)
        {
            var outParts = neuron.Parts.Where(p => p.Direction == PartDirection.Out).ToList();
            if (outParts.Count == 0)
                throw new RequestException($"neuron {neuron.Index} of '{neuron.Layer.Name}' has no outgoing parts to edit");
            chosen.AddRange(outParts);
        }
        return chosen;
    }

    /// <summary>
    /// Plans <paramref name="action"/> on each neuron's <paramref name="targets"/> parts: new values, encoded as each
    /// tensor is stored (rounded to its dtype, quantized again with its scales or ggml blocks), as byte writes; nothing is
    /// written. A value two parts hold (a recurrent unit's <c>weight_hh[j, j]</c>, in its row and in its outgoing column; a
    /// neuron named twice) changes once, as the first part asks. Throws <see cref="RequestException"/> for a part that
    /// cannot be written (an integer tensor, a compressed zip entry, a ggml type without a reference quantizer), a part
    /// every neuron of its layer shares (a broadcast bias) that the action would change, and a value <c>--set</c> gives
    /// two different new values.
    /// </summary>
    public static ModelEdit Plan(Model model, IEnumerable<(Neuron Neuron, IReadOnlyList<NeuronPart> Parts)> targets, EditAction action)
    {
        if (Tensors.ByteSources.IsUrl(model.Checkpoint.Path))
            throw Remote.HttpRangeSource.NotLocal(Tensors.ByteSources.FileName(model.Checkpoint.Path), "edit");
        var patches = new PatchSet();
        var changes = new List<PartChange>();
        var given = new Dictionary<(ByteSource Source, long Offset), (double Value, NeuronPart Part)>();
        foreach (var (neuron, parts) in targets)
        {
            foreach (var part in parts)
            {
                if (part.DType.IsComplex())
                    throw new RequestException($"{part.Tensor}{part.Index} is {part.DType.Name()}: complex weights are not edited");
                var before = part.ToDoubles();
                var requested = action.Apply(part, before);
                if (part.Shared)
                {
                    if (requested.Select(BitConverter.DoubleToInt64Bits).SequenceEqual(before.Select(BitConverter.DoubleToInt64Bits))) continue;
                    throw new RequestException($"{part.Tensor}{part.Index} is one {part.Role.Name} that every neuron of '{neuron.Layer.Name}' shares " +
                        $"({part.Note ?? "the same slice for each"}): changing it would change all {neuron.Layer.NeuronCount} neurons",
                        ["leave it out: without --part, an edit does"]);
                }
                KeepFirst(part, requested, given, action);
                int mark = patches.Count;
                try
                {
                    part.View.Write(requested, patches);
                }
                catch (RequestException e)
                {
                    throw new RequestException($"{part.Tensor}{part.Index} cannot be edited: {e.Message}", e.Hints);
                }
                changes.Add(new PartChange(neuron, part, before, requested, patches.Since(mark)));
            }
        }
        if (changes.Count == 0) throw new RequestException("the edit touches no parts");
        foreach (var file in patches.Files.Where(ZipCrcUpdate.IsZip).ToList())
            ZipCrcUpdate.Plan(file, patches);
        return new ModelEdit(model, action, changes, patches);
    }

    // A value an earlier part of this edit already gives a new value keeps that one (the action changes each value once);
    // --set giving it a different one is a contradiction, refused.
    private static void KeepFirst(NeuronPart part, double[] requested, Dictionary<(ByteSource, long), (double Value, NeuronPart Part)> given, EditAction action)
    {
        var storage = part.View.Storage;
        long[] elements = part.View.StorageElements();
        int size = part.DType.Size();
        for (int i = 0; i < elements.Length; i++)
        {
            var at = (storage.Source, storage.ByteOffset + elements[i] * size);
            if (!given.TryGetValue(at, out var first))
            {
                given[at] = (requested[i], part);
                continue;
            }
            if (action is EditAction.Set or EditAction.SetParts && BitConverter.DoubleToInt64Bits(first.Value) != BitConverter.DoubleToInt64Bits(requested[i]))
                throw new RequestException($"{first.Part.Tensor}{first.Part.Index} and {part.Tensor}{part.Index} share a value, " +
                    $"and {action} gives it two: {first.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} and " +
                    $"{requested[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture)}",
                    ["give both parts the same value there, or edit one of them with --part ROLE[:GATE]"]);
            requested[i] = first.Value;
        }
    }

    /// <summary>
    /// Writes the edited model to <paramref name="output"/>: a copy of the file beside it, the planned bytes written into
    /// it, flushed, read back and checked, then renamed over <paramref name="output"/>. On any failure the temporary file
    /// is removed and nothing else has changed. A model saved as several files (shards, splits) is edited in place only.
    /// </summary>
    public void WriteTo(string output)
    {
        var files = _patches.Files.ToList();
        string source = Model.Checkpoint.Path;
        // One new file cannot be the model: its other files would not know it, nor it them.
        if (Model.Checkpoint.Files.Count > 1)
            throw new RequestException($"{Path.GetFileName(source)} is read with {Model.Checkpoint.Files.Count - 1} other files " +
                $"({string.Join(", ", Model.Checkpoint.Files.Select(Path.GetFileName).Where(f => f != Path.GetFileName(source)))}), " +
                "and an edit written to a new file would carry only one of them",
                ["copy the model's files and edit the copy with --in-place"]);
        if (_patches.Members.Count > 0)
        {
            // Deflated members edited: the archive is written again, those members deflated anew, the rest as they were
            // (an .npz from np.savez_compressed).
            if (Model.Checkpoint.Format != "numpy")
                throw new RequestException($"{Path.GetFileName(source)} keeps {string.Join(", ", RewrittenMembers)} " +
                    "deflated: an edit would have to rewrite the archive, which NeuronKit does for .npz files only");
            var members = _patches.Members.ToDictionary(m => m.Entry);
            WriteBeside(output, temporary =>
            {
                Formats.NumPy.NumPyArchive.Rewrite(source,
                    entry => members.TryGetValue(entry.Name, out var member) ? _patches.Patched(member) : null, _patches, temporary);
                _archiveLength = new FileInfo(temporary).Length;
            });
            return;
        }
        if (files.Count != 1 || files[0].Path != source)
            throw new RequestException($"the edit writes into {string.Join(", ", files.Select(f => Path.GetFileName(f.Path)))}, " +
                $"not only {Path.GetFileName(source)}: a copy would have to carry every file", ["write it in place with --in-place"]);
        WriteBeside(output, temporary =>
        {
            File.Copy(source, temporary);
            if (new FileInfo(temporary).Length != _snapshots[0].Length)
                throw new CheckpointException($"{Path.GetFileName(source)} changed while it was copied; nothing was written: run the edit again");
            Apply(temporary, _patches.Runs(source));
        });
    }

    // Makes `output` through a temporary file beside it: written by `write`, the source checked unchanged, read back
    // and checked, then renamed over `output`; the temporary file never outlives the call.
    private void WriteBeside(string output, Action<string> write)
    {
        string full = OutputFile.Target(output);
        string temporary = OutputFile.TemporaryBeside(full);
        try
        {
            Try(() => write(temporary), temporary);
            Try(() =>
            {
                using var handle = File.OpenHandle(temporary, FileMode.Open, FileAccess.Write);
                RandomAccess.FlushToDisk(handle);
            }, temporary);
            foreach (var snapshot in _snapshots) snapshot.CheckUnchanged();
            Check(temporary, full);
            Try(() => File.Move(temporary, full, overwrite: true), full);
            WrittenTo = output;
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>
    /// Writes the planned bytes into the model's own file(s): the bytes about to be overwritten go to a journal first
    /// (<see cref="EditJournal"/>), then the writes, a flush, and a check by reading the file back; on any failure the old
    /// bytes are put back. Writes only the bytes planned (kilobytes for a neuron of a 2 GiB file).
    /// </summary>
    public void WriteInPlace()
    {
        if (_patches.Members.Count > 0)
            throw new RequestException($"{Model.Checkpoint.FileName} keeps {string.Join(", ", RewrittenMembers)} " +
                "deflated, so the edit cannot be written in place", ["write a new file with -o OUT"]);
        foreach (var file in _patches.Files)
            if (File.Exists(EditJournal.PathOf(file.Path)))
                throw new RequestException($"{Path.GetFileName(file.Path)} has the journal of an interrupted edit " +
                    $"({Path.GetFileName(EditJournal.PathOf(file.Path))})", ["put its old bytes back with EditJournal.Recover (neuron edit does this first)"]);
        var done = new List<(string Path, List<BytePatch> Old)>();
        try
        {
            foreach (var file in _patches.Files)
            {
                _snapshots.First(s => s.Path == file.Path).CheckUnchanged();
                var runs = _patches.Runs(file.Path);
                var old = runs.Select(r => new BytePatch(r.File, r.Offset, ReadNow(file.Path, r))).ToList();
                Try(() => EditJournal.Write(file.Path, old), EditJournal.PathOf(file.Path));
                done.Add((file.Path, old));
                Try(() => Apply(file.Path, runs), file.Path);
            }
            Check(Model.Checkpoint.Path, Model.Checkpoint.Path);
            foreach (var (path, _) in done) File.Delete(EditJournal.PathOf(path));
            WrittenTo = Model.Checkpoint.Path;
        }
        catch
        {
            foreach (var (path, _) in done) EditJournal.Recover(path);
            throw;
        }
    }

    /// <summary>A test's fault: called before each run is written, with the file and the run; throwing there stops the write half way.</summary>
    internal Action<string, BytePatch>? BeforeEachWrite { get; set; }

    private void Apply(string path, IReadOnlyList<BytePatch> runs)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        foreach (var run in runs)
        {
            BeforeEachWrite?.Invoke(path, run);
            RandomAccess.Write(handle, run.Bytes, run.Offset);
        }
        RandomAccess.FlushToDisk(handle);
    }

    private static byte[] ReadNow(string path, BytePatch run)
    {
        var bytes = new byte[run.Bytes.Length];
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (RandomAccess.Read(handle, bytes, run.Offset) != bytes.Length)
            throw new CheckpointException($"{Path.GetFileName(path)} is shorter than when the edit was planned; nothing was written");
        return bytes;
    }

    // The written file (at `path`, to become `output`) must open as the original did (same tensors, dtypes, shapes) and
    // every changed part must read back as planned: exactly the requested values rounded to the dtype, or, quantized,
    // whatever the quantizer kept.
    private void Check(string path, string output)
    {
        using var written = Model.Open(path);
        var before = Model.Checkpoint.Tensors;
        var after = written.Checkpoint.Tensors;
        // A lone .npy array is named after its file, which the copy's name need not share.
        bool namedByFile = before.Count == 1 && Path.GetExtension(Model.Checkpoint.Path).Equals(".npy", StringComparison.OrdinalIgnoreCase);
        if (before.Count != after.Count || before.Zip(after).Any(p => (!namedByFile && p.First.Name != p.Second.Name) || p.First.DType != p.Second.DType
                || !p.First.Shape.SequenceEqual(p.Second.Shape)))
            throw ReadsOtherwise(output);
        var writtenName = before.Zip(after).ToDictionary(p => p.First.Name, p => p.Second.Name, StringComparer.Ordinal);
        // Quantized tensors are read dequantized through their layers (ONNX QDQ constants are plain integers in the file).
        var read = written.Layers.SelectMany(l => l.Tensors).Select(t => t.Tensor).Where(t => t.Quantization is not null)
            .GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.First());
        foreach (var change in Changes)
        {
            string name = writtenName[change.Part.Tensor];
            var tensor = read.GetValueOrDefault(name) ?? written.Checkpoint.Find(name)!;
            var view = change.Part.Slice.Apply(tensor.View());
            var values = view.ToDoubles();
            if (change.Part.Quantization is null && change.Part.StoredAs is null)
            {
                var bytes = new byte[values.Length * change.Part.DType.Size()];
                var expected = new double[values.Length];
                DTypeConversion.FromDoubles(change.Part.DType, change.Requested, bytes);
                DTypeConversion.ToDoubles(change.Part.DType, bytes, expected);
                for (int i = 0; i < values.Length; i++)
                    if (BitConverter.DoubleToInt64Bits(values[i]) != BitConverter.DoubleToInt64Bits(expected[i]))
                        throw new CheckpointException($"the edited {Path.GetFileName(output)} reads {values[i]} at element {i} of " +
                            $"{change.Part.Tensor}{change.Part.Index}, not the {expected[i]} written; nothing was kept");
            }
            change.After = values;
            // The written scales, which a re-quantized block (GGUF's) chose anew for its new values.
            if ((tensor.Quantization?.Read(view) ?? StoredIntegers.Read(view)) is { } quantized)
            {
                // Rounding moves a value by at most half a step: a scale, or a codebook's widest gap between levels times it.
                double step = quantized.Codebook is { } levels ? WidestGap(levels) : 1;
                change.Clipped = values.Where((v, i) => Math.Abs(v - change.Requested[i]) > 0.51 * step * quantized.Scales[quantized.Axis is null ? 0 : i]).Count();
            }
        }
    }

    private static double WidestGap(double[] levels)
    {
        double[] sorted = [.. levels.Where(double.IsFinite).Order()];
        return sorted.Zip(sorted.Skip(1), (low, high) => high - low).DefaultIfEmpty(1).Max();
    }

    // Why a copy does not read back with the original's tensors. A config beside the original may say how to decode it
    // (MLX's and BitNet's config.json, GPTQ's quantize_config.json): a copy in a folder without it reads as stored.
    private Exception ReadsOtherwise(string output)
    {
        string source = Path.GetFullPath(Model.Checkpoint.Path), from = Path.GetDirectoryName(source)!;
        string to = Path.GetDirectoryName(Path.GetFullPath(output))!;
        foreach (string config in (string[])["config.json", "quantize_config.json"])
        {
            var (original, copy) = (new FileInfo(Path.Combine(from, config)), new FileInfo(Path.Combine(to, config)));
            if (from == to || !original.Exists || (copy.Exists && SameBytes(original, copy))) continue;
            return new RequestException($"{Path.GetFileName(source)} is read through the {config} beside it, and {to} has " +
                $"{(copy.Exists ? "another" : "none")}: the edited copy would read otherwise; nothing was written",
                [$"copy {config} into {to} first, or write the edit into {from}"]);
        }
        return new CheckpointException($"the edited {Path.GetFileName(output)} does not read back with the original's tensors; nothing was kept");
    }

    // Two small files (a config is a few kilobytes; past 4 MiB no reader takes it) with the same bytes.
    private static bool SameBytes(FileInfo a, FileInfo b) =>
        a.Length == b.Length && a.Length <= 4 << 20 && File.ReadAllBytes(a.FullName).AsSpan().SequenceEqual(File.ReadAllBytes(b.FullName));

    // IO failures (a full disk, a read-only folder) are the file's trouble, not a bug: say which file and why.
    private static void Try(Action action, string path)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{path} cannot be written: {e.Message}", inner: e);
        }
    }
}
