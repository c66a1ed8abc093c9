using NeuronKit.Cli.Output;
using Spectre.Console;

namespace NeuronKit.Tests.Cli;

/// <summary>The plain table stats prints lays out exactly as the Spectre.Console table it replaced, less the blanks at line ends.</summary>
public class PlainTableTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(12, 3)]
    [InlineData(40, 4)]
    public void It_prints_what_a_Spectre_table_with_the_simple_border_prints(int rows, int seed)
    {
        // Given columns of both alignments and cells of random widths, some wider than their header, some empty
        var random = new Random(seed);
        (string Header, bool Right)[] columns = [("neuron", true), ("L1", true), ("bias per gate", false), ("flags", false)];
        var cells = Enumerable.Range(0, rows)
            .Select(_ => columns.Select(_ => new string('x', random.Next(0, 16)).Replace("xx", "7.")).ToArray()).ToList();

        // When Spectre draws them and the plain table writes them
        var spectre = new StringWriter();
        var console = ConsoleFactory.Create(spectre);
        var table = new Table().Border(TableBorder.Simple);
        foreach (var (header, right) in columns)
            table.AddColumn(right ? new TableColumn(header).RightAligned() : new TableColumn(header));
        foreach (var row in cells) table.AddRow([.. row.Select(Markup.Escape)]);
        console.Write(table);
        var plain = new StringWriter();
        var mine = new PlainTable();
        foreach (var (header, right) in columns) mine.Column(header, right);
        foreach (var row in cells) mine.Row(row);
        mine.Write(plain);

        // Then the text is the same, line for line, and no line ends in a blank
        Assert.Equal(spectre.ToString().ReplaceLineEndings("\n"), plain.ToString());
        Assert.DoesNotContain(plain.ToString().Split('\n'), line => line.EndsWith(' '));
    }
}
