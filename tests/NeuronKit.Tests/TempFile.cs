namespace NeuronKit.Tests;

/// <summary>A file a test writes and deletes again; its name is the one error messages will show.</summary>
internal sealed class TempFile : IDisposable
{
    private readonly string _directory;

    public TempFile(string name, byte[] bytes)
    {
        _directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "neuronkit-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        Path = System.IO.Path.Combine(_directory, name);
        File.WriteAllBytes(Path, bytes);
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
