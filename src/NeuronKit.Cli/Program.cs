using NeuronKit.Cli;

return NeuronCli.Run(args, Console.Out, Console.Error);
