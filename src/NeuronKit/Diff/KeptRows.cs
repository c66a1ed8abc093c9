namespace NeuronKit.Diff;

/// <summary>
/// The rows of a layer's weight both files keep when a converter dropped the rest: llama.cpp's Gemma 3 converter keeps
/// only the embedding rows of the tokenizer's vocabulary, the first <see cref="Rows"/> of the checkpoint's. The diff
/// compares each neuron over those rows; the rows one file alone has are not compared.
/// </summary>
/// <param name="Rows">How many leading rows both files keep.</param>
/// <param name="Name">Why, as reports say it: <c>the first 262,144 of 262,208 embedding rows: llama.cpp's gemma3 converter keeps the tokenizer's vocabulary</c>.</param>
public sealed record KeptRows(long Rows, string Name);
