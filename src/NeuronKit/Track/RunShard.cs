using System.Globalization;
using NeuronKit.Formats;

namespace NeuronKit.Track;

/// <summary>
/// Which part of a run one process takes (<c>--shard I/N</c>): the checkpoints at positions I, I + N, I + 2N, … of
/// the run's paths sorted as text (a model saved as several files at one position, <see cref="ModelFiles"/>). Each process decides alone, so N processes on N machines split a run with no
/// coordination, and together they take every checkpoint exactly once.
/// </summary>
public readonly record struct RunShard
{
    /// <summary>A shard of a run split <paramref name="count"/> ways; throws <see cref="RequestException"/> unless 0 ≤ index &lt; count.</summary>
    public RunShard(int index, int count)
    {
        if (count < 1) throw new RequestException($"--shard {index}/{count}: the number of shards must be at least 1");
        if (index < 0 || index >= count)
            throw new RequestException($"--shard {index}/{count}: the shard index must be 0 to {count - 1}", ["shards count from 0: 0/3, 1/3 and 2/3 together are the whole run"]);
        Index = index;
        Count = count;
    }

    /// <summary>The whole run, in one part.</summary>
    public static RunShard All => new(0, 1);

    /// <summary>This shard's number, from 0.</summary>
    public int Index { get; }

    /// <summary>How many shards the run is split into.</summary>
    public int Count { get; }

    /// <summary>Parses <c>I/N</c> (<c>1/3</c>); throws <see cref="RequestException"/> saying what is wrong.</summary>
    public static RunShard Parse(string text)
    {
        int slash = text.IndexOf('/');
        if (slash < 0 || !int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int count))
            throw new RequestException($"--shard '{text}' is not I/N (this process's shard I of N, counted from 0: 0/3, 1/3, 2/3)");
        return new RunShard(index, count);
    }

    /// <summary>True when the checkpoint at <paramref name="position"/> of the run's paths sorted as text is this shard's.</summary>
    public bool Takes(int position) => position % Count == Index;

    /// <inheritdoc/>
    public override string ToString() => $"{Index}/{Count}";
}
