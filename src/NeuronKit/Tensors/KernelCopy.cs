using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NeuronKit.Tensors;

/// <summary>
/// Copies a byte range of one file into another inside the kernel (Linux copy_file_range, as cp does): the bytes never
/// pass through the process, which is most of what copying a 2 GiB checkpoint's untouched records costs otherwise.
/// Every caller flushes its output to disk before renaming it into place, so the disk starts writing each copied block
/// as soon as it is copied (sync_file_range, which does not wait): the final flush then waits for the last blocks only,
/// not for all of them after the copy.
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
        int output = (int)destination.SafeFileHandle.DangerousGetHandle();
        while (to - start < length)
        {
            long at = to;
            long copied = CopyFileRange((int)source.DangerousGetHandle(), ref from, output, ref to,
                (nuint)Math.Min(length - (to - start), WritebackBlock), 0);
            if (copied < 0 && to == start) return false;
            if (copied <= 0)
                throw new IOException(copied == 0
                    ? $"the source ended at byte {from:N0}, before the {length:N0} bytes to copy from {offset:N0}"
                    : $"copy_file_range failed with errno {Marshal.GetLastPInvokeError()} after {to - start:N0} bytes");
            // A hint: where the file system cannot, the flush at the end writes the blocks all the same.
            _ = SyncFileRange(output, at, to - at, SyncFileRangeWrite);
        }
        destination.Position = start + length;
        return true;
    }

    // Blocks of 64 MiB: large enough that a copy is a few dozen calls, small enough that the disk starts early.
    private const int WritebackBlock = 64 << 20;

    // https://man7.org/linux/man-pages/man2/sync_file_range.2.html: SYNC_FILE_RANGE_WRITE starts writing out the
    // range's dirty pages and returns without waiting for them.
    private const uint SyncFileRangeWrite = 2;

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(int fd, long offset, long length, uint flags);

    [LibraryImport("libc", EntryPoint = "copy_file_range", SetLastError = true)]
    private static partial long CopyFileRange(int inFd, ref long inOffset, int outFd, ref long outOffset, nuint length, uint flags);
}
