namespace NeuronKit.Tests.Fuzz;

/// <summary>
/// Fuzzing of files read together (a base and its adapter, weights and the config beside them): each round puts every
/// copy back as it was, damages one of them, and runs the work on the set, counting what it answered and what it refused
/// with NeuronKit's own error; anything else, or a hang over 2 s, ends the run as its failure. NEURONKIT_FUZZ_COUNT sets
/// the rounds (a twentieth of it: default 500), NEURONKIT_FUZZ_SEED replays a run.
/// </summary>
internal static class FileSetMutations
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs the rounds over <paramref name="originals"/> (fixture paths), copied under a new folder as
    /// <paramref name="names"/> (relative paths: a file's siblings where its reader looks for them); <paramref name="work"/>
    /// is handed the copies' paths. The folder is deleted afterwards. Stops at the first round that threw anything but
    /// NeuronKit's error, and says how to replay it.
    /// </summary>
    public static async Task<Outcome> Run(string[] originals, string[] names, Action<string[]> work)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"neuronkit-set-{Guid.NewGuid():N}");
        string[] copies = [.. names.Select(name => Path.Combine(folder, name))];
        int count = (int.TryParse(Environment.GetEnvironmentVariable("NEURONKIT_FUZZ_COUNT"), out int n) ? n : 10_000) / 20;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("NEURONKIT_FUZZ_SEED"), out int s) ? s : Random.Shared.Next();
        var random = new Random(seed);
        var bytes = originals.Select(File.ReadAllBytes).ToArray();
        foreach (string copy in copies) Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        int answered = 0, refused = 0;
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
                    thrown = await Task.Run(() => Thrown(work, copies)).WaitAsync(Budget);
                }
                catch (TimeoutException)
                {
                    // Other tests share the two cores: a slow answer is timed once more before it counts as a hang.
                    thrown = await Task.Run(() => Thrown(work, copies)).WaitAsync(Budget * 2);
                }
                switch (thrown)
                {
                    case null: answered++; break;
                    case NeuronKitException: refused++; break;
                    default: return new Outcome(count, answered, refused, $"{replay}: {thrown.GetType().Name}: {thrown.Message}\n{thrown.StackTrace}");
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return new Outcome(count, answered, refused, null);
    }

    /// <summary>How a run went: its rounds, those answered and those refused with NeuronKit's error, and the first failure, if any.</summary>
    public sealed record Outcome(int Rounds, int Answered, int Refused, string? Failure);

    private static Exception? Thrown(Action<string[]> work, string[] copies)
    {
        try
        {
            work(copies);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
