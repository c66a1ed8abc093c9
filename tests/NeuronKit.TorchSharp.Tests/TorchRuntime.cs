using static TorchSharp.torch;

namespace NeuronKit.TorchSharp.Tests;

/// <summary>Whether TorchSharp's native library loads in this process, and if not, why, for the tests' skip reason.</summary>
internal static class TorchRuntime
{
    /// <summary>Null when TorchSharp works here; otherwise the reason every TorchSharp test is skipped.</summary>
    public static string? Unavailable { get; } = Probe();

    private static string? Probe()
    {
        try
        {
            using var probe = zeros(1);
            return null;
        }
        catch (Exception e)
        {
            string first = e.Message.Split('\n')[0].Trim();
            return $"TorchSharp cannot load its native library here ({e.GetType().Name}: {first}). Where libstdc++ predates " +
                "GCC 13 (Debian 12), the build copies in a libLibTorchSharp.so that loads anyway " +
                "(build/WeakenTorchSharpGlibcxxNeed): rebuild this project and look for its message";
        }
    }
}
