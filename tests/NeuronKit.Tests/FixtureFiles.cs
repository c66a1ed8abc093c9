namespace NeuronKit.Tests;

/// <summary>Finds committed fixtures from the repository root, wherever the tests run from; nothing is copied to bin.</summary>
internal static class FixtureFiles
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "NeuronKit.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"no NeuronKit.slnx above {AppContext.BaseDirectory}");
    });

    /// <summary>The path of <c>tests/fixtures/&lt;relative&gt;</c>.</summary>
    public static string Path(string relative) => System.IO.Path.Combine(Root.Value, "tests", "fixtures", relative);

    /// <summary>The path of a PyTorch fixture, e.g. <c>seed_linear.pt</c>.</summary>
    public static string PyTorch(string name) => Path(System.IO.Path.Combine("pytorch", name));
}
