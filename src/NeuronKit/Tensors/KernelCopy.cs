using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NeuronKit.Tensors;

/// <summary>
/// Copies a byte range of one file into another inside the kernel (Linux copy_file_range, as cp does): the bytes never
/// pass through the process, which is most of what copying a 2 GiB checkpoint's untouched records costs otherwise.
/// </summary>
internal static partial class KernelCopy
{
    /// <summary>
    /// Appends <paramref name="length"/> bytes of <paramref name="source"/> at <paramref name="offset"/> to
    /// <paramref name="destination"/> at its position, which moves past them. False, with nothing written, where the
    /// kernel cannot (another OS, a file system without it): the caller copies them itself.
    /// </summary>
    public static bool TryAppend(SafeFileHandle source, long offset, FileStream destination, long length)
    {
        if (!OperatingSystem.IsLinux()) return false;
        destination.Flush();
        long start = destination.Position;
        long from = offset, to = start;
        // https://man7.org/linux/man-pages/man2/copy_file_range.2.html: it may copy fewer bytes than asked; 0 is the source's end.
        while (to - start < length)
        {
            long copied = CopyFileRange((int)source.DangerousGetHandle(), ref from, (int)destination.SafeFileHandle.DangerousGetHandle(), ref to,
                (nuint)Math.Min(length - (to - start), 1 << 30), 0);
            if (copied < 0 && to == start) return false;
            if (copied <= 0)
                throw new IOException(copied == 0
                    ? $"the source ended at byte {from:N0}, before the {length:N0} bytes to copy from {offset:N0}"
                    : $"copy_file_range failed with errno {Marshal.GetLastPInvokeError()} after {to - start:N0} bytes");
        }
        destination.Position = start + length;
        return true;
    }

    [LibraryImport("libc", EntryPoint = "copy_file_range", SetLastError = true)]
    private static partial long CopyFileRange(int inFd, ref long inOffset, int outFd, ref long outOffset, nuint length, uint flags);
}
