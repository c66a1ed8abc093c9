using NeuronKit.Neurons;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;

namespace NeuronKit.Tests.Layers.Kinds;

/// <summary>
/// Flax's DenseGeneral in attention.msgpack (make_flax.py, values checked against nn.MultiheadAttention by the oracle
/// tests): what reads a head's unit, and the output projection told from a Conv1D of the same shapes by its name.
/// </summary>
public class DenseGeneralTests
{
    private const string Module = "MultiHeadDotProductAttention_0";

    [Fact]
    public void A_value_unit_is_read_by_the_output_projection_at_its_head_and_dimension()
    {
        using var model = Model.Open(Fixtures.Path("flax/attention.msgpack"));

        // Attention mixes positions, not channels: value unit h·4 + d is the output projection's input h·4 + d.
        var neuron = model.WithOutgoing(model.Neuron($"{Module}.value", 6), [$"{Module}.out"]);

        var outgoing = Assert.Single(neuron.Parts, p => p.Direction == PartDirection.Out);
        Assert.Equal(($"{Module}.out.kernel", "[1, 2, :]"), (outgoing.Tensor, outgoing.Index));
        Assert.Equal([8L], outgoing.Shape);
    }

    [Fact]
    public void A_projection_out_of_heads_is_known_by_its_name_and_a_kernel_of_the_same_shape_otherwise_is_a_convolution()
    {
        using var folder = new TempFolder();
        string renamed = Path.Combine(folder.Path, "renamed.msgpack");
        // The same bytes with the module 'out' renamed 'conv' (both three letters, so every length stays).
        var bytes = File.ReadAllBytes(Fixtures.Path("flax/attention.msgpack"));
        int at = bytes.AsSpan().IndexOf(new byte[] { 0xa3, (byte)'o', (byte)'u', (byte)'t' });   // msgpack's fixstr of 3 bytes, "out"
        "cnv"u8.CopyTo(bytes.AsSpan(at + 1));
        File.WriteAllBytes(renamed, bytes);

        using var original = Model.Open(Fixtures.Path("flax/attention.msgpack"));
        using var model = Model.Open(renamed);

        Assert.Equal("DenseGeneral", original.Layer($"{Module}.out").Kind);
        Assert.Equal("Conv1d", model.Layer($"{Module}.cnv").Kind);
    }

    [Fact]
    public void Asking_for_the_kind_reads_the_same_parts()
    {
        var asked = CliRun.Of("show", Fixtures.Path("flax/attention.msgpack"), $"{Module}.key", "7", "--kind", "DenseGeneral", "--json");
        var inferred = CliRun.Of("show", Fixtures.Path("flax/attention.msgpack"), $"{Module}.key", "7", "--json");

        Assert.True(asked.Exit == 0, asked.Stderr);
        Assert.Contains("\"index\":\"[:, 1, 3]\"", asked.Stdout);
        Assert.Equal(inferred.Stdout[inferred.Stdout.IndexOf("\"parts\"")..], asked.Stdout[asked.Stdout.IndexOf("\"parts\"")..]);
    }
}
