namespace NeuronKit.Formats;

/// <summary>
/// The checkpoint a folder holds, for a folder named where a checkpoint is expected: a model folder as
/// <c>save_pretrained</c> writes it, a Trainer's <c>checkpoint-500/</c>, a folder of one GGUF model's splits. The file
/// the saving tool names its weights (<see cref="WeightNames"/>, first found) wins over the optimizer, scheduler and
/// arguments saved beside it; else the folder must hold one model (<see cref="ModelFiles"/>: a model's shards or splits
/// are one), and that is it. Nothing is opened here: the reader of the file found checks it.
/// </summary>
public static class ModelFolder
{
    /// <summary>The files saving tools write a model's weights to, in the order transformers prefers them.</summary>
    public static readonly IReadOnlyList<string> WeightNames =
    [
        "model.safetensors.index.json", "model.safetensors", "pytorch_model.bin", "pytorch_model.bin.index.json", // transformers
        "diffusion_pytorch_model.safetensors.index.json", "diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.bin", // diffusers
        "adapter_model.safetensors", "adapter_model.bin",                            // PEFT
        "consolidated.safetensors", "consolidated.00.pth",                           // Meta's and Mistral's reference releases
        "model.onnx",                                                                // optimum's exports
        "model.keras", "model.weights.h5", "model.h5", "tf_model.h5",                // Keras 3, Keras 2, transformers' TensorFlow weights
        "flax_model.msgpack.index.json", "flax_model.msgpack",                       // transformers' Flax weights
    ];

    // What a training loop saves beside the weights (transformers' Trainer, Accelerate): never the model.
    private static readonly HashSet<string> TrainingState = new(StringComparer.Ordinal)
    {
        "optimizer.pt", "optimizer.bin", "scheduler.pt", "scheduler.bin", "scaler.pt", "training_args.bin", "rng_state.pth",
    };

    private const int Listed = 5; // an error names a few of a folder's models, not a screenful

    private static readonly string[] CheckpointEndings =
        [".safetensors", ".safetensors.index.json", ".bin.index.json", ".msgpack.index.json", ".gguf", ".onnx", ".pt", ".pth", ".bin", ".ckpt", ".npz", ".npy", ".dat",
         ".h5", ".hdf5", ".keras", ".msgpack"];

    /// <summary>
    /// The checkpoint file <paramref name="folder"/> holds; throws <see cref="CheckpointException"/> when it holds none,
    /// and <see cref="RequestException"/> listing them when it holds several models and none by a weights name.
    /// </summary>
    public static string Find(string folder)
    {
        var models = Models(folder);
        return models.Count switch
        {
            1 => models[0],
            0 => throw NoCheckpoint(folder),
            _ => throw new RequestException($"{folder} is a folder that holds {models.Count} models " +
                $"({string.Join(", ", models.Take(Listed).Select(Path.GetFileName))}{(models.Count > Listed ? $", and {models.Count - Listed} more" : "")}) " +
                "and none by a name saving tools give the weights",
                [$"name the one you mean, e.g. {models[0]}"]),
        };
    }

    // Why a folder of no checkpoint file is none: its folders hold models, or a file in it is of a format not read here.
    private static CheckpointException NoCheckpoint(string folder)
    {
        string message = $"{folder} is a folder that holds no checkpoint file";
        if (Inside(folder) is { Count: > 0 } inside)
            return new(message, [$"its folders {string.Join(", ", inside.Take(Listed))}{(inside.Count > Listed ? ", …" : "")} hold models (a diffusers pipeline's unet, vae, …): name one"]);
        return UnreadFormats.FolderRefusal(folder, FileNames(folder))
            ?? new(message, [$"a checkpoint file ends in {string.Join(", ", CheckpointEndings)}; name the file itself"]);
    }

    /// <summary>
    /// The models <paramref name="folder"/> holds, each as the file to open: the weights file when the folder has one by
    /// a saving tool's name; else one file per model, sorted as text.
    /// </summary>
    public static IReadOnlyList<string> Models(string folder)
    {
        var files = FileNames(folder).ToHashSet(StringComparer.Ordinal);
        foreach (string name in WeightNames)
            if (files.Contains(name)) return [Path.Combine(folder, name)];
        return files
            .Where(f => CheckpointEndings.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase)) && !IsTrainingState(f))
            .Select(f => Path.Combine(folder, f))
            .GroupBy(ModelFiles.GroupOf, StringComparer.Ordinal)
            .SelectMany(OpenedBy)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    // The folders directly inside that hold a model, as a pipeline's components do (unet/, text_encoder/); one that
    // cannot be listed holds none that can be read.
    private static List<string> Inside(string folder) =>
        [.. Listing(folder, Directory.EnumerateDirectories).Order(StringComparer.Ordinal).Where(HoldsModels).Select(d => Path.GetFileName(d) + "/")];

    private static bool HoldsModels(string folder)
    {
        try
        {
            return Models(folder).Count > 0;
        }
        catch (CheckpointException)
        {
            return false;
        }
    }

    // The names of the files in a folder; a folder that cannot be listed (no permission) is the caller's file trouble, not a bug.
    private static List<string> FileNames(string folder) => [.. Listing(folder, Directory.EnumerateFiles).Select(Path.GetFileName).OfType<string>()];

    private static List<string> Listing(string folder, Func<string, IEnumerable<string>> list)
    {
        try
        {
            return [.. list(folder)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{folder} cannot be read: {e.Message}", inner: e);
        }
    }

    // A shard set opens whole by its index; a GGUF's splits by any of them (the first); shards with no index beside
    // them are read alone, each a model of its own.
    private static IEnumerable<string> OpenedBy(IGrouping<string, string> files)
    {
        if (files.Count() == 1) return files;
        string? index = files.FirstOrDefault(ModelFiles.IsIndex);
        if (index is not null) return [index];
        return files.Key.EndsWith(".gguf", StringComparison.Ordinal) ? [files.Min(StringComparer.Ordinal)!] : files;
    }

    // What saving tools write beside a model that is not one: configs and tokenizers (JSON other than a shards' index,
    // vocabularies, SentencePiece models, chat templates) and notes.
    private static readonly string[] SideEndings = [".txt", ".md", ".model", ".jinja", ".py", ".yaml", ".yml", ".log", ".tiktoken"];

    /// <summary>
    /// True when the file named <paramref name="name"/> is one a training loop or a saving tool writes beside the weights
    /// and never a model: the optimizer's, scheduler's and random state (optimizer.pt, DeepSpeed's *_optim_states.pt,
    /// rng_state.pth), trainer_state.json, config.json, tokenizer files. A file of any other name may be a model, whatever
    /// its extension (formats are told by content).
    /// </summary>
    public static bool IsBesideTheWeights(string name) =>
        IsTrainingState(name)
        || name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !ModelFiles.IsIndex(name)
        || SideEndings.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    // rng_state_3.pth: one per process of a distributed run; DeepSpeed's optimizer partitions, one per rank beside
    // mp_rank_00_model_states.pt in its global_stepN/ ([bf16_]zero_pp_rank_R_mp_rank_00_optim_states.pt).
    private static bool IsTrainingState(string name) =>
        TrainingState.Contains(name) || name.StartsWith("rng_state_", StringComparison.Ordinal) && name.EndsWith(".pth", StringComparison.Ordinal)
        || name.EndsWith("_optim_states.pt", StringComparison.Ordinal);
}
