namespace NeuronKit.Tests.Cli;

/// <summary>
/// A command line that does not parse: exit code 2, one <c>error: </c> line naming each problem once, then the
/// command's usage and where its help is, as <c>hint: </c> lines; nothing on stdout, never a stack trace.
/// </summary>
public class CommandLineErrorTests
{
    private static readonly string Linear = Fixtures.Path("pytorch/seed_linear.pt");

    [Theory]
    [InlineData("show/error_no_arguments.txt", "show")]
    [InlineData("show/error_missing_index.txt", "show", "FILE", "0")]
    [InlineData("show/error_unknown_option.txt", "show", "--jsn", "FILE", "0", "1")]
    [InlineData("show/error_index_and_option_values.txt", "show", "FILE", "0", "x", "--kind")]
    [InlineData("layers/error_no_arguments.txt", "layers")]
    [InlineData("layers/error_unexpected_argument.txt", "layers", "FILE", "FILE")]
    [InlineData("tensors/error_no_arguments.txt", "tensors", "--json")]
    [InlineData("stats/error_no_arguments.txt", "stats")]
    [InlineData("stats/error_option_values.txt", "stats", "FILE", "--top", "x", "--outlier-k", "k", "--sort")]
    [InlineData("formats/error_unexpected_argument.txt", "formats", "pytorch")]
    [InlineData("neuron/error_no_command.txt")]
    [InlineData("neuron/error_unknown_command.txt", "bogus")]
    [InlineData("neuron/error_unknown_option.txt", "--bogus")]
    public void A_wrong_command_line_is_one_error_line_then_the_usage(string expectation, params string[] args)
    {
        // Given a command line with FILE standing for a real checkpoint
        var run = CliRun.Of([.. args.Select(a => a == "FILE" ? Linear : a)]);

        // Then it exits 2 and says so on stderr only
        Assert.Equal(2, run.Exit);
        Assert.Equal("", run.Stdout);
        Expectation.Matches(expectation, run.Stderr);
    }

    [Theory]
    [InlineData("layers")]
    [InlineData("show")]
    [InlineData("show", "FILE")]
    [InlineData("stats", "--top")]
    [InlineData("tensors", "FILE", "FILE", "--json", "--bogus")]
    [InlineData("formats", "a", "b")]
    [InlineData("layers", "--verbose", "-x", "FILE")]
    public void Each_problem_is_named_once_in_the_one_error_line(params string[] args)
    {
        var run = CliRun.Of([.. args.Select(a => a == "FILE" ? Linear : a)]);

        // The contract: one error line, then hints, the first of them the command's usage
        var lines = run.Stderr.TrimEnd('\n').Split('\n');
        Assert.Equal(2, run.Exit);
        Assert.StartsWith("error: ", lines[0]);
        Assert.All(lines[1..], line => Assert.StartsWith("hint: ", line));
        Assert.StartsWith($"hint: usage: neuron {args[0]}", lines[1]);
        Assert.Equal($"hint: see 'neuron {args[0]} --help'", lines[^1]);
        // And no problem twice
        var problems = lines[0]["error: ".Length..].Split("; ");
        Assert.Equal(problems.Distinct(), problems);
        Assert.DoesNotContain("Required argument missing", run.Stderr);
    }

    [Theory]
    [InlineData("show", "FILE", "0", "-1")]
    [InlineData("show", "--", "FILE", "0", "-2")]
    public void A_negative_index_is_a_number_not_an_unknown_option(params string[] args)
    {
        var run = CliRun.Of([.. args.Select(a => a == "FILE" ? Linear : a)]);

        Assert.Equal(0, run.Exit);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public void A_word_after_double_dash_is_an_argument_even_if_it_looks_like_an_option()
    {
        var run = CliRun.Of("layers", "--", "--no-such.pt");

        // Then it is looked for as a file (exit 3), not refused as an option (exit 2)
        Assert.Equal(3, run.Exit);
        Assert.StartsWith("error: --no-such.pt does not exist", run.Stderr);
    }

    [Theory]
    [InlineData("file:///tmp/nk/model.pt", "error: file:///tmp/nk/model.pt is a file: URL; NeuronKit reads files by path and http(s):// URLs\nhint: give its path: /tmp/nk/model.pt\n")]
    [InlineData("s3://bucket/model.safetensors", "error: s3://bucket/model.safetensors is a s3: URL; NeuronKit reads files by path and http(s):// URLs\n")]
    public void A_URL_of_another_scheme_than_http_is_a_usage_error_not_a_missing_file(string url, string stderr)
    {
        var run = CliRun.Of("layers", url);

        Assert.Equal(2, run.Exit);
        Assert.Equal(stderr, run.Stderr);
    }
}
