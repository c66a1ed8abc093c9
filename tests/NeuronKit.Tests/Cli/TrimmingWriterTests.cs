using NeuronKit.Cli.Output;

namespace NeuronKit.Tests.Cli;

/// <summary>The writer under Spectre's tables drops the blanks at the end of each line and nothing else.</summary>
public class TrimmingWriterTests
{
    [Theory]
    [InlineData("a b  \n", "a b\n")]
    [InlineData("   \n  \n", "\n\n")]
    [InlineData("cell  \r\nnext  ", "cell\r\nnext")]
    [InlineData("  indented  text  \n", "  indented  text\n")]
    public void Blanks_at_the_end_of_a_line_are_dropped(string written, string passed)
    {
        var inner = new StringWriter();

        new TrimmingWriter(inner).Write(written);

        Assert.Equal(passed, inner.ToString());
    }

    [Fact]
    public void Blanks_held_back_across_writes_are_passed_on_when_text_follows_them()
    {
        // Given a line written in pieces, blanks at the end of one piece and text at the start of the next
        var inner = new StringWriter();
        var writer = new TrimmingWriter(inner);

        writer.Write("name  ");
        writer.Flush();
        string held = inner.ToString();
        writer.Write('x');
        writer.Write("   ".ToCharArray(), 0, 3);
        writer.WriteLine();

        // Then the blanks before x arrive with it, and the ones before the line end never do
        Assert.Equal("name", held);
        Assert.Equal("name  x" + Environment.NewLine, inner.ToString());
    }
}
