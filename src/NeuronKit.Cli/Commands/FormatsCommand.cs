using System.CommandLine;
using NeuronKit.Formats;

namespace NeuronKit.Cli.Commands;

/// <summary><c>neuron formats</c>: the formats this build reads.</summary>
internal static class FormatsCommand
{
    public static Command Create(TextWriter stdout)
    {
        var command = new Command("formats", "List the checkpoint formats NeuronKit reads (told by content, not by extension).");
        command.SetAction(_ =>
        {
            foreach (var reader in CheckpointFormats.All)
                stdout.WriteLine($"{reader.Name,-12} {reader.Description}");
        });
        return command;
    }
}
