using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace NeuronKit.TorchSharp.Tests;

/// <summary>The build's copy of TorchSharp's native wrapper (build/WeakenTorchSharpGlibcxxNeed): changed only where it must be.</summary>
public sealed class WrapperTests
{
    private const string Wrapper = "runtimes/linux-x64/native/libLibTorchSharp.so";
    private const byte VerFlgWeak = 0x2;

    [Fact]
    public void The_wrapper_beside_the_tests_is_the_package_s_own_except_for_a_weak_GLIBCXX_3_4_32_need_where_libstdcxx_lacks_that_version()
    {
        // Given the package's wrapper, and whether libstdc++ here has GLIBCXX_3.4.32 (GCC 13 added it with this symbol)
        string packages = typeof(WrapperTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "NuGetPackageRoot").Value!;
        string version = typeof(torch).Assembly.GetName().Version!.ToString(3);
        byte[] shipped = File.ReadAllBytes(Path.Combine(packages, "torchsharp", version, Wrapper));
        bool lacks = OperatingSystem.IsLinux()
            && !(NativeLibrary.TryLoad("libstdc++.so.6", out var libstdcxx)
                && NativeLibrary.TryGetExport(libstdcxx, "_ZSt21ios_base_library_initv", out _));

        // When the build's copy beside the tests is read
        byte[] built = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, Wrapper));

        // Then it is the package's byte for byte, or, where libstdc++ lacks the version, one byte differs by VER_FLG_WEAK
        Assert.Equal(shipped.Length, built.Length);
        int[] differ = Enumerable.Range(0, shipped.Length).Where(i => shipped[i] != built[i]).ToArray();
        if (!lacks)
        {
            Assert.Empty(differ);
            return;
        }
        int at = Assert.Single(differ);
        Assert.Equal(shipped[at] | VerFlgWeak, built[at]);
    }
}
