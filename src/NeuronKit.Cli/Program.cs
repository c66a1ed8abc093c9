using System.Text;
using NeuronKit.Cli;
using NeuronKit.Cli.Output;

// What reaches a terminal, and every message, shows a name's control characters as escapes: a file's names are its author's.
var stderr = new PrintableWriter(Console.Error, terminal: !Console.IsErrorRedirected);
if (!Console.IsOutputRedirected) return NeuronCli.Run(args, new PrintableWriter(Console.Out, terminal: true), stderr);

// Console.Out flushes on every write: a table of 131,072 rows into a pipe or a file was tens of thousands of write
// calls. Redirected, the output goes through a 64 KiB buffer instead, flushed at exit (and by serve after its address).
using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
return NeuronCli.Run(args, stdout, stderr);
