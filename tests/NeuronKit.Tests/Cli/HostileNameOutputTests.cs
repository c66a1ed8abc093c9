using System.Text;
using NeuronKit.Cli.Output;
using NeuronKit.Tests.Edits;

namespace NeuronKit.Tests.Cli;

/// <summary>
/// A file's names are its author's: printed, their control characters (an escape sequence that recolours the terminal, a
/// newline that would start a forged <c>error:</c> line, a NUL) show as visible escapes, and an error stays one line.
/// </summary>
public class HostileNameOutputTests
{
    private const string Escape = "fc\u001b[31mRED\u001b[0m.weight", Forged = "evil\nerror: fake line.weight";

    [Theory]
    [InlineData("plain text, ünïcode ✓\tand a tab\n", "plain text, ünïcode ✓\tand a tab\n")]
    [InlineData("a\u001b[2Jb", "a\\x1b[2Jb")]             // an escape sequence: clear the screen
    [InlineData("over\rwrite", "over\\x0dwrite")]          // a carriage return that overwrites the line
    [InlineData("nul\0bell\u0007", "nul\\x00bell\\x07")]
    [InlineData("c1\u009bdel\u007f", "c1\\x9bdel\\x7f")]   // the 8-bit CSI, DEL
    [InlineData("abc\u202edcba", "abc\\u202edcba")]        // a right-to-left override, which reorders what follows
    public void Control_characters_are_written_as_visible_escapes(string text, string shown)
    {
        var inner = new StringWriter();
        var writer = new PrintableWriter(inner, terminal: true);

        writer.Write(text);
        foreach (char c in text) writer.Write(c);
        writer.Write(text.ToCharArray(), 0, text.Length);

        Assert.Equal(shown + shown + shown, inner.ToString());
        Assert.Same(inner, PrintableWriter.Raw(writer));
    }

    [Fact]
    public void An_error_naming_a_layer_with_a_newline_stays_one_line()
    {
        using var folder = new TempFolder();
        string file = Write(folder);

        var run = CliRun.Of("show", file, "nope", "0");

        Assert.Equal(2, run.Exit);
        var lines = run.Stderr.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("error: no layer 'nope'", lines[0]);
        Assert.Contains("'evil\\nerror: fake line'", lines[1]);
    }

    [Fact]
    public void A_table_cell_holding_a_newline_stays_one_line()
    {
        using var folder = new TempFolder();
        string file = Write(folder);

        var run = CliRun.Of("stats", file);

        Assert.Equal(0, run.Exit);
        Assert.DoesNotContain(run.Stdout.Split('\n'), line => line.StartsWith("error: fake line", StringComparison.Ordinal));
        Assert.Contains("evil\\nerror: fake line", run.Stdout);
    }

    [Theory]
    [InlineData("layers", "{0}")]
    [InlineData("tensors", "{0}")]
    [InlineData("stats", "{0}")]
    [InlineData("diff", "{0}", "{0}")]
    [InlineData("diff", "{0}", "{0}", "evil\nerror: fake line", "0")]
    [InlineData("show", "{0}", "evil\nerror: fake line", "0")]
    [InlineData("show", "{0}", "evil\nerror: fake line", "0", "-o", "{1}")]
    [InlineData("edit", "{0}", "evil\nerror: fake line", "0", "--zero", "--dry-run")]
    [InlineData("prune", "{0}", "evil\nerror: fake line", "0", "--dry-run")]
    [InlineData("stats", "{0}", "--similar", "0.5")]
    public void No_command_prints_a_line_of_the_file_s_making(params string[] arguments)
    {
        // Given a file whose layer's name holds a newline and a forged error line
        using var folder = new TempFolder();
        string file = Write(folder), arrays = Path.Combine(folder.Path, "neuron.npz");

        // When a command prints it as text
        var run = CliRun.Of([.. arguments.Select(a => a.Replace("{0}", file).Replace("{1}", arrays))]);

        // Then the name shows its newline as an escape, on the line that names it
        Assert.True(run.Exit is 0 or 2, run.Stderr);
        Assert.DoesNotContain((run.Stdout + run.Stderr).Split('\n'), line => line.StartsWith("error: fake line", StringComparison.Ordinal));
        Assert.Contains("evil\\nerror: fake line", run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task The_tool_s_messages_show_a_name_s_escape_sequence_as_text()
    {
        // Given a file naming a tensor with an escape sequence, and the built tool as a process
        using var folder = new TempFolder();
        string file = Write(folder);

        // When it fails naming the file's layers
        var (exit, _, stderr) = await CliProcess.Run(["show", file, "nope", "0"]);

        // Then the message shows the escape as text, and no raw control character reaches stderr
        Assert.Equal(2, exit);
        Assert.Contains("'fc\\x1b[31mRED\\x1b[0m'", stderr);
        Assert.DoesNotContain(stderr, c => char.IsControl(c) && c != '\n');
    }

    // A safetensors file of two float32 [2, 3] tensors with hostile names.
    private static string Write(TempFolder folder)
    {
        string path = Path.Combine(folder.Path, "hostile.safetensors");
        string header = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            [Escape] = new { dtype = "F32", shape = new[] { 2, 3 }, data_offsets = new[] { 0, 24 } },
            [Forged] = new { dtype = "F32", shape = new[] { 2, 3 }, data_offsets = new[] { 24, 48 } },
        });
        header += new string(' ', (8 - header.Length % 8) % 8);
        using var file = File.Create(path);
        file.Write(BitConverter.GetBytes((long)Encoding.UTF8.GetByteCount(header)));
        file.Write(Encoding.UTF8.GetBytes(header));
        file.Write(new byte[48]);
        return path;
    }
}
