namespace NeuronKit.Tests.Views;

/// <summary>Counts the writes a report arrives in, and the largest.</summary>
internal sealed class WriteCountingWriter : StringWriter
{
    public int Writes { get; private set; }
    public int Largest { get; private set; }

    public override void Write(char[] buffer, int index, int count)
    {
        Writes++;
        Largest = Math.Max(Largest, count);
        base.Write(buffer, index, count);
    }
}
