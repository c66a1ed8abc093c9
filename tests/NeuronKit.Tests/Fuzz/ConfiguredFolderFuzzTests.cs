using NeuronKit.Stats;

namespace NeuronKit.Tests.Fuzz;

/// <summary>
/// Some weights are decoded by what a config.json beside them says (MLX's bits and group size, GPTQ's zero-point
/// format): damaged copies of the weights or of the config, in their folder, are opened and every neuron measured. The
/// answer is NeuronKit's statistics or NeuronKit's error, never another exception, never a hang over 2 s.
/// NEURONKIT_FUZZ_COUNT sets the mutations per folder (a twentieth of it: default 500), NEURONKIT_FUZZ_SEED replays a run.
/// </summary>
public class ConfiguredFolderFuzzTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData("diff/mlx/q3")]      // 3-bit words across byte boundaries
    [InlineData("diff/mlx/mixed")]   // a module's own bits in the config
    [InlineData("diff/gptq_v2")]     // zero points as the quantize_config.json says
    public async Task Damaged_weights_or_configs_are_measured_or_refused_with_a_NeuronKit_error(string fixture)
    {
        int count = (int.TryParse(Environment.GetEnvironmentVariable("NEURONKIT_FUZZ_COUNT"), out int n) ? n : 10_000) / 20;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("NEURONKIT_FUZZ_SEED"), out int s) ? s : Random.Shared.Next();
        var random = new Random(seed);
        var files = Directory.GetFiles(Fixtures.Path(fixture)).Order(StringComparer.Ordinal).ToArray();
        var bytes = files.Select(File.ReadAllBytes).ToArray();
        string dir = Path.Combine(Path.GetTempPath(), $"neuronkit-config-fuzz-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        string[] copies = [.. files.Select(f => Path.Combine(dir, Path.GetFileName(f)))];
        int measured = 0, refused = 0;
        try
        {
            for (int i = 0; i < count; i++)
            {
                for (int f = 0; f < copies.Length; f++) File.WriteAllBytes(copies[f], bytes[f]);
                int damaged = random.Next(copies.Length);
                var (mutated, what) = Mutation.Apply(bytes[damaged], random);
                File.WriteAllBytes(copies[damaged], mutated);
                string replay = $"seed {seed}, mutation {i}: {Path.GetFileName(copies[damaged])} with {what}";
                Exception? thrown;
                try
                {
                    thrown = await Task.Run(() => Measure(dir)).WaitAsync(Budget);
                }
                catch (TimeoutException)
                {
                    // Other tests share the two cores: a slow answer is timed once more before it counts as a hang.
                    thrown = await Task.Run(() => Measure(dir)).WaitAsync(Budget * 2);
                }
                switch (thrown)
                {
                    case null: measured++; break;
                    case NeuronKitException: refused++; break;
                    default: Assert.Fail($"{replay}: {thrown.GetType().Name}: {thrown.Message}\n{thrown.StackTrace}"); break;
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        Assert.Equal(count, measured + refused);
        Assert.True(measured > 0, "no damaged copy was measured at all");
    }

    // The folder's model opened and every neuron measured; what it threw, if anything.
    private static Exception? Measure(string folder)
    {
        try
        {
            using var model = Model.Open(folder);
            _ = ModelStats.Compute(model);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
