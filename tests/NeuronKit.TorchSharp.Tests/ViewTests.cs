using NeuronKit.Tensors;
using NeuronKit.TorchSharp.Tests.Modules;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.TensorIndex;

namespace NeuronKit.TorchSharp.Tests;

/// <summary>Parts are views of the module's own memory: no copy, no autograd, no device or dtype change.</summary>
public sealed class ViewTests
{
    [TorchFact]
    public void A_part_s_TorchSharp_view_and_its_values_follow_an_in_place_update_of_the_parameter()
    {
        // Given neuron 1 of a Linear, taken before a training-like in-place update
        var linear = nn.Linear(4, 3);
        using var neuron = new LiveModel(linear).Neuron("", 1);
        var weight = neuron.Part("weight")!;

        // When the parameter is updated in place, by hand and by an optimizer step
        using (no_grad()) linear.weight!.add_(1.0);
        linear.weight!.grad = ones_like(linear.weight);
        using (var sgd = optim.SGD(linear.parameters(), 0.5)) sgd.step();

        // Then the view and the NeuronKit values both show the new row: they read the parameter's memory, not a copy
        var row = Oracle.Slice(linear, "weight", [Single(1)]).Values;
        Assert.Equal(row, Oracle.Values(weight.Tensor));
        Assert.Equal(row, weight.ToDoubles());
    }

    [TorchFact]
    public void Writing_through_a_part_s_view_writes_the_parameter_itself()
    {
        var conv = new SeedConv();
        using var filter = new LiveModel(conv).Neuron("conv1", 4);

        using (no_grad()) filter.Part("weight")!.Tensor.fill_(0.5);

        Assert.All(Oracle.Slice(conv, "conv1.weight", [Single(4)]).Values, v => Assert.Equal(0.5, v));
        Assert.NotEqual(0.5, Oracle.Slice(conv, "conv1.weight", [Single(3)]).Values[0]);
    }

    [TorchFact]
    public void Views_are_detached_from_autograd_and_reading_a_neuron_leaves_gradients_and_training_alone()
    {
        var model = new SeedLstm();
        var input = randn(5, 1, 10);

        using var unit = new LiveModel(model).Neuron("rnn", 2);
        using var loss = model.forward(input).sum();
        loss.backward();

        Assert.True(model.parameters().All(p => p.requires_grad));
        Assert.All(unit.Parts, p => Assert.False(p.Tensor.requires_grad));
        Assert.All(model.parameters(), p => Assert.NotNull(p.grad));
    }

    [TorchFact]
    public void Reading_neurons_moves_nothing_and_converts_nothing()
    {
        var model = new Named(("fc", nn.Linear(3, 2))).to(ScalarType.Float16);
        var before = model.parameters().Select(p => (p.Handle, p.device_type, p.dtype)).ToList();

        using (var neuron = new LiveModel(model).Neuron("fc", 0))
            _ = neuron.Parts.Select(p => p.ToDoubles()).ToList();

        Assert.Equal(before, model.parameters().Select(p => (p.Handle, p.device_type, p.dtype)));
    }

    [TorchFact]
    public void Disposing_a_neuron_releases_its_views_and_leaves_the_module_s_tensors_valid()
    {
        var linear = nn.Linear(3, 2);
        var neuron = new LiveModel(linear).Neuron("", 0);

        neuron.Dispose();

        Assert.All(neuron.Parts, p => Assert.True(p.Tensor.IsInvalid));
        Assert.False(linear.weight!.IsInvalid);
        Assert.Equal(3, Oracle.Values(linear.weight[0]).Length);
    }

    [TorchFact]
    public void A_tensor_that_is_not_contiguous_is_read_through_a_copy_of_the_run_asked_for()
    {
        // Given a transposed (strided) tensor, whose bytes cannot be viewed in place
        var tensor = arange(12, dtype: ScalarType.Float32).reshape(3, 4).t();
        var bytes = new LiveTensorBytes("t", tensor);

        // When elements 5..7 of its row-major order are read, then they are t[1, 2], t[2, 0], t[2, 1]
        var run = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.Span(5 * 4, 3 * 4)).ToArray();
        Assert.Equal(new float[] { 9, 2, 6 }, run);
        Assert.Equal(48, bytes.Length);
    }

    [TorchFact]
    public void Part_slices_become_TorchSharp_views_of_the_same_elements()
    {
        using var t = arange(24, dtype: ScalarType.Float64).reshape(2, 3, 4);

        Assert.Equal([4.0, 5, 6, 7], Oracle.Values(t.index(PartIndex.Of(new TensorSlice(SliceItem.At(0), SliceItem.At(1))))));
        Assert.Equal([1.0, 5, 9], Oracle.Values(t.index(PartIndex.Of(new TensorSlice(SliceItem.At(0), SliceItem.All, SliceItem.At(1))))));
        Assert.Equal([18.0, 19, 22, 23], Oracle.Values(t.index(PartIndex.Of(new TensorSlice(SliceItem.At(1), SliceItem.Range(1, 3), SliceItem.Range(2, 4))))));
        Assert.Equal(24, Oracle.Values(t.index(PartIndex.Of(new TensorSlice()))).Length);
    }
}
