namespace NeuronKit.Tests.Edits;

/// <summary>
/// An edit of a quantized part reports how many values its stored integers could not hold (saturated): judged by the
/// scales the copy was written with, which a GGUF block chooses anew for its new values, and a PyTorch qtensor keeps.
/// </summary>
public class EditSaturationTests
{
    [Fact]
    public void A_q8_0_row_scaled_up_saturates_nothing_since_each_block_takes_a_new_scale()
    {
        // Given a Q8_0 neuron scaled by 100: each block's d becomes amax / 127 of its new values
        using var folder = new TempFolder();
        var change = Scaled("gguf/tiny_q8_0.gguf", "blk.0.attn_q", 5, 100, Path.Combine(folder.Path, "out.gguf"));

        // Then nothing is saturated, and every value is within half its written block's step of the one asked for
        Assert.Equal(0, change.Clipped);
        using var written = Model.Open(Path.Combine(folder.Path, "out.gguf"));
        var stored = written.Layer("blk.0.attn_q").Neuron(5).Parts[0].ToQuantized()!;
        for (int i = 0; i < change.After!.Length; i++)
            Assert.InRange(Math.Abs(change.After[i] - change.Requested[i]), 0, 0.51 * stored.Scales[i]);
    }

    [Fact]
    public void A_quint8_row_scaled_up_saturates_the_values_its_fixed_scale_and_zero_point_cannot_reach()
    {
        // Given a per-channel quint8 neuron scaled by 100: its scales and zero points stay as they are
        using var folder = new TempFolder();
        using var original = Model.Open(Fixtures.Path("pytorch/quantized.pt"));
        var stored = original.Layer("fc_ax1").Neuron(1).Parts[0].ToQuantized()!;
        var change = Scaled("pytorch/quantized.pt", "fc_ax1", 1, 100, Path.Combine(folder.Path, "out.pt"));

        // Then the saturated values are those whose integer round(v / scale) + zero point falls outside 0..255
        int outside = change.Requested.Where((v, i) => Math.Round(v / stored.Scales[i]) + stored.ZeroPoints[i] is < 0 or > 255).Count();
        Assert.InRange(outside, 1, change.Requested.Length - 1);
        Assert.Equal(outside, change.Clipped);
    }

    private static NeuronKit.Edits.PartChange Scaled(string fixture, string layer, long index, double factor, string output)
    {
        using var model = Model.Open(Fixtures.Path(fixture));
        var neuron = model.Layer(layer).Neuron(index);
        var edit = NeuronKit.Edits.ModelEdit.Plan(model, [(neuron, NeuronKit.Edits.ModelEdit.Select(neuron, part: null, outgoing: false))],
            new NeuronKit.Edits.EditAction.Scale(factor));
        edit.WriteTo(output);
        return edit.Changes.Single(c => c.Part.Role == NeuronKit.Layers.PartRole.Weight);
    }
}
