using System.Diagnostics;
using NeuronKit.Diff;

namespace NeuronKit.Tests.Fuzz;

/// <summary>
/// A diff across formats reads more of a file than its tensors: a GGUF's architecture and head counts decide how its
/// names and rows pair with a checkpoint's, and layers are joined across tensors. Damaged copies of either file of a
/// cross-format pair (tests/fixtures/diff/cross) are compared both ways: the diff answers or fails with NeuronKit's own
/// error, never another exception, never a hang over 2 s. NEURONKIT_FUZZ_COUNT sets the mutations per pair (a twentieth
/// of it: default 500), NEURONKIT_FUZZ_SEED replays a run.
/// </summary>
public class DiffMutationFuzzTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData("llama/model.safetensors", "llama_q8_0.gguf")]          // q/k rows permuted by head counts from metadata
    [InlineData("gemma2/model.safetensors", "gemma2_f32.gguf")]         // norms shifted by 1
    [InlineData("moe/gpt_oss.safetensors", "gpt_oss.gguf")]             // MXFP4 pairs; gate_up joined from two layers
    [InlineData("moe/llama4.safetensors", "llama4.gguf")]               // fused experts joined in halves
    [InlineData("moe/deepseek_v3.safetensors", "deepseek2_q8_0.gguf")]  // kv_b_proj joined from per-head halves
    [InlineData("moe/glm4moe.safetensors", "glm4moe_f32.gguf")]         // a router's selection bias, a layer of its own
    [InlineData("meta/consolidated.00.pth", "llama_f32.gguf")]          // Meta's names, head counts from params.json
    [InlineData("llama/model.safetensors", "split/llama_q8_0-00002-of-00003.gguf")]  // llama.cpp's splits, one of them damaged
    public async Task Damaged_pairs_compare_or_fail_with_a_NeuronKit_error(string checkpoint, string gguf)
    {
        int count = (int.TryParse(Environment.GetEnvironmentVariable("NEURONKIT_FUZZ_COUNT"), out int n) ? n : 10_000) / 20;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("NEURONKIT_FUZZ_SEED"), out int s) ? s : Random.Shared.Next();
        var random = new Random(seed);
        string[] originals = [Fixtures.Path("diff/cross/" + checkpoint), Fixtures.Path("diff/cross/" + gguf)];
        var bytes = originals.Select(File.ReadAllBytes).ToArray();
        string dir = Folder(originals);
        int compared = 0, refused = 0;
        try
        {
            for (int i = 0; i < count; i++)
            {
                var (a, b, what) = Damage(originals, bytes, random, dir);
                string replay = $"seed {seed}, mutation {i}: {what}";
                Exception? thrown;
                try
                {
                    thrown = await Task.Run(() => BothWays(a, b)).WaitAsync(Budget);
                }
                catch (TimeoutException)
                {
                    // Other tests share the two cores: a slow answer is timed once more before it counts as a hang.
                    thrown = await Task.Run(() => BothWays(a, b)).WaitAsync(Budget * 2);
                }
                switch (thrown)
                {
                    case null: compared++; break;
                    case NeuronKitException: refused++; break;
                    default: Assert.Fail($"{replay}: {thrown.GetType().Name}: {thrown.Message}\n{thrown.StackTrace}"); break;
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        Assert.Equal(count, compared + refused);
    }

    [Theory]
    [InlineData("llama/model.safetensors", "llama_q8_0.gguf", 2071019582, 5486)]   // a head count that left no rows per head
    [InlineData("moe/gpt_oss.safetensors", "gpt_oss.gguf", 1872912255, 1531)]      // halves of unlike parts joined
    public void Damaged_pairs_the_fuzzing_found_are_refused(string checkpoint, string gguf, int seed, int mutation)
    {
        string[] originals = [Fixtures.Path("diff/cross/" + checkpoint), Fixtures.Path("diff/cross/" + gguf)];
        var bytes = originals.Select(File.ReadAllBytes).ToArray();
        string dir = Folder(originals);
        try
        {
            var random = new Random(seed);
            for (int i = 0; i < mutation; i++) Damage(originals, bytes, random, dir: null);
            var (a, b, what) = Damage(originals, bytes, random, dir);

            var thrown = BothWays(a, b);

            Assert.True(thrown is null or NeuronKitException, $"{what}: {thrown}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // A new folder for the damaged copies, with what each file reads beside it: the checkpoint's config.json (its head
    // counts), a GGUF split's other splits.
    private static string Folder(string[] originals)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"neuronkit-diff-fuzz-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var siblings = Directory.GetFiles(Path.GetDirectoryName(originals[0])!, "*.json");
        if (System.Text.RegularExpressions.Regex.Match(Path.GetFileName(originals[1]), @"^(.+)-\d{5}-of-\d{5}\.gguf$") is { Success: true } split)
            siblings = [.. siblings, .. Directory.GetFiles(Path.GetDirectoryName(originals[1])!, split.Groups[1].Value + "-*-of-*.gguf")];
        foreach (string sibling in siblings) File.Copy(sibling, Path.Combine(dir, Path.GetFileName(sibling)));
        return dir;
    }

    // The next damaged copy of one of the pair (mostly the GGUF: its metadata steers the pairing), written to dir, and the
    // two files to compare; with no dir, the random source only moves on.
    private static (string A, string B, string What) Damage(string[] originals, byte[][] bytes, Random random, string? dir)
    {
        int damaged = random.Next(4) == 0 ? 0 : 1;
        var (mutated, what) = Mutation.Apply(bytes[damaged], random);
        if (dir is null) return ("", "", what);
        string path = Path.Combine(dir, Path.GetFileName(originals[damaged]));
        File.WriteAllBytes(path, mutated);
        return damaged == 0 ? (path, originals[1], $"{Path.GetFileName(path)} with {what}") : (originals[0], path, $"{Path.GetFileName(path)} with {what}");
    }

    // The whole-model diff both ways; what it threw, if anything.
    private static Exception? BothWays(string a, string b)
    {
        try
        {
            using var modelA = Model.Open(a);
            using var modelB = Model.Open(b);
            _ = ModelDiff.Compute(modelA, modelB);
            _ = ModelDiff.Compute(modelB, modelA);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
