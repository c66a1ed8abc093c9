using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace NeuronKit.Cli.Commands;

/// <summary>
/// What is wrong with a command line that did not parse, one phrase per problem in the words of neuron's other errors.
/// System.CommandLine reports each missing argument as "Required argument missing for command: 'show'.", the same
/// sentence once per argument, without naming it.
/// </summary>
internal static class CommandLineErrors
{
    private static readonly Dictionary<Type, string> Expected = new()
    {
        [typeof(int)] = "an integer",
        [typeof(long)] = "an integer",
        [typeof(double)] = "a number",
        [typeof(bool)] = "true or false",
    };

    /// <summary>The distinct problems of <paramref name="parse"/>, which has errors.</summary>
    public static IReadOnlyList<string> Of(ParseResult parse)
    {
        // An unknown option taken for an argument shifts every argument after it: their errors would only mislead.
        var unknown = OptionLike(parse).Select(t => $"unknown option '{t}'").Distinct().ToList();
        if (unknown.Count > 0) return unknown;
        var problems = new List<string>();
        var missing = new List<string>();
        foreach (var error in parse.Errors)
        {
            switch (error.SymbolResult)
            {
                case ArgumentResult { Tokens.Count: 0 } argument:
                    missing.Add(argument.Argument.Name);
                    break;
                case ArgumentResult argument:
                    problems.Add(NotA(argument.Argument.Name, argument.Tokens[0].Value, argument.Argument.ValueType, error));
                    break;
                case OptionResult { Tokens.Count: 0, Option.Arity.MinimumNumberOfValues: > 0 } option:
                    problems.Add($"{option.Option.Name} needs a value");
                    break;
                case OptionResult { Tokens.Count: > 0 } option:
                    problems.Add(NotA(option.Option.Name, option.Tokens[0].Value, option.Option.ValueType, error));
                    break;
                // The command's own errors: a missing subcommand, and words it did not expect (listed below).
                case CommandResult { Command.Subcommands.Count: > 0 } when parse.UnmatchedTokens.Count == 0:
                    problems.Add("missing command");
                    break;
                case CommandResult:
                    break;
                default:
                    problems.Add(Plain(error.Message));
                    break;
            }
        }
        if (missing.Count > 0)
            problems.Insert(0, $"missing argument{(missing.Count > 1 ? "s" : "")} {Listed(missing.Distinct().ToList())}");
        foreach (string token in parse.UnmatchedTokens)
            problems.Add(parse.CommandResult.Command is RootCommand ? $"unknown command '{token}'" : $"unexpected argument '{token}'");
        // Whatever this does not know how to say is said in System.CommandLine's words.
        if (problems.Count == 0) problems.AddRange(parse.Errors.Select(e => Plain(e.Message)));
        return problems.Distinct().ToList();
    }

    // Words before any "--" that look like options (-x, --name; not -1) but are not an option's value: System.CommandLine
    // takes them for the command's arguments, or leaves them over.
    private static IEnumerable<string> OptionLike(ParseResult parse)
    {
        var values = parse.CommandResult.Children.OfType<OptionResult>().SelectMany(o => o.Tokens)
            .ToHashSet<Token>(ReferenceEqualityComparer.Instance);
        return parse.Tokens.TakeWhile(t => t.Type != TokenType.DoubleDash)
            .Where(t => t.Type == TokenType.Argument && !values.Contains(t))
            .Select(t => t.Value)
            .Where(word => word.Length > 1 && word[0] == '-' &&
                !double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
    }

    private static string NotA(string name, string value, Type type, ParseError error) =>
        Expected.TryGetValue(Nullable.GetUnderlyingType(type) ?? type, out string? expected)
            ? $"{name} '{value}' is not {expected}"
            : Plain(error.Message);

    private static string Listed(IReadOnlyList<string> names) =>
        names.Count == 1 ? names[0] : $"{string.Join(", ", names.Take(names.Count - 1))} and {names[^1]}";

    // As neuron's own errors are: lower case, no full stop.
    private static string Plain(string message) => (char.ToLowerInvariant(message[0]) + message[1..]).TrimEnd('.');
}
