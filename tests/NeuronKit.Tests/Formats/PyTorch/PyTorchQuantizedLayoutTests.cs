namespace NeuronKit.Tests.Formats.PyTorch;

/// <summary>
/// GPTQ tensors saved with torch.save as views (tests/fixtures/diff/torch_save, make_diff.py): the quantized layouts
/// read the bytes of views that hold each value once, and leave those that repeat one value as they are stored.
/// (<c>DiffOracleTests</c> holds the torch.save copies to numpy's tables.)
/// </summary>
public class PyTorchQuantizedLayoutTests
{
    [Fact]
    public void A_tensor_repeating_one_stored_value_beside_a_GPTQ_weight_stays_in_its_place()
    {
        // Given g_gptq's tensors saved with torch.save, fc.bias zeros expanded from one stored value (stride 0)
        using var copy = Model.Open(Fixtures.Path("diff/torch_save/gptq_expanded.bin"));
        using var safetensors = Model.Open(Fixtures.Path("diff/g_gptq.safetensors"));

        // When its tensors are read
        var tensors = copy.Checkpoint.Tensors;

        // Then the weights are decoded as in safetensors, and the bias is read through its strides where torch.save put it
        Assert.Equal(["fc.weight", "proj.weight", "fc.bias", "proj.bias"], tensors.Select(t => t.Name));
        Assert.Equal([0L], tensors[2].Strides);
        Assert.All(tensors[2].View().ToDoubles(), v => Assert.Equal(0, v));
        foreach (var name in new[] { "fc.weight", "proj.weight", "proj.bias" })
            Assert.Equal(safetensors.Checkpoint.Find(name)!.View().ToDoubles(), copy.Checkpoint.Find(name)!.View().ToDoubles());
    }

    [Fact]
    public void GPTQ_parts_that_repeat_one_stored_value_are_not_decoded_but_listed_as_stored()
    {
        // Given a torch.save file of a few hundred bytes whose GPTQ words, zero points and 2^31 scales each repeat one value
        using var model = Model.Open(Fixtures.Path("diff/torch_save/gptq_repeated_words.bin"));

        // When its tensors are read, then none was taken whole into a weight: each is listed as stored, through its strides
        Assert.Null(model.Checkpoint.Find("fc.weight"));
        Assert.Equal(["fc.qweight", "fc.qzeros", "fc.scales"], model.Checkpoint.Tensors.Select(t => t.Name));
        Assert.All(model.Checkpoint.Tensors, t => Assert.Equal([0L, 0L], t.Strides));
        Assert.Equal(1, model.Checkpoint.Find("fc.scales")!.View().Select(0, 32767).Narrow(0, 65535, 1).ToDoubles().Single());
    }

    [Fact]
    public void A_bias_beside_GPTQ_views_is_edited_in_its_own_bytes_and_the_weights_read_as_before()
    {
        // Given g_gptq_act's tensors saved as views into shared storages
        using var folder = new NeuronKit.Tests.Edits.TempFolder();
        string original = Fixtures.Path("diff/torch_save/gptq_act_views.bin"), edited = Path.Combine(folder.Path, "edited.bin");

        // When neuron 1 of fc has its bias doubled
        var run = NeuronKit.Tests.Cli.CliRun.Of("edit", original, "fc", "1", "--part", "bias", "--scale", "2", "-o", edited);

        // Then that bias value alone changed, and every weight reads as it did, decoded through the same views
        Assert.Equal(0, run.Exit);
        using var before = Model.Open(original);
        using var after = Model.Open(edited);
        Assert.Equal(before.Checkpoint.Tensors.Select(t => (t.Name, t.StoredAs)), after.Checkpoint.Tensors.Select(t => (t.Name, t.StoredAs)));
        foreach (var tensor in before.Checkpoint.Tensors)
        {
            var (was, now) = (tensor.View().ToDoubles(), after.Checkpoint.Find(tensor.Name)!.View().ToDoubles());
            if (tensor.Name == "fc.bias") was[1] *= 2;
            Assert.Equal(was, now);
        }
    }
}
