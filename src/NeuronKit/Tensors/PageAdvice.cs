using System.Runtime.InteropServices;

namespace NeuronKit.Tensors;

/// <summary>
/// madvise(MADV_DONTNEED) on a read-only file mapping: the pages leave the process's resident set and stay in the
/// page cache, so touching them again is a cheap minor fault. Without it a scan of a 2 GiB file ends with 2 GiB resident.
/// </summary>
internal static unsafe partial class PageAdvice
{
    // https://man7.org/linux/man-pages/man2/madvise.2.html: MADV_DONTNEED is 4 on Linux and macOS.
    private const int MadvDontNeed = 4;

    private static readonly bool Supported = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS();

    /// <summary>Advises the whole pages inside [start, start + length); partial pages at either end are kept.</summary>
    public static void DontNeed(byte* start, long length)
    {
        if (!Supported) return;
        long page = Environment.SystemPageSize;
        long first = ((long)start + page - 1) / page * page;
        long end = ((long)start + length) / page * page;
        if (end <= first) return;
        // A hint only: a failure leaves the pages resident, which is what happens without it.
        _ = Madvise((nint)first, (nuint)(end - first), MadvDontNeed);
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
