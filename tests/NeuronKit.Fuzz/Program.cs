// One fuzz target per reader: the bytes either open (and every layer's first and last neuron read) or fail with
// NeuronKit's own error; anything else escapes and AFL records it as a crash.
//   dotnet NeuronKit.Fuzz.dll <target>        targets: pickle, pytorch, safetensors, onnx, gguf, numpy, torchsharp, keras, flax
// With no stdin fuzzing loop (a file path as second argument) it runs one input and prints what happened.
using NeuronKit;
using NeuronKit.Containers.Pickle;
using NeuronKit.Formats.PyTorch;
using NeuronKit.Tensors;
using SharpFuzz;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: NeuronKit.Fuzz <pickle|pytorch|safetensors|onnx|gguf|numpy|torchsharp|keras|flax> [input-file]");
    return 2;
}
string target = args[0];
string dir = Path.Combine(Path.GetTempPath(), $"neuronkit-fuzz-{Environment.ProcessId}");
Directory.CreateDirectory(dir);
string file = Path.Combine(dir, target switch
{
    "safetensors" => "model.safetensors",
    "onnx" => "model.onnx",
    "gguf" => "model.gguf",
    "numpy" => "arrays.npz",
    "torchsharp" => "model.dat",
    "keras" => "model.h5",
    "flax" => "flax_model.msgpack",
    _ => "model.pt",
});

if (args.Length > 1)
{
    try
    {
        Exercise(File.ReadAllBytes(args[1]));
        Console.WriteLine("opened");
    }
    catch (NeuronKitException e)
    {
        Console.WriteLine($"refused: {e.Message}");
    }
    return 0;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    try
    {
        Exercise(copy.ToArray());
    }
    catch (NeuronKitException)
    {
        // The documented failure: a clear message, exit code 2 or 3 in the CLI.
    }
});
return 0;

void Exercise(byte[] bytes)
{
    if (target == "pickle")
    {
        Unpickler.Load(new MemoryBytes(bytes), 0, bytes.Length, "fuzz.pkl", TorchAllowlist.Instance);
        return;
    }
    File.WriteAllBytes(file, bytes);
    using var model = Model.Open(file);
    foreach (var layer in model.Layers.Take(64))
    {
        if (layer.NeuronCount == 0) continue;
        foreach (long j in new[] { 0L, -1L })
            foreach (var part in layer.Neuron(j).Parts)
                if (part.View.ElementCount <= 1 << 20) part.ToDoubles();
    }
}
