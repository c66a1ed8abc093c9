namespace NeuronKit.Diff;

/// <summary>
/// What a converter added to every weight of a layer it wrote (llama.cpp adds 1 to Gemma's norm weights, whose RMSNorm
/// scales by 1 + w): the diff compares A's value w with B's value less <see cref="Amount"/>, so only what the
/// conversion lost (the rounding of w + 1 to the file's type) is left as a change.
/// </summary>
/// <param name="Name">What shifted the values, as reports say it: <c>llama.cpp's +1 on gemma2 norm weights</c>.</param>
/// <param name="Amount">B's value of a weight less A's, before any other change (negative when A is the converter's file).</param>
public sealed record ValueShift(string Name, double Amount);
