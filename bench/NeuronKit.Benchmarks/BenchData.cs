namespace NeuronKit.Benchmarks;

/// <summary>Where bench/run.sh writes its checkpoints: bench/data above the running benchmark.</summary>
internal static class BenchData
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NeuronKit.slnx")))
                return Path.Combine(dir.FullName, "bench", "data");
        return Path.Combine(Directory.GetCurrentDirectory(), "bench", "data");
    }
}
