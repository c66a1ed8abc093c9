using System.Globalization;
using System.Text.RegularExpressions;
using NeuronKit.Formats;
using NeuronKit.Tensors;

namespace NeuronKit.Adapters;

/// <summary>
/// A LoRA adapter laid over the base model it was trained on, as its tool merges it: each adapted weight W becomes
/// W + scale · B·A, and the rest is the base as it is. Two kinds are read:
/// <list type="bullet">
/// <item>PEFT's (<c>adapter_model.safetensors</c> and its <c>adapter_config.json</c>, as <c>save_pretrained</c> writes
/// them), merged as <c>merge_and_unload</c> merges it: scale from the config (<see cref="LoraConfig"/>), the update
/// transposed for embeddings and <c>fan_in_fan_out</c> weights, each module the adapter saves whole
/// (<c>modules_to_save</c>, trained biases) replacing the base's;</item>
/// <item>llama.cpp's GGUF adapters (<c>convert_lora_to_gguf.py</c>: <c>general.type</c> <c>adapter</c>,
/// <c>adapter.type</c> <c>lora</c>, tensors <c>BASE_TENSOR.lora_a</c> [r, in] and <c>.lora_b</c> [out, r]) over a GGUF
/// base, as <c>--lora</c> applies it: scale <c>adapter.lora.alpha</c> / r, or 1 where alpha is 0 or missing; a token
/// embedding's factors flipped, <c>lora_a</c> [vocab, r] and <c>lora_b</c> [n_embd, r].</item>
/// </list>
/// The merged weights are computed in float64 when read, a row at a time; nothing is written.
/// <code>
/// using var base = Model.Open("Llama-3.2-1B");
/// using var tuned = LoraAdapter.Open("my-lora").Over(base);
/// var diff = ModelDiff.Compute(base, tuned);   // which neurons the adapter moved, and how far
/// </code>
/// </summary>
public sealed partial class LoraAdapter : IDisposable
{
    private const string Prefix = "base_model.model.";

    /// <summary>The metadata key a merged model keeps what was merged under (<c>r 16, alpha 32</c>; a GGUF adapter's <c>alpha 8</c>).</summary>
    public const string MergedKey = "lora";

    /// <summary>The metadata key a merged model keeps its base's path under.</summary>
    public const string BaseKey = "lora_base";
    private readonly double? _ggufAlpha;

    private LoraAdapter(Model adapter, LoraConfig? config, double? ggufAlpha)
    {
        Adapter = adapter;
        Config = config;
        _ggufAlpha = ggufAlpha;
    }

    /// <summary>The adapter's own tensors, as a model.</summary>
    public Model Adapter { get; }

    /// <summary>What a PEFT adapter's config says about merging it; null for a llama.cpp adapter, whose GGUF says it.</summary>
    public LoraConfig? Config { get; }

    /// <summary>
    /// True when <paramref name="checkpoint"/> holds LoRA weights: PEFT's (<c>….lora_A.weight</c>,
    /// <c>….lora_embedding_A</c>), or a GGUF that says it is a LoRA adapter.
    /// </summary>
    public static bool Holds(Checkpoint checkpoint) => IsGguf(checkpoint) || checkpoint.Tensors.Any(t => PeftPart().IsMatch(t.Name));

    /// <summary>Opens the adapter at <paramref name="path"/> (its weights file or its folder).</summary>
    public static LoraAdapter Open(string path) => Of(Model.Open(path));

