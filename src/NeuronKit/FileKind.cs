using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace NeuronKit;

/// <summary>
/// What a path names beyond what .NET tells (it reports a device or a named pipe as a normal file): Linux's statx(2),
/// symbolic links followed. A device, a named pipe or a socket is neither read as a model nor written over: renaming a
/// finished file onto /dev/null would replace the device.
/// </summary>
internal static class FileKind
{
    private const int AtCurrentFolder = -100, StatxType = 0x1, StatxSize = 256, ModeOffset = 28;
    private const int TypeMask = 0xF000, Regular = 0x8000, Folder = 0x4000;

    /// <summary>True when <paramref name="path"/> exists and is neither a regular file nor a folder; false elsewhere than Linux.</summary>
    public static bool IsSpecial(string path)
    {
        if (!OperatingSystem.IsLinux()) return false;
        var buffer = new byte[StatxSize];
        try
        {
            if (Statx(AtCurrentFolder, path, 0, StatxType, buffer) != 0) return false;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // a libc without statx (before glibc 2.28): the rename is all there is
        }
        int type = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(ModeOffset)) & TypeMask;
        return type is not (Regular or Folder);
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int folder, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}
