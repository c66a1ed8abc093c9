using System.CommandLine;

namespace NeuronKit.Cli.Commands;

/// <summary>The arguments and options every command shares, made fresh per command.</summary>
internal static class CommonOptions
{
    public static Argument<string> File() => new("FILE")
    {
        Description = "The checkpoint: PyTorch, safetensors (or its index.json), ONNX, GGUF, TorchSharp .dat, NumPy .npy/.npz; told by content (see neuron formats).",
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print one JSON object instead of text (the contract in README.md).",
    };

    public static Option<bool> Verbose() => new("--verbose")
    {
        Description = "On an unexpected failure, print the stack trace too.",
    };
}
