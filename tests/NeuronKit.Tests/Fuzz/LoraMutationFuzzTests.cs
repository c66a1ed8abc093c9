using NeuronKit.Adapters;
using NeuronKit.Diff;

namespace NeuronKit.Tests.Fuzz;

/// <summary>
/// A LoRA adapter is merged from files that each may lie: the base's shapes, the adapter's factors and names, and its
/// config's rank, alpha and patterns (regular expressions; a GGUF adapter's alpha). Damaged copies of one of them (tests/fixtures/diff/lora)
/// are merged and compared with the base: the diff answers or fails with NeuronKit's own error, never another exception,
/// never a hang over 2 s (<see cref="FileSetMutations"/>: 500 per set by default).
/// </summary>
public class LoraMutationFuzzTests
{
    [Theory]
    [InlineData("base.safetensors", "adapter/adapter_model.safetensors", "adapter/adapter_config.json")]  // Linear, Conv2d, Embedding, a module saved whole; rank and alpha patterns
    [InlineData("base.safetensors", "conv1d/adapter_model.safetensors", "conv1d/adapter_config.json")]    // fan_in_fan_out, rsLoRA
    [InlineData("base.gguf", "adapter.gguf")]                                                              // llama.cpp's adapter over a Q8_0 base
    public async Task Damaged_adapters_and_bases_merge_or_fail_with_a_NeuronKit_error(string @base, string adapter, string? config = null)
    {
        string[] files = [@base, adapter, .. config is null ? Array.Empty<string>() : [config]];

        // The adapter's folder as PEFT saves it (its config beside it), under the names the fixtures have.
        var outcome = await FileSetMutations.Run([.. files.Select(f => Fixtures.Path("diff/lora/" + f))],
            [.. files.Select(f => f.Replace("conv1d/", "adapter/"))], copies => Merge(copies[0], copies[1]));

        Assert.Null(outcome.Failure);
        Assert.Equal(outcome.Rounds, outcome.Answered + outcome.Refused);
        Assert.True(outcome.Answered > 0, "no damaged set was answered at all: the mutations never left a readable one");
    }

    // The base and the adapter merged over it, compared.
    private static void Merge(string @base, string adapter)
    {
        using var baseModel = Model.Open(@base);
        using var lora = LoraAdapter.Open(adapter);
        using var tuned = lora.Over(baseModel);
        _ = ModelDiff.Compute(baseModel, tuned);
    }
}
