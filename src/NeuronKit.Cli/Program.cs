using System.Text;
using NeuronKit.Cli;

if (!Console.IsOutputRedirected) return NeuronCli.Run(args, Console.Out, Console.Error);

// Console.Out flushes on every write: a table of 131,072 rows into a pipe or a file was tens of thousands of write
// calls. Redirected, the output goes through a 64 KiB buffer instead, flushed at exit (and by serve after its address).
using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
return NeuronCli.Run(args, stdout, Console.Error);
