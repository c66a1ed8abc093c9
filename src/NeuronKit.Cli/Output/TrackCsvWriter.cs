using System.Globalization;
using NeuronKit.Track;
using NeuronKit.Views.Reports;

namespace NeuronKit.Cli.Output;

/// <summary><c>neuron track --csv</c>: <c>neuron stats --csv</c>'s rows, each led by its checkpoint (the path as given) and step (empty when unknown).</summary>
internal static class TrackCsvWriter
{
    public const string Header = "checkpoint,step," + StatsCsvWriter.Header;

    public static void WriteHeader(TextWriter output) => output.Write(Header + "\n");

    public static void Write(TextWriter output, CheckpointStats checkpoint)
    {
        string step = checkpoint.Checkpoint.Step?.ToString(CultureInfo.InvariantCulture) ?? "";
        StatsCsvWriter.Rows(output, checkpoint.Stats, StatsOrder.ByIndex, $"{StatsCsvWriter.Cell(checkpoint.Checkpoint.Path)},{step},");
    }
}
