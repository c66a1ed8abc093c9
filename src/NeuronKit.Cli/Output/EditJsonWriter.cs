using System.Text.Json;
using NeuronKit.Edits;
using NeuronKit.Tensors;

namespace NeuronKit.Cli.Output;

/// <summary><c>neuron edit --json</c>: what changed, part by part, and every byte run written.</summary>
internal static class EditJsonWriter
{
    public static void Write(TextWriter stdout, ModelEdit edit, bool dryRun) => JsonOutput.Write(stdout, json =>
    {
        json.WriteStartObject();
        json.WriteString("file", Path.GetFileName(edit.Model.Checkpoint.Path));
        json.WriteString("format", edit.Model.Checkpoint.Format);
        if (edit.WrittenTo is null || edit.WrittenTo == edit.Model.Checkpoint.Path) json.WriteNull("output");
        else json.WriteString("output", edit.WrittenTo);
        json.WriteBoolean("in_place", edit.WrittenTo == edit.Model.Checkpoint.Path);
        json.WriteBoolean("dry_run", dryRun);
        json.WriteString("action", edit.Action.ToString());
        json.WriteStartArray("changes");
        foreach (var change in edit.Changes)
        {
            var part = change.Part;
            json.WriteStartObject();
            json.WriteString("layer", change.Neuron.Layer.Name);
            json.WriteNumber("neuron", change.Neuron.Index);
            PartJson.WriteIdentity(json, part);
            JsonOutput.WriteProperty(json, "l2_before", EditTextWriter.L2(change.Before));
            JsonOutput.WriteProperty(json, "l2_requested", EditTextWriter.L2(change.Requested));
            if (change.After is null) json.WriteNull("l2_after");
            else JsonOutput.WriteProperty(json, "l2_after", EditTextWriter.L2(change.After));
            if (change.MaxError is { } error) JsonOutput.WriteProperty(json, "max_error", error);
            else json.WriteNull("max_error");
            if (change.Clipped is { } clipped) json.WriteNumber("saturated", clipped);
            else json.WriteNull("saturated");
            WriteRuns(json, "writes", change.Writes);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("writes");
        foreach (var run in edit.Writes)
        {
            json.WriteStartObject();
            json.WriteString("file", Path.GetFileName(run.File));
            json.WriteNumber("offset", run.Offset);
            json.WriteNumber("length", run.Bytes.Length);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteNumber("bytes_written", dryRun ? 0 : edit.BytesWritten);
        json.WriteEndObject();
    });

    private static void WriteRuns(Utf8JsonWriter json, string name, IReadOnlyList<BytePatch> runs)
    {
        json.WriteStartArray(name);
        foreach (var run in runs)
        {
            json.WriteStartArray();
            json.WriteNumberValue(run.Offset);
            json.WriteNumberValue(run.Bytes.Length);
            json.WriteEndArray();
        }
        json.WriteEndArray();
    }
}
