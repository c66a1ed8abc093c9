using System.Text;

namespace NeuronKit.Tests.Formats.NumPy;

/// <summary>Builds .npy arrays by hand, with any header text, as numpy/lib/format.py lays them out.</summary>
internal static class NpyBytes
{
    public static byte[] Build(string header, byte[] data, int major = 1)
    {
        int prefix = major == 1 ? 10 : 12;
        var text = Encoding.Latin1.GetBytes(header);
        int padding = (64 - (prefix + text.Length + 1) % 64) % 64;
        byte[] body = [.. text, .. Enumerable.Repeat((byte)' ', padding), (byte)'\n'];
        byte[] length = major == 1 ? BitConverter.GetBytes((ushort)body.Length) : BitConverter.GetBytes((uint)body.Length);
        return [0x93, .. "NUMPY"u8.ToArray(), (byte)major, 0, .. length, .. body, .. data];
    }

    public static string Header(string descr, string shape, bool fortran = false) =>
        $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";
}
