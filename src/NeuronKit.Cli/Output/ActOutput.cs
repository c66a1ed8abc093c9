namespace NeuronKit.Cli.Output;

/// <summary>What <c>neuron act</c> prints: text for people, or JSON or CSV for programs.</summary>
internal enum ActOutput
{
    Text,
    Json,
    Csv,
}
