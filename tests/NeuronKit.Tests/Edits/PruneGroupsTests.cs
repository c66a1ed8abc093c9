using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Formats.Safetensors;

namespace NeuronKit.Tests.Edits;

/// <summary>
/// Grouped convolutions in a prune: a grouped ConvTranspose reading the target is refused as a grouped Conv is.
/// make_prune.py pins the ConvTranspose prunes by a forward pass (PruneOracleTests).
/// </summary>
public class PruneGroupsTests
{
    [Fact]
    public void A_producer_of_a_grouped_ConvTranspose_is_refused_as_that_of_a_grouped_conv()
    {
        // Given conv 0 (4 filters) → ConvTranspose 1 of 2 groups (weight [4, 3, …], 6 outputs), as numbered children
        using var file = Sequential(("0.weight", [4, 3, 3, 3]), ("0.bias", [4]), ("1.weight", [4, 3, 3, 3]), ("1.bias", [6]));

        var run = CliRun.Of("prune", file.Path, "0", "1", "--dry-run");

        Assert.Equal(2, run.Exit);
        Assert.Contains("'1' reads '0' in 2 groups: removing a channel would unbalance its groups", run.Stderr);
    }

    // A safetensors file of float32 tensors 0.5, 1.5, … of the given names and shapes, in that order.
    private static TempFile Sequential(params (string Name, long[] Shape)[] tensors)
    {
        long offset = 0;
        var entries = new List<string>();
        foreach (var (name, shape) in tensors)
        {
            long bytes = shape.Aggregate(1L, (n, d) => n * d) * 4;
            entries.Add($"\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + bytes}]}}");
            offset += bytes;
        }
        return new TempFile("model.safetensors", SafetensorsBytes.Build($"{{{string.Join(",", entries)}}}", SafetensorsBytes.Floats((int)(offset / 4))));
    }
}
