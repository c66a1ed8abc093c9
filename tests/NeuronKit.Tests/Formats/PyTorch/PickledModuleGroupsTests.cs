using NeuronKit.Tests.Containers.Pickle;

namespace NeuronKit.Tests.Formats.PyTorch;

/// <summary>
/// A pickled transposed convolution without a bias: its weight [in, out/groups, k] fits any groups dividing dim 0, so only
/// the module's own <c>groups</c> says how many output channels (neurons) it has.
/// </summary>
public class PickledModuleGroupsTests
{
    // torch.save({"up": nn.ConvTranspose1d(6, 9, 2, groups=GROUPS, bias=False)}): weight [6, 9 / GROUPS, 2].
    private static TempFile ConvTranspose(string className, int groups, int perGroup)
    {
        var p = new PickleBytes().Proto().EmptyDict().Str("up")
            .Global("torch.nn.modules.conv", className).EmptyTuple().NewObj().EmptyDict().Mark()
                .Str("_parameters").Global("collections", "OrderedDict").EmptyTuple().Reduce().Mark()
                    .Str("weight").Tensor("FloatStorage", "0", 6 * perGroup * 2, [6, perGroup, 2]).Str("bias").None().SetItems()
                .Str("_buffers").Global("collections", "OrderedDict").EmptyTuple().Reduce()
                .Str("_modules").Global("collections", "OrderedDict").EmptyTuple().Reduce()
                .Str("groups").Int(groups)
            .SetItems().Build().SetItem().Stop();
        return TorchZipFile.Write(p, ("0", new byte[6 * perGroup * 2 * 4]));
    }

    [Fact]
    public void A_bias_free_ConvTranspose_takes_its_groups_from_the_pickled_module()
    {
        using var file = ConvTranspose("ConvTranspose1d", groups: 3, perGroup: 3);
        using var model = Model.Open(file.Path);

        var layer = model.Layer("up");
        Assert.Equal(("ConvTranspose1d", 9L, false), (layer.Kind, layer.NeuronCount, layer.Assumed));
        Assert.Contains("module class torch.nn.modules.conv.ConvTranspose1d with groups = 3", layer.Evidence);
        // output channel 4: group 1 (in rows 2..3), column 1
        Assert.Equal("[2:4, 1]", model.Neuron("up", 4).Parts.Single().Index);
    }

    [Fact]
    public void Groups_1_in_the_module_read_as_before()
    {
        using var file = ConvTranspose("ConvTranspose1d", groups: 1, perGroup: 9);
        using var model = Model.Open(file.Path);

        var layer = model.Layer("up");
        Assert.Equal(9L, layer.NeuronCount);
        Assert.Equal("[0:6, 4]", model.Neuron("up", 4).Parts.Single().Index);
    }
}
