namespace NeuronKit.Tests.Cli;

/// <summary>
/// Pins CLI output to a file under Cli/Expectations/, as Spectre's Verify snapshots do. A missing or different file
/// fails the test; with NEURONKIT_ACCEPT=1 the actual output is written as the new expectation instead.
/// </summary>
internal static class Expectation
{
    public static void Matches(string name, string actual)
    {
        string path = Path.Combine(Fixtures.Root, "tests", "NeuronKit.Tests", "Cli", "Expectations", name);
        // Paths inside the output depend on where the repo is cloned; expectations hold them relative to it.
        actual = actual.Replace(Fixtures.Root + Path.DirectorySeparatorChar, "");
        if (Environment.GetEnvironmentVariable("NEURONKIT_ACCEPT") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
        }
        Assert.True(File.Exists(path), $"no expectation {name}; run the tests with NEURONKIT_ACCEPT=1 to write it, then review it");
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
