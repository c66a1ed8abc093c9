using static TorchSharp.torch;

namespace NeuronKit.TorchSharp.Tests;

/// <summary>A file in the temp folder, deleted on dispose.</summary>
internal sealed class TempFile : IDisposable
{
    private TempFile(string path) => Path = path;

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>A new file holding <paramref name="module"/> as TorchSharp's own <c>module.save</c> writes it.</summary>
    public static TempFile Saved(nn.Module module)
    {
        var file = new TempFile(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"neuronkit-{Guid.NewGuid():N}.dat"));
        module.save(file.Path);
        return file;
    }

    /// <inheritdoc/>
    public void Dispose() => File.Delete(Path);
}
