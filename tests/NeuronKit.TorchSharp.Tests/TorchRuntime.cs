using static TorchSharp.torch;

namespace NeuronKit.TorchSharp.Tests;

/// <summary>Whether TorchSharp's native library loads in this process, and if not, why, for the tests' skip reason.</summary>
internal static class TorchRuntime
{
    /// <summary>Null when TorchSharp works here; otherwise the reason every TorchSharp test is skipped.</summary>
    public static string? Unavailable { get; } = Probe();

    private const string Compat = "../shared/torchsharp-compat/enable.sh";

    private static string? Probe()
    {
        // enable.sh leaves a patched libLibTorchSharp.so in the build folder; loaded without the environment it prints,
        // that library crashes the process instead of throwing, so it is not touched then.
        string shim = Path.Combine(AppContext.BaseDirectory, "libios_base_library_init.so");
        if (File.Exists(shim) && !(Environment.GetEnvironmentVariable("LD_PRELOAD") ?? "").Contains(shim, StringComparison.Ordinal))
            return $"this build folder holds the libstdc++ compatibility patch of {Compat}, but not its environment: " +
                $"run eval \"$({Compat} tests/NeuronKit.TorchSharp.Tests/bin/Release/net10.0)\" first, as .ci/run does";
        try
        {
            using var probe = zeros(1);
            return null;
        }
        catch (Exception e)
        {
            string first = e.Message.Split('\n')[0].Trim();
            return $"TorchSharp cannot load its native library here ({e.GetType().Name}: {first}). On a system whose libstdc++ " +
                "predates GCC 13 (Debian 12), build, then eval \"$({Compat} " +
                "tests/NeuronKit.TorchSharp.Tests/bin/Release/net10.0)\" and run dotnet test --no-build, as .ci/run does";
        }
    }
}
