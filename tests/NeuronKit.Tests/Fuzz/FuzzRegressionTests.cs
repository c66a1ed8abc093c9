using NeuronKit.Containers.Pickle;
using NeuronKit.Formats.PyTorch;
using NeuronKit.Tensors;

namespace NeuronKit.Tests.Fuzz;

/// <summary>
/// Inputs the coverage-guided fuzzer (tests/NeuronKit.Fuzz/run-afl.sh) once crashed or hung a reader with: each now
/// opens or fails with NeuronKit's own error, quickly.
/// </summary>
public class FuzzRegressionTests
{
    public static TheoryData<string> Inputs()
    {
        var data = new TheoryData<string>();
        string root = Fixtures.Path("fuzz-regressions");
        if (Directory.Exists(root))
            foreach (string file in Directory.GetFiles(root, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".md")))
                data.Add(Path.GetRelativePath(root, file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task A_former_crash_now_opens_or_fails_with_a_NeuronKit_error(string input)
    {
        string path = Fixtures.Path(Path.Combine("fuzz-regressions", input));
        string target = input.Split(Path.DirectorySeparatorChar)[0];

        var thrown = await Task.Run(() => Replay(target, path)).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(thrown is null or NeuronKitException, $"{input}: {thrown}");
    }

    private static Exception? Replay(string target, string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            if (target == "pickle")
            {
                Unpickler.Load(new MemoryBytes(bytes), 0, bytes.Length, "fuzz.pkl", TorchAllowlist.Instance);
                return null;
            }
            // The harness names the file by format; some readers look at the name for sibling files only.
            string dir = Directory.CreateTempSubdirectory("neuronkit-regression-").FullName;
            string copy = Path.Combine(dir, "model" + target switch
            {
                "safetensors" => ".safetensors", "onnx" => ".onnx", "gguf" => ".gguf", "numpy" => ".npz",
                "torchsharp" => ".dat", "keras" => ".h5", "flax" => ".msgpack", _ => ".pt",
            });
            File.WriteAllBytes(copy, bytes);
            try
            {
                return MutationFuzzTests.Exercise(copy);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
