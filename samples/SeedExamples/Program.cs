// The seed's three questions, answered with the NeuronKit API on checkpoints saved by PyTorch's torch.save:
//   1. nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 2)): weights and bias of neuron 1 of layer 0
//   2. nn.Conv2d(3, 16, 3): filter 4 and its bias
//   3. an LSTM(10, 20) inside a module: hidden unit 2, all four gates, both biases
// Run from the repository root: dotnet run --project samples/SeedExamples
using NeuronKit;
using NeuronKit.Layers;

string samples = args.Length > 0 ? args[0] : "samples";

using (var model = Model.Open(Path.Combine(samples, "seed_linear.pt")))
{
    var neuron = model.Neuron("0", 1);
    double[] weights = neuron.Part("weight")!.ToDoubles();
    double bias = neuron.Part("bias")!.ToDoubles()[0];
    Console.WriteLine($"Linear layer 0, neuron 1: {weights.Length} weights [{Join(weights)}], bias {bias:0.0000}");
}

using (var model = Model.Open(Path.Combine(samples, "seed_conv.pt")))
{
    var filter = model.Neuron("conv1", 4);
    var weight = filter.Part("weight")!;
    Console.WriteLine($"Conv2d conv1, filter 4: weight{weight.Index} has shape [{string.Join(", ", weight.Shape)}], " +
        $"first row [{Join(weight.ToDoubles()[..3])}], bias {filter.Part("bias")!.ToDoubles()[0]:0.0000}");
}

using (var model = Model.Open(Path.Combine(samples, "seed_lstm.pt")))
{
    var unit = model.Neuron("rnn", 2);
    Console.WriteLine($"LSTM {unit.Layer.Name}, hidden unit 2 of {unit.Layer.NeuronCount}:");
    foreach (var bias in unit.EffectiveBiases)   // per gate, bias_ih + bias_hh: NeuronKit knows which gates add them
    {
        var ih = unit.Part(PartRole.WeightIh, bias.Gate)!;
        Console.WriteLine($"  {bias.Gate,-6}  {ih.Tensor}{ih.Index}: {ih.ToDoubles().Length} input weights, " +
            $"effective bias (bias_ih + bias_hh) {bias.Value():0.0000}");
    }
}

static string Join(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("0.0000")));
