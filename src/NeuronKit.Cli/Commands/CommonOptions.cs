using System.CommandLine;
using NeuronKit.Activations;
using NeuronKit.Adapters;

namespace NeuronKit.Cli.Commands;

/// <summary>The arguments and options every command shares, made fresh per command.</summary>
internal static class CommonOptions
{
    public static Argument<string> File() => new("FILE")
    {
        Description = "The checkpoint: PyTorch, safetensors (or its index.json), ONNX, GGUF, TorchSharp .dat, NumPy .npy/.npz, Keras .h5/.keras, Flax .msgpack; told by content (see neuron formats). " +
            "An http(s):// URL is read by range requests; a folder opens as the model it holds (model.safetensors, a Trainer's checkpoint-500/).",
    };

    /// <summary><c>--base BASE</c>, the model LoRA adapters are read merged into; <paramref name="description"/> says which files are.</summary>
    public static Option<string?> Base(string description =
        "FILE is a LoRA adapter (PEFT's folder or adapter_model.safetensors, or a llama.cpp adapter GGUF): read it merged " +
        "into this base model, W + scale · B·A, as PEFT's merge_and_unload and llama.cpp's --lora merge it.") => new("--base")
    {
        Description = description,
        HelpName = "BASE",
    };

    /// <summary>The model FILE names: as it is, or, with <see cref="Base"/>, the adapter it holds merged into BASE.</summary>
    public static Model Open(string file, string? basePath) => basePath is null ? Model.Open(file) : LoraAdapter.Open(file, basePath);

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print one JSON object instead of text (the contract in README.md).",
    };

    public static Option<bool> Verbose() => new("--verbose")
    {
        Description = "On an unexpected failure, print the stack trace too.",
    };

    public static Option<bool> StatsRequests() => new("--stats-requests")
    {
        Description = "Print on stderr how many HTTP requests and bytes the command used, for a FILE given as an http(s) URL.",
    };

    public static Option<string> Preprocess()
    {
        var option = new Option<string>("--preprocess")
        {
            Description = "How pictures become tensors: 'scale' (RGB 0..1, as they are) or 'imagenet' (resize 256, centre crop 224, torchvision's mean/std).",
            DefaultValueFactory = _ => "scale",
        };
        option.AcceptOnlyFromAmong("scale", "imagenet");
        return option;
    }

    public static Option<string> Layout()
    {
        var option = new Option<string>("--layout") { Description = "Where a picture's channels go: nchw (PyTorch) or nhwc.", DefaultValueFactory = _ => "nchw" };
        option.AcceptOnlyFromAmong("nchw", "nhwc");
        return option;
    }

    /// <summary>The picture options <see cref="Preprocess"/> and <see cref="Layout"/> asked for.</summary>
    public static ImageOptions Images(ParseResult parse, Option<string> preprocess, Option<string> layout) => new(
        parse.GetValue(preprocess) == "imagenet" ? ImagePreprocess.Imagenet : ImagePreprocess.Scale,
        parse.GetValue(layout) == "nhwc" ? ImageLayout.Nhwc : ImageLayout.Nchw);
}
