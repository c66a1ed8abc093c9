using NeuronKit.Tests.Edits;

namespace NeuronKit.Tests.Cli;

/// <summary>
/// A command that writes a file of its own (show -o, tensors -o, render -o, track) refuses to write it over the model it
/// reads, by its name or through a symbolic link, and leaves the model as it was.
/// </summary>
public class OutputOverInputTests
{
    public static TheoryData<string, string[]> Commands() => new()
    {
        { "model.npz", ["show", "{model}", "0.weight", "0", "-o", "{out}"] },
        { "model.npz", ["tensors", "{model}", "-o", "{out}"] },
        { "model.pt", ["render", "{model}", "0", "-o", "{out}"] },
        { "model.pt", ["track", "{model}", "--csv", "{out}"] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Writing_over_the_model_read_is_refused(string name, string[] command)
    {
        // Given a model, and a link to it
        using var folder = new TempFolder();
        string model = Path.Combine(folder.Path, name), link = Path.Combine(folder.Path, "link" + Path.GetExtension(name));
        if (name.EndsWith(".npz", StringComparison.Ordinal))
            Assert.Equal(0, CliRun.Of("tensors", Fixtures.PyTorch("seed_linear.pt"), "-o", model).Exit);
        else
            File.Copy(Fixtures.PyTorch("seed_linear.pt"), model);
        File.CreateSymbolicLink(link, model);
        var before = File.ReadAllBytes(model);

        // When the command is asked to write over it, by its own name and by the link's
        var direct = CliRun.Of([.. command.Select(a => a == "{model}" || a == "{out}" ? model : a)]);
        var linked = CliRun.Of([.. command.Select(a => a == "{model}" ? link : a == "{out}" ? model : a)]);

        // Then both are refused, saying why, and the model is untouched
        Assert.Equal(2, direct.Exit);
        Assert.Equal($"error: {model} is the file being read: writing there would replace it\nhint: name another output file\n", direct.Stderr);
        Assert.Equal(2, linked.Exit);
        Assert.StartsWith($"error: {model} is the file being read (link", linked.Stderr);
        Assert.Equal(before, File.ReadAllBytes(model));
    }
}
