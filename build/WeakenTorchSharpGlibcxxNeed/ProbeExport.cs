// An MSBuild task, compiled by RoslynCodeTaskFactory (WeakenTorchSharpGlibcxxNeed.targets). It calls dlopen and dlsym
// itself: the factory compiles against .NET Standard, which has no NativeLibrary.
using System;
using System.Runtime.InteropServices;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>Whether a shared library, found as the dynamic loader finds it, exports a symbol (Linux, glibc).</summary>
public sealed class ProbeExport : Task
{
    private const int RtldLazy = 1;

    /// <summary>The library's name (libstdc++.so.6) or path.</summary>
    [Required] public string Library { get; set; } = "";

    /// <summary>The symbol's mangled name.</summary>
    [Required] public string Symbol { get; set; } = "";

    /// <summary>True when the library loads and exports the symbol.</summary>
    [Output] public bool Exported { get; set; }

    /// <inheritdoc/>
    public override bool Execute()
    {
        // A library that does not load here exports nothing here: the caller then takes its cautious path.
        IntPtr handle;
        try { handle = dlopen(Library, RtldLazy); }
        catch (DllNotFoundException) { handle = IntPtr.Zero; }
        if (handle == IntPtr.Zero)
        {
            Log.LogMessage(MessageImportance.Normal, $"{Library} does not load here, so it exports no {Symbol}");
            return true;
        }
        Exported = dlsym(handle, Symbol) != IntPtr.Zero;
        dlclose(handle);
        return true;
    }

    // libdl.so.2 exports these on every glibc, also since 2.34 moved them into libc.so.6.
    [DllImport("libdl.so.2")] private static extern IntPtr dlopen(string file, int mode);

    [DllImport("libdl.so.2")] private static extern IntPtr dlsym(IntPtr handle, string symbol);

    [DllImport("libdl.so.2")] private static extern int dlclose(IntPtr handle);
}
