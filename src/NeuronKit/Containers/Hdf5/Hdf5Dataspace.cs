namespace NeuronKit.Containers.Hdf5;

/// <summary>A dataspace message (version 1 or 2): the shape of a dataset or attribute.</summary>
internal static class Hdf5Dataspace
{
    // HDF5's own limit on a dataspace's rank.
    private const int MaxRank = 32;

    /// <summary>The dimensions of the dataspace in <paramref name="fields"/>; [] for a scalar, null for a null dataspace (no elements).</summary>
    public static long[]? Read(ref Hdf5Fields fields, Hdf5File file, string what)
    {
        int version = fields.Byte();
        int rank = fields.Byte();
        int flags = fields.Byte();
        bool empty = false;
        if (version == 1)
        {
            fields.Skip(5); // reserved
        }
        else if (version == 2)
        {
            int type = fields.Byte();
            if (type > 2) throw file.Corrupt($"{what} has dataspace type {type} (scalar 0, simple 1, null 2)");
            empty = type == 2;
        }
        else
        {
            throw file.Corrupt($"{what} has dataspace version {version} (1 or 2)");
        }
        if (rank > MaxRank) throw file.Corrupt($"{what} has {rank} dimensions (at most {MaxRank})");
        var dims = new long[rank];
        for (int d = 0; d < rank; d++) dims[d] = fields.Length();
        return empty ? null : dims;
    }
}