    /// <summary>
    /// The adapter at <paramref name="adapterPath"/> merged into the model at <paramref name="basePath"/>: one model, which
    /// closes both with itself (<c>neuron show ADAPTER --base BASE</c>).
    /// </summary>
    public static Model Open(string adapterPath, string basePath)
    {
        var @base = Model.Open(basePath);
        try
        {
            if (Holds(@base.Checkpoint))
                throw new CheckpointException($"the base {ByteSources.FileName(@base.Checkpoint.Path)} is itself a LoRA adapter",
                    ["the base is the model the adapter was trained on (a PEFT adapter_config.json names it: base_model_name_or_path)"]);
            return Merge(Model.Open(adapterPath), @base, ownsBase: true);
        }
        catch
        {
            @base.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The adapter <paramref name="adapter"/> holds merged into <paramref name="base"/>, as <see cref="Over(Model)"/> merges it; the
    /// result owns <paramref name="adapter"/> (disposed here when it cannot be merged), and <paramref name="base"/> must
    /// outlive it.
    /// </summary>
    public static Model Merge(Model adapter, Model @base) => Merge(adapter, @base, ownsBase: false);

    private static Model Merge(Model adapter, Model @base, bool ownsBase)
    {
        var lora = Of(adapter);
        try
        {
            return lora.Over(@base, ownsBase);
        }
        catch
        {
            lora.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The adapter <paramref name="adapter"/> (which it then owns) holds: a llama.cpp GGUF adapter, or PEFT's with the
    /// <c>adapter_config.json</c> beside its file; throws <see cref="CheckpointException"/> when the config is missing
    /// or says something NeuronKit cannot merge.
    /// </summary>
    public static LoraAdapter Of(Model adapter)
    {
        try
        {
            string path = adapter.Checkpoint.Path;
            if (!Holds(adapter.Checkpoint))
                throw new CheckpointException($"{ByteSources.FileName(path)} is not a LoRA adapter: it holds no PEFT factors (….lora_A.weight, " +
                    "….lora_B.weight) and is not a llama.cpp adapter GGUF", ["name the adapter's folder or file (adapter_model.safetensors) and its base model"]);
            if (IsGguf(adapter.Checkpoint))
            {
                string? alpha = adapter.Checkpoint.Metadata.GetValueOrDefault("adapter.lora.alpha");
                return new LoraAdapter(adapter, null, alpha is null ? 0
                    : double.TryParse(alpha, NumberStyles.Float, CultureInfo.InvariantCulture, out double a) && double.IsFinite(a) ? a
                    : throw new CheckpointException($"{ByteSources.FileName(path)} has 'adapter.lora.alpha' {alpha}, not a number"));
            }
            if (ByteSources.IsUrl(path))
                throw new CheckpointException($"{ByteSources.FileName(path)} is a LoRA adapter, which is merged from local files only",
                    ["download the adapter's folder first (huggingface-cli download REPO --local-dir DIR)"]);
            string config = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, LoraConfig.FileName);
            if (!File.Exists(config))
                throw new CheckpointException($"{Path.GetFileName(path)} holds LoRA weights, but no {LoraConfig.FileName} is beside it to say their scale (lora_alpha / r)",
                    ["keep the adapter's folder as PEFT saved it"]);
            if (adapter.Checkpoint.Tensors.FirstOrDefault(t => t.Name.Contains(".lora_magnitude_vector", StringComparison.Ordinal)) is { } dora)
                throw new CheckpointException($"{Path.GetFileName(path)} holds {dora.Name}: a DoRA adapter, whose update rescales each row by a learned " +
                    "magnitude; NeuronKit merges plain LoRA only", ["merge it with PEFT (merge_and_unload) and compare the merged model"]);
            return new LoraAdapter(adapter, LoraConfig.Read(config), null);
        }
        catch
        {
            adapter.Dispose();
            throw;
        }
    }

    /// <summary>
    /// <paramref name="base"/> with the adapter merged: a model of its own, whose weights read through the base's (so the
    /// base must outlive it) and which disposes the adapter with itself. Throws <see cref="CheckpointException"/> when an
    /// adapted module is not in the base, or its shapes do not fit the base's weight.
    /// </summary>
    public Model Over(Model @base) => Over(@base, ownsBase: false);

    private Model Over(Model @base, bool ownsBase)
    {
        var byName = @base.Checkpoint.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var replaced = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        var updates = new Dictionary<string, Update>(StringComparer.Ordinal); // by the base tensor it changes
        foreach (var tensor in Adapter.Checkpoint.Tensors)
        {
            if (Factor(tensor) is var (target, module, isA, transposed))
            {
                var update = updates.GetValueOrDefault(target) ?? new Update(module, transposed);
                updates[target] = isA ? update with { A = tensor } : update with { B = tensor };
                continue;
            }
            // A module saved whole (modules_to_save, a trained bias): it replaces the base's tensor of that name.
            string name = Unprefixed(tensor.Name);
            if (!byName.TryGetValue(name, out var original))
                throw new CheckpointException($"{AdapterName} holds {tensor.Name}, but the base {BaseName(@base)} has no tensor '{name}' for it to replace");
            if (!original.Shape.SequenceEqual(tensor.Shape))
                throw new CheckpointException($"{AdapterName} holds {tensor.Name} [{string.Join(", ", tensor.Shape)}], but the base's '{name}' is [{string.Join(", ", original.Shape)}]");
            replaced[name] = tensor.Renamed(name);
        }
        foreach (var (target, update) in updates)
            replaced[target] = Merged(@base, byName, target, update);
        var tensors = @base.Checkpoint.Tensors.Select(t => replaced.GetValueOrDefault(t.Name) ?? t).ToList();
        var metadata = new Dictionary<string, string>(@base.Checkpoint.Metadata, StringComparer.Ordinal)
        {
            [MergedKey] = Config?.ToString() ?? $"alpha {_ggufAlpha!.Value.ToString(CultureInfo.InvariantCulture)}",
            [BaseKey] = @base.Checkpoint.Path,
            ["lora_modules"] = updates.Count.ToString(CultureInfo.InvariantCulture),
        };
        // It owns the checkpoints (a model's Dispose is its checkpoint's), so that its Changed sees either file found changed.
        IReadOnlyList<IDisposable> owned = ownsBase ? [Adapter.Checkpoint, @base.Checkpoint] : [Adapter.Checkpoint];
        return Model.Create(new Checkpoint(Adapter.Checkpoint.Path, @base.Checkpoint.Format, tensors, owned, metadata,
            @base.Checkpoint.Graph, [.. @base.Checkpoint.Files, .. Adapter.Checkpoint.Files]));
    }

    /// <inheritdoc/>
    public void Dispose() => Adapter.Dispose();

    // One adapted weight's two factors, the module as the adapter's config names it, and whether the update is transposed.
    private sealed record Update(string Module, bool Transposed, TensorInfo? A = null, TensorInfo? B = null);

    private static bool IsGguf(Checkpoint checkpoint) =>
        checkpoint.Format == "gguf" && checkpoint.Metadata.GetValueOrDefault("general.type") == "adapter"
        && checkpoint.Metadata.GetValueOrDefault("adapter.type") == "lora";

    // A LoRA factor: the base tensor it updates, its module, whether it is A, and whether the update is transposed.
    private (string Target, string Module, bool IsA, bool Transposed)? Factor(TensorInfo tensor)
    {
        if (_ggufAlpha is not null)
            return GgufPart().Match(tensor.Name) is { Success: true } g
                ? (g.Groups["tensor"].Value, g.Groups["tensor"].Value, g.Groups["side"].Value == "a", false) : null;
        if (PeftPart().Match(Unprefixed(tensor.Name)) is not { Success: true } part) return null;
        string module = part.Groups["module"].Value;
        return (module + ".weight", module, part.Groups["side"].Value == "A", part.Groups["embedding"].Success || Config!.FanInFanOut);
    }

    // PEFT saves names under the wrapper's base_model.model.; the base model has them without it.
    private static string Unprefixed(string name) => name.StartsWith(Prefix, StringComparison.Ordinal) ? name[Prefix.Length..] : name;

    private string AdapterName => ByteSources.FileName(Adapter.Checkpoint.Path);

    private static string BaseName(Model @base) => ByteSources.FileName(@base.Checkpoint.Path);

    // W + scale · ΔW for one weight: ΔW = B·A with A [r, in…] and B [out, r(, 1, 1)], or its transpose for an embedding
    // (A [r, rows], B [columns, r]) and for a base storing (in, out) (fan_in_fan_out).
    private TensorInfo Merged(Model @base, Dictionary<string, TensorInfo> byName, string target, Update update)
    {
        var (module, transposed, a, b) = (update.Module, update.Transposed, update.A, update.B);
        if (a is null || b is null)
            throw new CheckpointException($"{AdapterName} holds lora_{(a is null ? "B" : "A")} of {module} without its lora_{(a is null ? "A" : "B")}");
        if (!byName.TryGetValue(target, out var weight))
            throw new CheckpointException($"{AdapterName} adapts {module}, but the base {BaseName(@base)} has no tensor '{target}'",
                [Config is null ? "its base is the GGUF model the adapter was converted for"
                    : "its base is the model the adapter was trained on (its adapter_config.json names it: base_model_name_or_path)"]);
        if (weight.Shape.Count < 2 || a.Shape.Count < 2 || b.Shape.Count < 2)
            throw new CheckpointException($"{AdapterName}: {module}'s weight and its LoRA factors must each have two dimensions or more");
        if (weight.ElementCount == 0 || a.ElementCount == 0 || b.ElementCount == 0)
            throw new CheckpointException($"{AdapterName}: {module}'s weight [{string.Join(", ", weight.Shape)}] or a LoRA factor " +
                $"(A [{string.Join(", ", a.Shape)}], B [{string.Join(", ", b.Shape)}]) is empty");
        long rows = weight.Shape[0], columns = weight.ElementCount / rows;
        // llama.cpp keeps a token embedding's factors flipped: A [rows, r] and B [columns, r], W += A · Bᵀ (llm_build_inp_embd).
        bool flipped = Config is null && !Fits(a, b, rows, columns, transposed) && a.Shape is [var aRows, var r] && aRows == rows
            && b.Shape is [var bRows, var bRank] && bRows == columns && bRank == r;
        if (!flipped && !Fits(a, b, rows, columns, transposed) || a.Shape[flipped ? 1 : 0] > 1 << 16)
            throw new CheckpointException($"{AdapterName}: {module}'s LoRA factors A [{string.Join(", ", a.Shape)}] and B [{string.Join(", ", b.Shape)}] " +
                $"do not make an update of its base weight [{string.Join(", ", weight.Shape)}]{(transposed ? " (transposed)" : "")}");
        long rank = a.Shape[flipped ? 1 : 0];
        double scale = Config?.Scale(module) ?? (_ggufAlpha is > 0 or < 0 ? _ggufAlpha.Value / rank : 1); // llama.cpp: alpha 0 means no alpha / r
        double[] av = a.View().ToDoubles(), bv = b.View().ToDoubles();
        double[] left = flipped ? av : transposed ? Transpose(av, (int)rank, (int)rows) : bv;
        double[] right = flipped || transposed ? Transpose(bv, (int)columns, (int)rank) : av;
        var bytes = new LoraMergedBytes(weight.View(), left, right, (int)rank, scale);
        return TensorInfo.Contiguous(weight.Name, DType.Float64, [.. weight.Shape], new TensorStorage(weight.Name + "+lora", bytes, 0, bytes.Length))
            with { StoredAs = $"{weight.StoredAs ?? weight.DType.ToString().ToLowerInvariant()} + LoRA r{rank}" };
    }

    // Not transposed: W[rows, columns] += B[rows, r] · A[r, columns]; transposed: W[rows, columns] += (B[columns, r] · A[r, rows])ᵀ.
    private static bool Fits(TensorInfo a, TensorInfo b, long rows, long columns, bool transposed)
    {
        long rank = a.Shape[0], aColumns = a.ElementCount / rank, bRows = b.Shape[0], bRank = b.ElementCount / bRows;
        return bRank == rank && (transposed ? bRows == columns && aColumns == rows : bRows == rows && aColumns == columns);
    }

    // m [rows, columns] → [columns, rows].
    private static double[] Transpose(double[] m, int rows, int columns)
    {
        var t = new double[m.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                t[(long)c * rows + r] = m[(long)r * columns + c];
        return t;
    }

    // PEFT's saved names: MODULE.lora_A.weight / lora_B.weight, an embedding's MODULE.lora_embedding_A / _B.
    [GeneratedRegex(@"^(?<module>.+)\.lora_(?:(?<embedding>embedding_)(?<side>[AB])|(?<side>[AB])\.weight)$", RegexOptions.CultureInvariant)]
    private static partial Regex PeftPart();

    // llama.cpp's: BASE_TENSOR.lora_a / .lora_b.
    [GeneratedRegex(@"^(?<tensor>.+)\.lora_(?<side>[ab])$", RegexOptions.CultureInvariant)]
    private static partial Regex GgufPart();
}
