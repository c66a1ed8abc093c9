using NeuronKit.Edits;
using NeuronKit.Layers;

namespace NeuronKit.Tests.Fuzz;

/// <summary>
/// The writers, fed what the readers accept of damaged fixtures: every edit and prune of such a file is written and
/// checked, or refused with NeuronKit's own error; never another exception, and never a file left half written.
/// NEURONKIT_WRITER_FUZZ_COUNT sets mutations per format (default 300), NEURONKIT_FUZZ_SEED replays a run; an input that
/// fails is copied to the temp folder as writer-fuzz-SEED-MUTATION-NAME, for tests/fixtures/fuzz-regressions.
/// </summary>
public class WriterFuzzTests
{
    public static TheoryData<string> Formats() => MutationFuzzTests.Formats();

    [Theory]
    [MemberData(nameof(Formats))]
    public void Damaged_files_are_edited_and_pruned_or_refused_with_a_NeuronKit_error(string format)
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("NEURONKIT_WRITER_FUZZ_COUNT"), out int n) ? n : 300;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("NEURONKIT_FUZZ_SEED"), out int s) ? s : Random.Shared.Next();
        var random = new Random(seed);
        var seeds = MutationFuzzTests.SeedFiles(format);
        string dir = Directory.CreateTempSubdirectory($"neuronkit-writer-fuzz-{format.Replace('/', '-')}-").FullName;
        try
        {
            for (int i = 0; i < count; i++)
            {
                var (name, original) = seeds[random.Next(seeds.Count)];
                var (bytes, what) = Mutation.Apply(original, random);
                string path = Path.Combine(dir, name);
                File.WriteAllBytes(path, bytes);
                var thrown = Write(path, Path.Combine(dir, "out-" + name));
                if (thrown is not (null or NeuronKitException)) File.Copy(path, Path.Combine(Path.GetTempPath(), $"writer-fuzz-{seed}-{i}-{name}"), true);
                Assert.True(thrown is null or NeuronKitException, $"seed {seed}, mutation {i}: {name} with {what}: {thrown?.ToString()}");
                Assert.DoesNotContain(Directory.GetFileSystemEntries(dir), f => f.EndsWith(".neuronkit-tmp") || f.EndsWith(".neuronkit-undo"));
                foreach (string file in Directory.GetFiles(dir)) File.Delete(file);   // the prune's side files too
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // Zero and prune neuron 0 of the first layer that has neurons, to a new file; what the file cannot take is refused.
    private static Exception? Write(string path, string output)
    {
        try
        {
            Layer? layer;
            using (var model = Model.Open(path))
            {
                layer = model.Layers.FirstOrDefault(l => l.NeuronCount > 1);
                if (layer is null) return null;
                var neuron = layer.Neuron(0);
                ModelEdit.Plan(model, [(neuron, ModelEdit.Select(neuron, part: null, outgoing: false))], new EditAction.Scale(0.5)).WriteTo(output);
            }
            using (var model = Model.Open(path))
            {
                var target = model.Layer(layer.Name);
                ModelPrune prune;
                try
                {
                    prune = ModelPrune.Plan(model, [(target, [0])]);
                }
                catch (RequestException)
                {
                    // A file that names no consumer (Flax's Conv_0, BatchNorm_0, Dense_0) still prunes its writer: the
                    // layers after it in the file as consumers, up to the first that reads through weights.
                    var after = model.Layers.SkipWhile(l => l != target).Skip(1).ToList();
                    int reader = after.FindIndex(l => !l.Implementation.PassesChannels);
                    if (reader < 0) return null;
                    prune = ModelPrune.Plan(model, [(target, [0])], [.. after.Take(reader + 1).Select(l => l.Name)]);
                }
                prune.WriteTo(output);
            }
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
