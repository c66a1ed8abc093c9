using System.CommandLine;
using System.Globalization;
using NeuronKit.Cli.Output;
using NeuronKit.Edits;
using NeuronKit.Neurons;
using NeuronKit.Views.Reports;

namespace NeuronKit.Cli.Commands;

/// <summary>
/// <c>neuron edit FILE LAYER INDEX ACTION (-o OUT | --in-place)</c>: changes one or more neurons' parts and writes the
/// model back in its own format, touching only those bytes.
/// </summary>
internal static class EditCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = CommonOptions.File();
        var layer = new Argument<string?>("LAYER")
        {
            Description = "The layer, as for show (or give several neurons with --neurons).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var index = new Argument<long?>("INDEX")
        {
            Description = "The neuron's index; a negative one counts from the end.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var neurons = new Option<string?>("--neurons")
        {
            Description = "Several neurons in one run, as LAYER:INDEX pairs separated by commas (fc:1,fc:3,conv1:0); an INDEX may be a range, first..last (conv1:8..15).",
        };
        var zero = new Option<bool>("--zero") { Description = "Set the values to 0 (with --outgoing: ablate the neuron)." };
        var scale = new Option<double?>("--scale") { Description = "Multiply the values by K." };
        var set = new Option<string?>("--set") { Description = "Set the values to those of a .npy file, whose shape must be the part's, or each part to its array in an .npz written by show -o." };
        var noise = new Option<double?>("--add-noise") { Description = "Add Gaussian noise of standard deviation SIGMA." };
        var seed = new Option<int>("--seed") { Description = "The seed of --add-noise's generator (default 0): the same seed gives the same file." };
        var part = new Option<string?>("--part")
        {
            Description = "Only this part of the neuron: ROLE or ROLE:GATE as show names them (weight, bias, weight_hh:forget, running_var); " +
                "the default is every weight and bias of the neuron.",
        };
        var outgoing = new Option<bool>("--outgoing")
        {
            Description = "Also apply it to the outgoing parts: the slices of the consumers' weights that read the neuron's output.",
        };
        var consumers = new Option<string[]>("--consumer")
        {
            Description = "With --outgoing: the layer that reads this one's output, where the file cannot tell (repeatable). A per-channel layer named too (a BatchNorm) is taken as on the way to the others.",
            AllowMultipleArgumentsPerToken = false,
        };
        var output = new Option<string?>("--output", "-o") { Description = "Write the edited model to OUT (a new file, or over one)." };
        var inPlace = new Option<bool>("--in-place") { Description = "Write only the changed bytes into FILE itself (journaled: undone on any failure)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would change and write nothing." };
        var json = CommonOptions.Json();
        var verbose = CommonOptions.Verbose();
        var statsRequests = CommonOptions.StatsRequests();
        var command = new Command("edit",
            "Change neurons and save: zero, scale, set or add noise to their weights (and outgoing weights), in the file's own format.")
        {
            file, layer, index, neurons, zero, scale, set, noise, seed, part, outgoing, consumers, output, inPlace, dryRun, json, verbose, statsRequests,
        };
        command.SetAction(parse => CommandRunner.Run(stderr, parse.GetValue(verbose), parse.GetValue(statsRequests), () =>
        {
            string path = parse.GetValue(file)!;
            string? target = parse.GetValue(output);
            bool dry = parse.GetValue(dryRun), here = parse.GetValue(inPlace);
            if (!dry && (target is null) == !here)
                throw new RequestException(here ? "--in-place and -o are two places to write; give one" : "say where to write: -o OUT or --in-place");
            var action = Action(parse.GetValue(zero), parse.GetValue(scale), parse.GetValue(set), parse.GetValue(noise), parse.GetValue(seed));
            var addresses = Addresses(parse.GetValue(layer), parse.GetValue(index), parse.GetValue(neurons));
            string[] named = parse.GetValue(consumers) ?? [];
            if (named.Length > 0 && !parse.GetValue(outgoing)) throw new RequestException("--consumer names the consumers of --outgoing; add --outgoing");
            if (NeuronKit.Tensors.ByteSources.IsUrl(path))
                throw NeuronKit.Remote.HttpRangeSource.NotLocal(NeuronKit.Tensors.ByteSources.FileName(path), "edit");
            if (Directory.Exists(path)) path = Formats.ModelFolder.Find(path);
            if (here && !dry) Recover(stderr, path);
            using var model = Model.Open(path);
            var targets = new List<(Neuron, IReadOnlyList<NeuronPart>)>();
            foreach (var (layerName, indices) in addresses)
            {
                var addressed = model.Layer(layerName);
                foreach (long j in indices.In(addressed))
                {
                    var neuron = addressed.Neuron(j);
                    if (parse.GetValue(outgoing)) neuron = model.WithOutgoing(neuron, named);
                    if (OutgoingParts.Incomplete(model, neuron.Layer, parse.GetValue(outgoing), named) is { } incomplete)
                        stderr.WriteLine(incomplete);
                    targets.Add((neuron, action is EditAction.SetParts arrays ? arrays.PartsOf(neuron, parse.GetValue(part))
                        : ModelEdit.Select(neuron, parse.GetValue(part), parse.GetValue(outgoing))));
                }
            }
            var edit = ModelEdit.Plan(model, targets, action);
            if (!dry)
            {
                if (here) edit.WriteInPlace();
                else edit.WriteTo(target!);
            }
            if (parse.GetValue(json)) ReportJson.Write(stdout, EditReport.Of(edit, dry));
            else EditTextWriter.Write(stdout, edit, dry);
            foreach (string note in edit.Notes) stderr.WriteLine($"note: {PrintableWriter.OneLine(note)}");
        }));
        return command;
    }

    // What an interrupted edit overwrote is put back before anything else: in the file named first (it may not open as
    // it is), then in the other files of a model saved as several (an edit writes into the one that holds the part).
    private static void Recover(TextWriter stderr, string path)
    {
        Put(path);
        IReadOnlyList<string> files;
        using (var model = Model.Open(path)) files = model.Checkpoint.Files;
        foreach (string file in files.Select(NeuronKit.Tensors.ByteSources.Absolute).Where(f => f != NeuronKit.Tensors.ByteSources.Absolute(path))) Put(file);

        void Put(string file)
        {
            if (EditJournal.Recover(file) is > 0 and var restored)
                stderr.WriteLine($"neuron: put back {restored:N0} bytes that an interrupted edit of {Path.GetFileName(file)} had overwritten");
        }
    }

    private static EditAction Action(bool zero, double? scale, string? set, double? noise, int seed)
    {
        var given = new List<EditAction>();
        if (zero) given.Add(new EditAction.Zero());
        if (scale is { } k) given.Add(new EditAction.Scale(k));
        if (set is not null) given.Add(ReadValues(set));
        if (noise is { } sigma)
        {
            if (!(sigma >= 0)) throw new RequestException($"--add-noise {sigma.ToString(CultureInfo.InvariantCulture)}: the standard deviation must be 0 or more");
            given.Add(new EditAction.AddNoise(sigma, seed));
        }
        return given switch
        {
            [var one] => one,
            [] => throw new RequestException("say what to do: --zero, --scale K, --set VALUES.npy or --add-noise SIGMA"),
            _ => throw new RequestException($"one action per edit, not {string.Join(" and ", given)}"),
        };
    }

    // An .npy's one array, for every part touched; an .npz's arrays (neuron show -o's), each for the part it is named after.
    private static EditAction ReadValues(string path)
    {
        using var values = Model.Open(path);
        string file = Path.GetFileName(path);
        if (values.Checkpoint.Format != "numpy")
            throw new RequestException($"--set takes a .npy array or an .npz of a neuron's parts; {file} is {values.Checkpoint.Format}");
        static EditAction.Set Set(NeuronKit.Tensors.TensorInfo tensor, string source) => new([.. tensor.Shape], tensor.View().ToDoubles(), source);
        if (values.Checkpoint.Metadata.GetValueOrDefault("variant") == "npy") return Set(values.Checkpoint.Tensors[0], file);
        return new EditAction.SetParts(values.Checkpoint.Tensors.ToDictionary(t => t.Name, t => Set(t, $"{file}:{t.Name}"), StringComparer.Ordinal), file);
    }

    private static List<(string Layer, IndexRange Indices)> Addresses(string? layer, long? index, string? neurons)
    {
        if (neurons is null)
            return layer is not null && index is { } j ? [(layer, new IndexRange(j, j, j.ToString(CultureInfo.InvariantCulture)))]
                : throw new RequestException("name the neuron: LAYER INDEX, or --neurons LAYER:INDEX,…");
        if (layer is not null) throw new RequestException("give the neurons either as LAYER INDEX or with --neurons, not both");
        var addresses = new List<(string, IndexRange)>();
        foreach (string item in neurons.Split(',', StringSplitOptions.TrimEntries))
        {
            int colon = item.LastIndexOf(':');
            if (colon <= 0) throw new RequestException($"--neurons: '{item}' is not LAYER:INDEX (fc:3) or LAYER:FIRST..LAST (conv1:8..15)");
            addresses.Add((item[..colon], IndexRange.Parse(item[(colon + 1)..])));
        }
        return addresses;
    }
}
