using System.Collections.Concurrent;
using NeuronKit.Activations;

namespace NeuronKit.Web;

/// <summary>
/// <c>neuron serve --inputs DIR</c>: the folder's inputs (listed once at start, asked for by file name only) and, per
/// served ONNX model, the inputs that activate a neuron most, as <c>neuron act --inputs DIR --top K</c> ranks them.
/// A ranking is computed once per question and model and then served from memory; the model runs in ONNX Runtime opened
/// with the served model (<see cref="ModelLease.ActivationRun"/>), so a file saved again is run and ranked afresh.
/// </summary>
public sealed class InputGallery
{
    // Rankings kept: each is K small records; past this many the oldest questions are forgotten all at once.
    private const int MaxRankings = 4096;

    private readonly Dictionary<string, string> _byName;
    private readonly ConcurrentDictionary<string, Lazy<(IReadOnlyList<NeuronActivation> Top, long Count)>> _rankings = new(StringComparer.Ordinal);

    /// <summary>The inputs of <paramref name="folder"/> (every .npy, .png, .jpg of it), read into tensors with <paramref name="images"/>.</summary>
    public InputGallery(string folder, ImageOptions images)
    {
        Files = InputFolder.Files(folder);
        Images = images;
        _byName = Files.ToDictionary(f => Path.GetFileName(f), f => f, StringComparer.Ordinal);
    }

    /// <summary>The input files, sorted by name.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>How pictures become tensors (<c>--preprocess</c>, <c>--layout</c>).</summary>
    public ImageOptions Images { get; }

    /// <summary>The input file named <paramref name="name"/>: one of the folder's, by file name; anything else is refused.</summary>
    public string Find(string? name) =>
        name is not null && _byName.TryGetValue(name, out string? path)
            ? path
            : throw new RequestException($"'{name}' is not one of the --inputs files", ["/api/inputs lists them"]);

    /// <summary>The <paramref name="k"/> inputs that activate neuron <paramref name="index"/> of <paramref name="layer"/> most, and how many were run.</summary>
    public (IReadOnlyList<NeuronActivation> Top, long Count) Top(ServedFile file, string layer, long index, int k, ActivationScore by, bool post)
    {
        // Held until the ranking is done: a model replaced meanwhile keeps its run open for the requests still using it.
        using var lease = file.Lease();
        string format = lease.Model.Checkpoint.Format;
        if (format != "onnx")
            throw new RequestException($"{file.Name} is {format}: the inputs that activate a neuron are run with ONNX models only");
        // The model's generation is part of the question: a ranking of a model since replaced is never served for the new one.
        string key = string.Join('\n', file.Index, lease.Generation, layer, index, k, by, post);
        if (_rankings.Count > MaxRankings) _rankings.Clear();
        var run = lease.ActivationRun();
        var ranking = _rankings.GetOrAdd(key, _ => new Lazy<(IReadOnlyList<NeuronActivation>, long)>(
            () => FolderActivations.Top(run, layer, index, Files, k, by, post, Images)));
        try
        {
            return ranking.Value;
        }
        catch
        {
            // A failed question is asked again next time, not remembered.
            _rankings.TryRemove(key, out _);
            throw;
        }
    }
}
