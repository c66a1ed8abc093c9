using System.Text.Json.Serialization;
using NeuronKit.Edits;

namespace NeuronKit.Views.Reports;

/// <summary><c>neuron edit --json</c>: what changed, part by part, and every byte run written.</summary>
/// <param name="File">The model file's name (no folder).</param>
/// <param name="Format">The format that read it.</param>
/// <param name="Output">Where the edited model went, or null (in place, or a dry run).</param>
/// <param name="InPlace">True when the file itself was edited.</param>
/// <param name="DryRun">True when nothing was written.</param>
/// <param name="Action">The edit (Zero, Scale 2, …).</param>
/// <param name="Changes">Each part changed.</param>
/// <param name="Writes">Every byte run written, in file order; an archive written anew is one run, the whole new file.</param>
/// <param name="BytesWritten">Bytes written (0 for a dry run).</param>
/// <param name="RewrittenMembers">The zip members deflated anew, the archive written again to hold them (an .npz from
/// <c>np.savez_compressed</c>); null, and left out of the JSON, when the edit overwrote bytes where they were.</param>
public sealed record EditReport(
    string File,
    string Format,
    string? Output,
    bool InPlace,
    bool DryRun,
    string Action,
    IReadOnlyList<EditChangeReport> Changes,
    IReadOnlyList<WriteRunReport> Writes,
    long BytesWritten,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? RewrittenMembers) : IReport
{
    /// <summary>The report of <paramref name="edit"/>, planned or done (<paramref name="dryRun"/>: planned only).</summary>
    public static EditReport Of(ModelEdit edit, bool dryRun)
    {
        string path = edit.Model.Checkpoint.Path;
        return new EditReport(
            Path.GetFileName(path),
            edit.Model.Checkpoint.Format,
            edit.WrittenTo is null || edit.WrittenTo == path ? null : edit.WrittenTo,
            edit.WrittenTo == path,
            dryRun,
            edit.Action.ToString(),
            [.. edit.Changes.Select(EditChangeReport.Of)],
            edit.RewrittenMembers.Count == 0
                ? [.. edit.Writes.Select(run => new WriteRunReport(Path.GetFileName(run.File), run.Offset, run.Bytes.Length))]
                : dryRun ? [] : [new WriteRunReport(Path.GetFileName(edit.WrittenTo!), 0, edit.BytesWritten)],
            dryRun ? 0 : edit.BytesWritten,
            edit.RewrittenMembers.Count > 0 ? edit.RewrittenMembers : null);
    }
}
