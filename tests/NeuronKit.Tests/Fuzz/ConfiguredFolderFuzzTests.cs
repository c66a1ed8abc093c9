using NeuronKit.Stats;

namespace NeuronKit.Tests.Fuzz;

/// <summary>
/// Some weights are decoded by what a config.json beside them says (MLX's bits and group size, GPTQ's zero-point
/// format): damaged copies of the weights or of the config, in their folder, are opened and every neuron measured. The
/// answer is NeuronKit's statistics or NeuronKit's error, never another exception, never a hang over 2 s
/// (<see cref="FileSetMutations"/>: 500 per folder by default).
/// </summary>
public class ConfiguredFolderFuzzTests
{
    [Theory]
    [InlineData("diff/mlx/q3")]      // 3-bit words across byte boundaries
    [InlineData("diff/mlx/mixed")]   // a module's own bits in the config
    [InlineData("diff/mlx/gpt_oss")] // affine and mxfp4 modules, uint8 scales without biases
    [InlineData("diff/mlx/nvfp4")]   // E4M3 scales per 16
    [InlineData("diff/gptq_v2")]     // zero points as the quantize_config.json says
    [InlineData("safetensors/bitnet")] // packed ternary codes, as the config.json says
    public async Task Damaged_weights_or_configs_are_measured_or_refused_with_a_NeuronKit_error(string fixture)
    {
        var files = Directory.GetFiles(Fixtures.Path(fixture)).Order(StringComparer.Ordinal).ToArray();

        var outcome = await FileSetMutations.Run(files, [.. files.Select(Path.GetFileName).OfType<string>()], copies =>
        {
            using var model = Model.Open(Path.GetDirectoryName(copies[0])!);
            _ = ModelStats.Compute(model);
        });

        Assert.Null(outcome.Failure);
        Assert.Equal(outcome.Rounds, outcome.Answered + outcome.Refused);
        Assert.True(outcome.Answered > 0, "no damaged set was answered at all: the mutations never left a readable one");
    }
}
