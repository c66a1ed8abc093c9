// An MSBuild task, compiled by RoslynCodeTaskFactory (WeakenTorchSharpGlibcxxNeed.targets) against .NET Standard 2.0,
// hence BitConverter (little-endian hosts, as every TorchSharp platform is) rather than spans.
// Version needs (.gnu.version_r, Verneed/Vernaux) and .gnu.version: the LSB's "Symbol Versioning",
// https://refspecs.linuxfoundation.org/LSB_5.0.0/LSB-Core-generic/LSB-Core-generic/symversion.html
using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>Copies a 64-bit ELF shared library with its need for one symbol version marked weak (VER_FLG_WEAK).</summary>
public sealed class WeakenVersionNeed : Task
{
    private const uint ShtDynsym = 11, ShtGnuVerneed = 0x6FFFFFFE, ShtGnuVersym = 0x6FFFFFFF;
    private const byte VerFlgWeak = 0x2;

    /// <summary>The library to read; it is never written.</summary>
    [Required] public string Library { get; set; } = "";

    /// <summary>Where the copy goes.</summary>
    [Required] public string Destination { get; set; } = "";

    /// <summary>The version whose need becomes weak, such as GLIBCXX_3.4.32.</summary>
    [Required] public string Version { get; set; } = "";

    /// <summary>The only symbols the library may take from that version; any other leaves the copy unchanged.</summary>
    [Required] public string[] Symbols { get; set; } = Array.Empty<string>();

    /// <inheritdoc/>
    public override bool Execute()
    {
        byte[] elf = File.ReadAllBytes(Library);
        if (elf.Length < 64 || U32(elf, 0) != 0x464C457F || elf[4] != 2 || elf[5] != 1)
        {
            Log.LogError($"{Library}: not a 64-bit little-endian ELF file, so its version needs cannot be read");
            return false;
        }
        var sections = Sections(elf);
        int aux = NeedOf(elf, sections);
        string[] others = aux < 0
            ? Array.Empty<string>()
            : SymbolsTaking(elf, sections, U16(elf, aux + 6) & 0x7FFF).Except(Symbols).ToArray(); // vna_other
        if (aux < 0)
            Log.LogMessage(MessageImportance.High, $"{Library} needs no {Version}: copied unchanged");
        else if (others.Length > 0)
            Log.LogWarning($"{Library} takes {string.Join(", ", others)} from {Version}, which a weak need cannot stand in for: " +
                "copied unchanged, so it loads only with a libstdc++ that has that version");
        else
        {
            elf[aux + 4] |= VerFlgWeak; // vna_flags, low byte
            Log.LogMessage(MessageImportance.High, $"{Destination}: {Library} with its need for {Version} made weak");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(Destination))!);
        File.WriteAllBytes(Destination, elf);
        return true;
    }

    // Each section header: (sh_type, sh_offset, sh_size, sh_link, sh_info).
    private static (uint Type, int Offset, int Size, int Link, int Info)[] Sections(byte[] elf)
    {
        int shoff = checked((int)BitConverter.ToUInt64(elf, 0x28));
        int shentsize = U16(elf, 0x3A), shnum = U16(elf, 0x3C);
        return Enumerable.Range(0, shnum).Select(i => shoff + i * shentsize).Select(at => (
            U32(elf, at + 4),
            checked((int)BitConverter.ToUInt64(elf, at + 24)),
            checked((int)BitConverter.ToUInt64(elf, at + 32)),
            (int)U32(elf, at + 40),
            (int)U32(elf, at + 44))).ToArray();
    }

    // The file offset of the Vernaux entry that names Version, or -1.
    private int NeedOf(byte[] elf, (uint Type, int Offset, int Size, int Link, int Info)[] sections)
    {
        var verneed = sections.FirstOrDefault(s => s.Type == ShtGnuVerneed);
        if (verneed.Type == 0) return -1;
        int strtab = sections[verneed.Link].Offset;
        int need = verneed.Offset;
        for (int i = 0; i < verneed.Info; i++, need += (int)U32(elf, need + 12)) // vn_next
        {
            int aux = need + (int)U32(elf, need + 8); // vn_aux
            for (int j = 0; j < U16(elf, need + 2); j++, aux += (int)U32(elf, aux + 12)) // vn_cnt, vna_next
                if (Name(elf, strtab + (int)U32(elf, aux + 8)) == Version) return aux; // vna_name
        }
        return -1;
    }

    // The names of the dynamic symbols whose .gnu.version entry is the given version index.
    private static string[] SymbolsTaking(byte[] elf, (uint Type, int Offset, int Size, int Link, int Info)[] sections, int index)
    {
        var versym = sections.First(s => s.Type == ShtGnuVersym);
        var dynsym = sections.First(s => s.Type == ShtDynsym);
        int dynstr = sections[dynsym.Link].Offset;
        return Enumerable.Range(0, versym.Size / 2)
            .Where(i => (U16(elf, versym.Offset + 2 * i) & 0x7FFF) == index)
            .Select(i => Name(elf, dynstr + (int)U32(elf, dynsym.Offset + 24 * i))) // Elf64_Sym is 24 bytes, st_name first
            .ToArray();
    }

    private static ushort U16(byte[] elf, int at) => BitConverter.ToUInt16(elf, at);

    private static uint U32(byte[] elf, int at) => BitConverter.ToUInt32(elf, at);

    private static string Name(byte[] elf, int at) => Encoding.ASCII.GetString(elf, at, Array.IndexOf(elf, (byte)0, at) - at);
}
