using System.Diagnostics;
using Xunit.Abstractions;

namespace NeuronKit.Tests.Fuzz;

/// <summary>
/// Every reader, fed damaged copies of the valid fixtures, either answers or fails with NeuronKit's own error:
/// never another exception, never a hang over 2 s, never more than 256 MiB allocated. NEURONKIT_FUZZ_COUNT sets mutations per format (default 10,000; a
/// million for a long run), NEURONKIT_FUZZ_SEED replays a run, NEURONKIT_FUZZ_SUMMARY names a file the counts are
/// appended to.
/// </summary>
public class MutationFuzzTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);
    private static readonly Lock SummaryLock = new();

    // No file under 64 KiB may make a reader allocate more than this: sizes are checked before allocation.
    private const long AllocationCap = 256L << 20;

    // Each fixture folder, and the quantized layouts saved with torch.save (their views read through their strides).
    public static TheoryData<string> Formats() =>
        [.. Directory.GetDirectories(Fixtures.Path("")).Select(d => Path.GetFileName(d)).Append("diff/torch_save").Where(d => SeedFiles(d).Count > 0)];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Damaged_files_open_or_fail_with_a_NeuronKit_error(string format)
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("NEURONKIT_FUZZ_COUNT"), out int n) ? n : 10_000;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("NEURONKIT_FUZZ_SEED"), out int s) ? s : Random.Shared.Next();
        var random = new Random(seed);
        var seeds = SeedFiles(format);
        string dir = Path.Combine(Path.GetTempPath(), $"neuronkit-fuzz-{format.Replace('/', '-')}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        int opened = 0, refused = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            for (int i = 0; i < count; i++)
            {
                var (name, original) = seeds[random.Next(seeds.Count)];
                var (bytes, what) = Mutation.Apply(original, random);
                // Keep the file name: some formats find siblings (shards, external data) by it.
                string path = Path.Combine(dir, name);
                File.WriteAllBytes(path, bytes);
                string replay = $"seed {seed}, mutation {i}: {name} with {what}";
                (Exception? Thrown, long Allocated) outcome;
                try
                {
                    outcome = await Task.Run(() => Measured(path)).WaitAsync(Budget);
                }
                catch (TimeoutException)
                {
                    // Other tests share the two cores: a slow answer is timed once more before it counts as a hang.
                    try
                    {
                        outcome = await Task.Run(() => Measured(path)).WaitAsync(Budget);
                    }
                    catch (TimeoutException)
                    {
                        Assert.Fail($"{replay}: no answer within {Budget.TotalSeconds} s, twice");
                        throw;
                    }
                }
                Assert.True(outcome.Allocated < AllocationCap, $"{replay}: allocated {outcome.Allocated:N0} bytes");
                switch (outcome.Thrown)
                {
                    case null: opened++; break;
                    case NeuronKitException: refused++; break;
                    case var other: Assert.Fail($"{replay}: {other.GetType().Name}: {other.Message}\n{other.StackTrace}");
                        break;
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        string summary = $"{format}: {count:N0} mutations (seed {seed}) in {clock.Elapsed.TotalSeconds:F1} s: " +
            $"{opened:N0} opened and answered, {refused:N0} refused with a NeuronKit error";
        output.WriteLine(summary);
        // CI prints these lines after the run (the test logger shows test output only at detailed verbosity).
        if (Environment.GetEnvironmentVariable("NEURONKIT_FUZZ_SUMMARY") is { Length: > 0 } summaryFile)
            lock (SummaryLock) File.AppendAllLines(summaryFile, [summary]);
        Assert.Equal(count, opened + refused);
    }

    [Theory]
    [InlineData("pytorch/complex.pt")]
    [InlineData("pytorch/complex_legacy.pt")]
    [InlineData("safetensors/complex.safetensors")]
    [InlineData("numpy/complex.npy")]
    [InlineData("numpy/complex128.npy")]
    [InlineData("onnx/complex.onnx")]
    [InlineData("torchsharp/complex.dat")]
    public void Complex_fixtures_are_read_whole_so_that_they_seed_the_mutations(string fixture) =>
        Assert.Null(Exercise(Fixtures.Path(fixture)));

    /// <summary><see cref="Exercise"/>, with the bytes it allocated on its thread (other tests allocate on theirs).</summary>
    private static (Exception? Thrown, long Allocated) Measured(string path)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var thrown = Exercise(path);
        return (thrown, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Opens the file and reads the first and last neuron of every layer; returns what it threw, if anything.</summary>
    internal static Exception? Exercise(string path)
    {
        try
        {
            using var model = Model.Open(path);
            // The layer graph parses the file's graph too (ONNX nodes, module classes): as hostile as the tensors.
            foreach (var layer in model.Layers.Take(64)) _ = model.Graph.ConsumersOf(layer);
            foreach (var layer in model.Layers.Take(64))
            {
                if (layer.NeuronCount == 0) continue;
                foreach (long j in new[] { 0L, -1L })
                    foreach (var part in layer.Neuron(j).Parts)
                        if (part.View.ElementCount > 1 << 20) continue;
                        else if (NeuronKit.Tensors.DTypes.IsComplex(part.DType)) part.ToComplex();
                        else
                        {
                            part.ToDoubles();
                            // show --raw's stored integers, read from the same hostile bytes
                            if (part.HasStoredIntegers) part.ToQuantized();
                        }
            }
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    /// <summary>The fixtures of a format folder that open cleanly: the valid files mutations start from.</summary>
    internal static List<(string Name, byte[] Bytes)> SeedFiles(string format) =>
        [.. Directory.GetFiles(Fixtures.Path(format))
            .Where(f => new FileInfo(f).Length is > 0 and < 64 * 1024 && Exercise(f) is null)
            .Select(f => (Path.GetFileName(f), File.ReadAllBytes(f)))];
}
