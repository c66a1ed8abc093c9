namespace NeuronKit.TorchSharp.Tests;

/// <summary>The repository's folders, found from the test's build output.</summary>
internal static class Repository
{
    /// <summary>The folder holding NeuronKit.slnx.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>samples/.</summary>
    public static string Samples => Path.Combine(Root, "samples");

    /// <summary>tests/fixtures/.</summary>
    public static string Fixtures => Path.Combine(Root, "tests", "fixtures");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NeuronKit.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no NeuronKit.slnx above {AppContext.BaseDirectory}");
    }
}
