using System.Globalization;
using NeuronKit.Edits;
using NeuronKit.Tensors;
using NeuronKit.Views.Reports;

namespace NeuronKit.Cli.Output;

/// <summary><c>neuron edit</c> for reading: where it wrote, then each part with its L2 before and after and the bytes it took.</summary>
internal static class EditTextWriter
{
    public static void Write(TextWriter stdout, ModelEdit edit, bool dryRun)
    {
        string file = edit.Model.Checkpoint.FileName;
        string where = dryRun ? $"{file} (dry run: nothing written)"
            : edit.WrittenTo == edit.Model.Checkpoint.Path ? $"{file} (in place)"
            : $"{file} → {edit.WrittenTo}";
        stdout.WriteLine($"{where}: {edit.Action}");
        var rows = edit.Changes.Select(c => (Change: c, Name: $"{PrintableWriter.OneLine(c.Part.Tensor)}{c.Part.Index}",
            Side: (c.Part.Consumer is null ? c.Part.Direction.ToString().ToLowerInvariant() : $"out to {c.Part.Consumer}")
                + (c.Part.Gate is null ? "" : $", {c.Part.Gate.Name}"),
            Type: $"[{string.Join(", ", c.Part.Shape)}] {c.Part.StoredAs ?? c.Part.DType.Name()}")).ToList();
        int name = rows.Max(r => r.Name.Length), side = rows.Max(r => r.Side.Length), type = rows.Max(r => r.Type.Length);
        foreach (var neuron in rows.GroupBy(r => (r.Change.Neuron.Layer.Name, r.Change.Neuron.Index)))
        {
            stdout.WriteLine($"  {PrintableWriter.OneLine(neuron.Key.Name)} neuron {neuron.Key.Index}");
            foreach (var (change, text, direction, stored) in neuron)
            {
                double after = EditChangeReport.L2(change.After ?? change.Requested);
                string error = (change.MaxError is > 0 and var e ? $", max error {Number(e)}" : "")
                    + (change.Clipped is > 0 and var n ? $", {Counted.Of(n, "value")} saturated at the {change.Part.StoredAs} range" : "");
                stdout.WriteLine($"    {text.PadRight(name)}  {direction.PadRight(side)}  {stored.PadRight(type)}  " +
                    $"L2 {Number(EditChangeReport.L2(change.Before))} → {Number(after)}{error}  {Where(change.Writes, edit.Model.Checkpoint.Path)}{Bytes(change.Writes)}");
            }
        }
        if (edit.RewrittenMembers.Count > 0)
        {
            string members = $"{string.Join(", ", edit.RewrittenMembers)} deflated anew";
            stdout.WriteLine(dryRun ? $"would write the archive anew: {members}" : $"wrote the archive anew, {Counted.Of(edit.BytesWritten, "byte")}: {members}");
            return;
        }
        var runs = edit.Writes;
        long crc = edit.BytesWritten - edit.Changes.SelectMany(c => c.Writes).Select(w => (w.File, w.Offset, w.End)).Distinct().Sum(w => w.End - w.Offset);
        string verb = dryRun ? "would write" : "wrote";
        stdout.WriteLine($"{verb} {Counted.Of(edit.BytesWritten, "byte")} in {Counted.Of(runs.Count, "run")}" +
            (crc > 0 ? $" ({Counted.Of(crc, "byte")} of them zip CRCs)" : ""));
    }

    // PyTorch's short form, but a plain 0 for the zero an ablation leaves (not PyTorch's "0.").
    private static string Number(double value) => value == 0 ? "0" : TensorText.Number(value);

    // The file the bytes go into, where it is not the model's own (ONNX external data, a safetensors shard).
    private static string Where(IReadOnlyList<BytePatch> writes, string model) =>
        writes.Count > 0 && writes[0].File != model ? $"{Path.GetFileName(writes[0].File)} " : "";

    private static string Bytes(IReadOnlyList<BytePatch> writes) =>
        writes.Count == 1
            ? $"bytes {writes[0].Offset.ToString("N0", CultureInfo.InvariantCulture)}..{writes[0].End.ToString("N0", CultureInfo.InvariantCulture)}"
            : $"{Counted.Of(writes.Sum(w => w.Bytes.LongLength), "byte")} in {Counted.Of(writes.Count, "run")}";
}
