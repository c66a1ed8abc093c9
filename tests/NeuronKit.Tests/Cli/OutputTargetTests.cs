using System.Diagnostics;
using NeuronKit.Tests.Edits;

namespace NeuronKit.Tests.Cli;

/// <summary>
/// Where a command writes a file (-o of render, show, tensors, edit, prune; track's --csv and --parquet): a finished file
/// renamed into place, so a device, a named pipe or a socket named as the output is refused, never replaced; a symbolic
/// link leads to the file that is written; an empty name is a usage error; a long name still fits its temporary file.
/// </summary>
public class OutputTargetTests
{
    // Each command with the output's extension it wants.
    public static TheoryData<string, string[]> Writers() => new()
    {
        { ".png", ["render", Fixtures.Path("pytorch/seed_conv.pt"), "conv1", "-o", "{0}"] },
        { ".npz", ["show", Fixtures.Path("pytorch/seed_conv.pt"), "conv1", "0", "-o", "{0}"] },
        { ".npz", ["tensors", Fixtures.Path("pytorch/seed_conv.pt"), "-o", "{0}"] },
        { ".pt", ["edit", Fixtures.Path("pytorch/seed_conv.pt"), "conv1", "0", "--zero", "-o", "{0}"] },
        { ".pt", ["prune", Fixtures.Path("pytorch/seed_linear.pt"), "0", "1", "-o", "{0}"] },
        { ".csv", ["track", Fixtures.Path("pytorch/seed_linear.pt"), "--csv", "{0}"] },
        { ".parquet", ["track", Fixtures.Path("pytorch/seed_linear.pt"), "--parquet", "{0}"] },
    };

    [Theory]
    [MemberData(nameof(Writers))]
    public void A_named_pipe_given_as_the_output_is_refused_and_left_a_pipe(string extension, string[] command)
    {
        // Given a named pipe where the output should go (a device such as /dev/null is refused alike)
        using var folder = new TempFolder();
        string pipe = Path.Combine(folder.Path, "out" + extension);
        using (var mkfifo = Process.Start("mkfifo", [pipe])) mkfifo.WaitForExit();

        // When a command is told to write there
        var run = CliRun.Of([.. command.Select(a => a.Replace("{0}", pipe))]);

        // Then it refuses, and the pipe is still a pipe, with nothing beside it
        Assert.Equal(2, run.Exit);
        Assert.Contains("is not a regular file but a device, a named pipe or a socket", run.Stderr);
        Assert.True(NeuronKit.FileKind.IsSpecial(pipe));
        Assert.Equal([pipe], Directory.GetFileSystemEntries(folder.Path));
    }

    [Theory]
    [MemberData(nameof(Writers))]
    public void A_symbolic_link_given_as_the_output_stays_a_link_to_the_written_file(string extension, string[] command)
    {
        // Given a link to a file that is not there yet
        using var folder = new TempFolder();
        string target = Path.Combine(folder.Path, "target" + extension), link = Path.Combine(folder.Path, "link" + extension);
        File.CreateSymbolicLink(link, target);

        // When a command writes to the link
        var run = CliRun.Of([.. command.Select(a => a.Replace("{0}", link))]);

        // Then the file is written where the link leads, and the link is still a link
        Assert.True(run.Exit == 0, run.Stderr);
        Assert.True(new FileInfo(target).Length > 0);
        Assert.Equal(target, new FileInfo(link).LinkTarget);
    }

    [Theory]
    [MemberData(nameof(Writers))]
    public void An_empty_output_name_is_a_usage_error(string extension, string[] command)
    {
        _ = extension; // the name is empty, whatever it would end in
        var run = CliRun.Of([.. command.Select(a => a.Replace("{0}", ""))]);

        Assert.Equal(2, run.Exit);
        Assert.Equal("error: the output file's name is empty\nhint: name the file to write\n", run.Stderr);
    }

    [Fact]
    public void A_name_of_240_bytes_is_written_though_its_temporary_name_must_be_shortened()
    {
        // Given an output name near the 255-byte limit of a name, with a four-byte character at the cut
        using var folder = new TempFolder();
        string name = new string('b', 200) + "𝔁" + new string('c', 30) + ".png";
        string output = Path.Combine(folder.Path, name);

        // When a picture is written there
        var run = CliRun.Of("render", Fixtures.Path("pytorch/seed_conv.pt"), "conv1", "-o", output);

        // Then it is written, and no temporary file is left
        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Equal([output], Directory.GetFileSystemEntries(folder.Path));
    }
}
