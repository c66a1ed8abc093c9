using NeuronKit.Adapters;
using NeuronKit.Diff;

namespace NeuronKit.Tests.Fuzz;

/// <summary>
/// A LoRA adapter is merged from files that each may lie: the base's shapes, the adapter's factors and names, and its
/// config's rank, alpha and patterns (regular expressions; a GGUF adapter's alpha). Damaged copies of one of them (tests/fixtures/diff/lora)
/// are merged and compared with the base: the diff answers or fails with NeuronKit's own error, never another exception,
/// never a hang over 2 s. NEURONKIT_FUZZ_COUNT sets the mutations per adapter (a twentieth of it: default 500),
/// NEURONKIT_FUZZ_SEED replays a run.
/// </summary>
public class LoraMutationFuzzTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData("base.safetensors", "adapter/adapter_model.safetensors", "adapter/adapter_config.json")]  // Linear, Conv2d, Embedding, a module saved whole; rank and alpha patterns
    [InlineData("base.safetensors", "conv1d/adapter_model.safetensors", "conv1d/adapter_config.json")]    // fan_in_fan_out, rsLoRA
    [InlineData("base.gguf", "adapter.gguf")]                                                              // llama.cpp's adapter over a Q8_0 base
    public async Task Damaged_adapters_and_bases_merge_or_fail_with_a_NeuronKit_error(string @base, string adapter, string? config = null)
    {
        int count = (int.TryParse(Environment.GetEnvironmentVariable("NEURONKIT_FUZZ_COUNT"), out int n) ? n : 10_000) / 20;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("NEURONKIT_FUZZ_SEED"), out int s) ? s : Random.Shared.Next();
        var random = new Random(seed);
        string[] files = [@base, adapter, .. config is null ? Array.Empty<string>() : [config]];
        var bytes = files.Select(f => File.ReadAllBytes(Fixtures.Path("diff/lora/" + f))).ToArray();
        string dir = Path.Combine(Path.GetTempPath(), $"neuronkit-lora-fuzz-{Guid.NewGuid():N}");
        // The adapter's folder as PEFT saves it (its config beside it), under the names the fixtures have.
        string[] copies = [.. files.Select(f => Path.Combine(dir, f.Replace("conv1d/", "adapter/")))];
        foreach (string copy in copies) Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        int merged = 0, refused = 0;
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
                    thrown = await Task.Run(() => Merge(copies[0], copies[1])).WaitAsync(Budget);
                }
                catch (TimeoutException)
                {
                    // Other tests share the two cores: a slow answer is timed once more before it counts as a hang.
                    thrown = await Task.Run(() => Merge(copies[0], copies[1])).WaitAsync(Budget * 2);
                }
                switch (thrown)
                {
                    case null: merged++; break;
                    case NeuronKitException: refused++; break;
                    default: Assert.Fail($"{replay}: {thrown.GetType().Name}: {thrown.Message}\n{thrown.StackTrace}"); break;
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        Assert.Equal(count, merged + refused);
        Assert.True(merged > 0, "no damaged copy merged at all: the mutations never left a readable set");
    }

    // The base and the adapter merged over it, compared; what it threw, if anything.
    private static Exception? Merge(string @base, string adapter)
    {
        try
        {
            using var baseModel = Model.Open(@base);
            using var lora = LoraAdapter.Open(adapter);
            using var tuned = lora.Over(baseModel);
            _ = ModelDiff.Compute(baseModel, tuned);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
