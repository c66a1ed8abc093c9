namespace NeuronKit.Tests;

/// <summary>Finds committed fixtures from the test binaries: the repo root is the folder holding NeuronKit.slnx.</summary>
internal static class Fixtures
{
    public static readonly string Root = FindRoot();

    /// <summary>The path of <paramref name="relative"/> under tests/fixtures.</summary>
    public static string Path(string relative) => System.IO.Path.Combine(Root, "tests", "fixtures", relative);

    /// <summary>The path of a PyTorch fixture, e.g. <c>seed_linear.pt</c>.</summary>
    public static string PyTorch(string name) => Path(System.IO.Path.Combine("pytorch", name));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "NeuronKit.slnx")))
                return dir.FullName;
        throw new InvalidOperationException($"no NeuronKit.slnx above {AppContext.BaseDirectory}");
    }
}
