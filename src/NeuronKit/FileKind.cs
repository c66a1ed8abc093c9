using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace NeuronKit;

/// <summary>
/// What a path names beyond what .NET tells (it reports a device or a named pipe as a normal file, and no inode): Linux's
/// statx(2), symbolic links followed. A device, a named pipe or a socket is neither read as a model nor written over:
/// renaming a finished file onto /dev/null would replace the device.
/// </summary>
internal static class FileKind
{
    // https://man7.org/linux/man-pages/man2/statx.2.html: struct statx's fields used here, and their mask bits.
    private const int AtCurrentFolder = -100, StatxType = 0x1, StatxInode = 0x100, StatxSize = 256;
    private const int ModeOffset = 28, InodeOffset = 32, DeviceMajorOffset = 136, DeviceMinorOffset = 140;
    private const int TypeMask = 0xF000, Regular = 0x8000, Folder = 0x4000;

    /// <summary>True when <paramref name="path"/> exists and is neither a regular file nor a folder; false elsewhere than Linux.</summary>
    public static bool IsSpecial(string path)
    {
        if (Stat(path, StatxType) is not { } buffer) return false;
        int type = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(ModeOffset)) & TypeMask;
        return type is not (Regular or Folder);
    }

    /// <summary>
    /// Which file <paramref name="path"/> names (its device and inode): another file renamed onto the path has another.
    /// Null where it cannot be told (elsewhere than Linux, a path that is gone).
    /// </summary>
    public static (ulong Device, ulong Inode)? Identity(string path)
    {
        if (Stat(path, StatxInode) is not { } buffer) return null;
        ulong device = (ulong)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(DeviceMajorOffset)) << 32
            | BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(DeviceMinorOffset));
        return (device, BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(InodeOffset)));
    }

    // struct statx of path, or null where there is none to read.
    private static byte[]? Stat(string path, uint mask)
    {
        if (!OperatingSystem.IsLinux()) return null;
        var buffer = new byte[StatxSize];
        try
        {
            return Statx(AtCurrentFolder, path, 0, mask, buffer) == 0 ? buffer : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null; // a libc without statx (before glibc 2.28)
        }
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int folder, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}
