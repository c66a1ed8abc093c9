using NeuronKit.TorchSharp.Tests.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.TensorIndex;

namespace NeuronKit.TorchSharp.Tests;

/// <summary>Layers are named by module path, as named_modules() names the modules, however deeply they nest.</summary>
public sealed class NamingTests
{
    [TorchFact]
    public void Nested_custom_modules_ModuleList_and_ModuleDict_give_layers_named_by_module_path_in_state_dict_order()
    {
        var model = new Encoder();

        var layers = new LiveModel(model).Layers;

        Assert.Equal(
            [
                "embed Embedding",
                "blocks.0.scale Tensor", "blocks.0.proj Linear", "blocks.0.norm LayerNorm",
                "blocks.1.scale Tensor", "blocks.1.proj Linear", "blocks.1.norm LayerNorm",
                "heads.classify Linear", "heads.pool.0 Linear",
            ],
            layers.Select(l => $"{l.Name} {l.Kind}"));
        // Each layer is a module path, except a custom module's own tensor, which is a layer named as the tensor (as in a file)
        var modules = model.named_modules().Select(m => m.name).ToHashSet();
        Assert.All(layers.Where(l => l.Kind != "Tensor"), l => Assert.Contains(l.Name, modules));
    }

    [TorchFact]
    public void A_custom_module_s_own_parameter_is_a_layer_of_its_own_whose_evidence_says_the_class_is_not_a_kind()
    {
        var model = new Encoder();

        using var neuron = new LiveModel(model).Neuron("blocks.1.scale", 4);

        Assert.Equal(("blocks.1.scale", "Tensor"), (neuron.Layer.Name, neuron.Layer.Kind));
        Assert.Contains(neuron.Layer.Evidence, e => e.Contains("module class NeuronKit.TorchSharp.Tests.Modules.Block is not a layer kind NeuronKit knows"));
        Oracle.Matches(model, neuron, new Expected("blocks.1.scale", null, "[4]", Single(4)));
    }

    [TorchFact]
    public void A_layer_deep_inside_containers_is_found_by_its_path_or_any_of_its_tensor_names()
    {
        var model = new Encoder();
        var live = new LiveModel(model);

        using var byPath = live.Neuron("heads.pool.0", 1);
        using var byTensor = live.Neuron("blocks.1.norm.bias", -1);

        Oracle.Matches(model, byPath, new("heads.pool.0.weight", null, "[1]", Single(1)), new("heads.pool.0.bias", null, "[1]", Single(1)));
        Assert.Equal(("blocks.1.norm", 5L), (byTensor.Layer.Name, byTensor.Index));
        Oracle.Matches(model, byTensor, new("blocks.1.norm.weight", null, "[5]", Single(5)), new("blocks.1.norm.bias", null, "[5]", Single(5)));
    }

    [TorchFact]
    public void A_bare_module_is_one_layer_named_root_as_in_a_file_and_addressed_by_its_tensor_names_too()
    {
        var linear = nn.Linear(3, 2);
        var live = new LiveModel(linear);

        using var neuron = live.Neuron("weight", 1);

        Assert.Equal(("root", "Linear"), (live.Layers.Single().Name, live.Layers.Single().Kind));
        Oracle.Matches(linear, neuron, new("weight", null, "[1]", Single(1)), new("bias", null, "[1]", Single(1)));
        Assert.Same(live.Layers.Single(), live.Layer("root"));
        Assert.Same(live.Layers.Single(), live.Layer(""));   // named_modules()' own name for it
    }

    [TorchFact]
    public void Sequential_children_added_with_names_keep_their_names()
    {
        var seq = nn.Sequential(("encoder", nn.Linear(4, 3)), ("act", nn.ReLU()), ("decoder", nn.Linear(3, 4)));

        var layers = seq.Layers();

        Assert.Equal(["encoder", "decoder"], layers.Select(l => l.Name));
    }
}
