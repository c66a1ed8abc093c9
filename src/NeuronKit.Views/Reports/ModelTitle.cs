using NeuronKit.Adapters;

namespace NeuronKit.Views.Reports;

/// <summary>
/// How text and pictures name a model: its file, or, for a LoRA adapter merged into its base, both with what was merged
/// (<c>base.safetensors + checkpoint-500/adapter_model.safetensors (LoRA r 16, alpha 32, merged)</c>).
/// </summary>
public static class ModelTitle
{
    /// <summary>The model's name, with the merge in parentheses for a merged adapter.</summary>
    public static string Of(Model model) => Merged(model) is var (name, lora) ? $"{name} (LoRA {lora}, merged)" : FileName(model);

    /// <summary>The model's name with its format in parentheses (<c>model.pt (pytorch)</c>), and the merge after it.</summary>
    public static string WithFormat(Model model) =>
        Merged(model) is var (name, lora) ? $"{name} ({model.Checkpoint.Format}; LoRA {lora}, merged)" : $"{FileName(model)} ({model.Checkpoint.Format})";

    private static string FileName(Model model) => model.Checkpoint.FileName;

    // "base + adapter" and what was merged, or null for a model read as it is.
    private static (string Name, string Lora)? Merged(Model model)
    {
        var metadata = model.Checkpoint.Metadata;
        if (!metadata.TryGetValue(LoraAdapter.MergedKey, out var lora)) return null;
        string adapter = AdapterName(model.Checkpoint.Path);
        return (metadata.TryGetValue(LoraAdapter.BaseKey, out var @base) ? $"{Tensors.ByteSources.FileName(@base)} + {adapter}" : adapter, lora);
    }

    // PEFT saves every adapter as adapter_model.*: its folder (checkpoint-500/) is what tells two apart.
    private static string AdapterName(string path)
    {
        string file = Tensors.ByteSources.FileName(path);
        string folder = Tensors.ByteSources.IsUrl(path) ? "" : Path.GetFileName(Path.GetDirectoryName(path) ?? "");
        return file.StartsWith("adapter_model", StringComparison.Ordinal) && folder.Length > 0 ? $"{folder}/{file}" : file;
    }
}
