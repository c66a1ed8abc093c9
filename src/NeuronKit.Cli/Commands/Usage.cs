using System.CommandLine;

namespace NeuronKit.Cli.Commands;

/// <summary>Each command's synopsis, as README.md's "Commands" block shows it; printed after a wrong command line.</summary>
internal static class Usage
{
    private static readonly Dictionary<string, string> Lines = new()
    {
        ["layers"] = "neuron layers FILE [--json] [--base BASE]",
        ["show"] = "neuron show FILE LAYER INDEX [--json] [--full] [--raw] [--kind K] [--layout out,in|in,out] [--outgoing] [--consumer LAYER] [--base BASE] " +
            "[--output OUT.npz|OUT.npy [--part P]]",
        ["edit"] = "neuron edit FILE [LAYER] [INDEX] [--neurons L:I,…] (--zero|--scale K|--set X.npy|X.npz|--add-noise SIGMA) [--seed S] " +
            "[--part ROLE[:GATE]] [--outgoing] [--consumer LAYER] (--output OUT|--in-place) [--dry-run] [--json]",
        ["prune"] = "neuron prune FILE [LAYER] [INDICES] [--neurons L:I,…] [--consumer LAYER] (--output OUT|--dry-run) [--json]",
        ["tensors"] = "neuron tensors FILE [--json] [--output OUT.npz|OUT.npy [--tensor NAME]]",
        ["stats"] = "neuron stats FILE [LAYER] [--json|--csv] [--sort KEY[:asc|:desc]] [--top N] [--outlier-k K] [--outgoing] [--similar COSINE] [--base BASE]",
        ["diff"] = "neuron diff A B [LAYER] [INDEX] [--json|--csv] [--sort KEY[:asc|:desc]] [--top N] [--full] [--base BASE]",
        ["track"] = "neuron track CHECKPOINT [CHECKPOINT…] [--layer L] (--parquet OUT|--csv OUT) [--shard I/N] [--outlier-k K] [--outgoing] [--keep-going] [--base BASE]",
        ["render"] = "neuron render FILE LAYER [INDEX] --output OUT.png [--scale N] [--rgb] [--shape H,W] [--hist] [--outgoing] [--consumer LAYER] [--base BASE]",
        ["act"] = "neuron act MODEL LAYER [INDEX] (--input IN…|--inputs DIR [--top K|--all] [--by max|mean]) [--post] " +
            "[--batch N] [--preprocess scale|imagenet] [--layout nchw|nhwc] [--json|--csv]",
        ["serve"] = "neuron serve FILE [FILE…] [--port N] [--host ADDRESS] [--inputs DIR] [--base BASE] [--preprocess scale|imagenet] [--layout nchw|nhwc]",
        ["formats"] = "neuron formats",
    };

    /// <summary>The synopsis of <paramref name="command"/>; for the root, its commands.</summary>
    public static string Of(Command command) =>
        command is RootCommand ? $"neuron {string.Join("|", command.Subcommands.Select(c => c.Name))} …" : Lines[command.Name];
}
