using NeuronKit.Tests.Containers.Pickle;
using NeuronKit.Tests.Containers.Zip;

namespace NeuronKit.Tests.Formats.PyTorch;

/// <summary>Writes torch.save-shaped zip archives from hand-built pickles, for files PyTorch itself would never write.</summary>
internal static class TorchZipFile
{
    public static ZipBuilder Builder(PickleBytes pickle, params (string Key, byte[] Bytes)[] storages)
    {
        var builder = new ZipBuilder().Add("ckpt/data.pkl", pickle.ToArray(), localPadding: 20);
        foreach (var (key, bytes) in storages) builder.Add($"ckpt/data/{key}", bytes, localPadding: 32);
        return builder.Add("ckpt/version", "3\n");
    }

    public static TempFile Write(PickleBytes pickle, params (string Key, byte[] Bytes)[] storages) =>
        new("ckpt.pt", Builder(pickle, storages).Build());

    public static byte[] Floats(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();
}
