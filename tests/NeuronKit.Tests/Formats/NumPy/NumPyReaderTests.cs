using NeuronKit.Containers.Zip;
using NeuronKit.Formats;
using NeuronKit.Formats.NumPy;
using NeuronKit.Formats.PyTorch;
using NeuronKit.Tensors;
using NeuronKit.Tests.Containers.Zip;

namespace NeuronKit.Tests.Formats.NumPy;

public class NumPyReaderTests
{
    private static string Fixture(string name) => Fixtures.Path(Path.Combine("numpy", name));

    private static Checkpoint OpenBytes(string name, byte[] bytes, out TempFile file)
    {
        file = new TempFile(name, bytes);
        return new NumPyReader().Open(file.Path);
    }

    private static CheckpointException Refused(string name, byte[] bytes)
    {
        using var file = new TempFile(name, bytes);
        return Assert.Throws<CheckpointException>(() => new NumPyReader().Open(file.Path).Dispose());
    }

    [Fact]
    public void An_npy_file_is_one_tensor_named_by_its_stem()
    {
        using var checkpoint = CheckpointFormats.Open(Fixture("fc.weight.v2.npy"));

        Assert.Equal("numpy", checkpoint.Format);
        Assert.Equal("npy", checkpoint.Metadata["variant"]);
        Assert.Equal(["fc.weight.v2"], checkpoint.Tensors.Select(t => t.Name));
        Assert.Equal([4L, 6L], checkpoint.Tensors[0].Shape);
    }

    [Fact]
    public void A_fortran_order_array_is_a_column_major_view()
    {
        using var checkpoint = CheckpointFormats.Open(Fixture("fortran.npy"));

        var tensor = checkpoint.Tensors[0];

        Assert.Equal([3L, 4L], tensor.Shape);
        Assert.Equal([1L, 3L], tensor.Strides);
    }

    [Fact]
    public void Npz_members_are_tensors_stored_ones_in_place_deflated_ones_inflated()
    {
        using var stored = CheckpointFormats.Open(Fixture("seed_conv.npz"));
        using var deflated = CheckpointFormats.Open(Fixture("seed_conv_compressed.npz"));

        string[] names = ["conv1.weight", "conv1.bias", "fc.weight", "fc.bias"];
        Assert.Equal(names, stored.Tensors.Select(t => t.Name));
        Assert.Equal(names, deflated.Tensors.Select(t => t.Name));
        Assert.All(stored.Tensors, t => Assert.IsType<MappedFile>(t.Storage.Source));
        Assert.All(deflated.Tensors, t => Assert.IsType<NeuronKit.Containers.Zip.InflatedMember>(t.Storage.Source));
        Assert.All(names, n => Assert.Equal(stored.Find(n)!.View().ToDoubles(), deflated.Find(n)!.View().ToDoubles()));
        Assert.Equal("4", stored.Metadata["arrays"]);
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }", new long[] { 2, 3 })]  // Python 2's longs
    [InlineData("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (6,)}", new long[] { 6 })]
    [InlineData("{'shape': (1, 2, 3), 'fortran_order': False, 'descr': '<f4'}", new long[] { 1, 2, 3 })]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (6, 1, 1, 1,), }", new long[] { 6, 1, 1, 1 })]
    public void Headers_numpy_has_written_over_the_years_are_read(string header, long[] shape)
    {
        using var checkpoint = OpenBytes("a.npy", NpyBytes.Build(header, new byte[24]), out var file);
        using (file)
            Assert.Equal(shape, checkpoint.Tensors[0].Shape);
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (6), }", "shape that is not a tuple")]
    [InlineData("{'descr': '<f4', 'fortran_order': 0, 'shape': (6,), }", "fortran_order that is not True or False")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'extra': 1}", "'extra' unexpected")]
    [InlineData("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (6,)}", "the key 'descr' twice")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': ((((6,),),),), }", "nesting deeper than 4")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (6,)} junk", "text after the literal")]
    [InlineData("{'descr': '<f\\x34', 'fortran_order': False, 'shape': (6,)}", "an escape other than")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", "not an integer that fits 64 bits")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (6.0,)}", "a missing ',' or ')'")]
    [InlineData("['descr', '<f4']", "not a dict")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (3037000500, 3037000500, 4), }", "too large to address")]
    [InlineData("{'descr': '>i8', 'fortran_order': False, 'shape': (3,), }", "big-endian")]
    [InlineData("{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (3,), }", "datetimes")]
    [InlineData("{'descr': '<U3', 'fortran_order': False, 'shape': (3,), }", "unicode strings")]
    [InlineData("{'descr': '<V2', 'fortran_order': False, 'shape': (3,), }", "raw void bytes")]
    [InlineData("{'descr': '<f16', 'fortran_order': False, 'shape': (3,), }", "long double")]
    [InlineData("{'descr': '=f4', 'fortran_order': False, 'shape': (3,), }", "byte order '='")]
    public void Headers_that_are_not_plain_literals_of_the_three_keys_are_refused(string header, string expected)
    {
        var e = Refused("bad.npy", NpyBytes.Build(header, new byte[24]));

        Assert.StartsWith("bad.npy ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void One_byte_types_accept_any_byte_order_mark()
    {
        using var checkpoint = OpenBytes("u8.npy", NpyBytes.Build(NpyBytes.Header(">u1", "(3,)"), [1, 2, 250]), out var file);
        using (file)
            Assert.Equal([1.0, 2.0, 250.0], checkpoint.Tensors[0].View().ToDoubles());
    }

    [Fact]
    public void A_header_length_past_the_end_and_unknown_versions_are_refused()
    {
        byte[] good = NpyBytes.Build(NpyBytes.Header("<f4", "(1,)"), new byte[4]);
        byte[] longHeader = [.. good[..8], 0xFF, 0x7F, .. good[10..]];
        byte[] version4 = [.. good[..6], 4, 0, .. good[8..]];
        byte[] hugeV2 = NpyBytes.Build(NpyBytes.Header("<f4", "(1,)"), new byte[4], major: 2);
        hugeV2[8] = 0xFF; hugeV2[9] = 0xFF; hugeV2[10] = 0xFF; hugeV2[11] = 0x7F;

        Assert.Equal("long.npy has an .npy header of 32,767 bytes, more than the 10,000 numpy allows", Refused("long.npy", longHeader).Message);
        Assert.Contains("format version 4.0", Refused("v4.npy", version4).Message);
        Assert.Contains("more than the 10,000 numpy allows", Refused("huge.npy", hugeV2).Message);
        Assert.Contains("is truncated", Refused("short.npy", good[..9]).Message);
    }

    [Fact]
    public void An_npz_member_is_named_in_errors_with_its_archive()
    {
        byte[] bad = NpyBytes.Build(NpyBytes.Header(">f8", "(1,)"), new byte[8]);
        var zip = new ZipBuilder().Add("ok.npy", NpyBytes.Build(NpyBytes.Header("<f4", "(1,)"), new byte[4])).Add("w.npy", bad).Build();

        var e = Refused("model.npz", zip);

        Assert.StartsWith("model.npz member w.npy holds an array of dtype '>f8', which is big-endian", e.Message);
    }

    [Fact]
    public void Opening_a_large_npy_reads_no_element_bytes()
    {
        // Given a 512 MiB float32 array (sparse on disk)
        const long size = 512L << 20;
        using var file = new TempFile("big.npy", NpyBytes.Build(NpyBytes.Header("<f4", $"({size / 4 / 1024}, 1024)"), []));
        using (var stream = new FileStream(file.Path, FileMode.Open)) stream.SetLength(stream.Length + size);

        // When it is opened
        long before = GC.GetAllocatedBytesForCurrentThread();
        using var checkpoint = new NumPyReader().Open(file.Path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Then the tensor is there, and opening allocated nothing like its size
        Assert.Equal(size / 4, checkpoint.Tensors[0].ElementCount);
        Assert.True(allocated < 1 << 20, $"Open allocated {allocated:N0} bytes");
    }

    [Fact]
    public void Npz_and_torch_zips_are_told_apart_even_when_the_first_name_is_long()
    {
        // Given an npz whose first member name runs past 64 bytes, and torch zips with short and long folder names
        var npz = File.ReadAllBytes(Fixture("long_names.npz"));
        var torch = File.ReadAllBytes(Fixtures.PyTorch("seed_linear.pt"));
        var longTorch = new ZipBuilder().Add(new string('m', 80) + "/data.pkl", [0x80, 0x02, 0x7d, 0x2e]).Build();
        var numpy = new NumPyReader();
        var pytorch = new PyTorchReader();

        // Then exactly one reader claims each (Detect sees what CheckpointFormats reads: a zip's first header and whole name)
        Assert.True(numpy.Detect(npz) && !pytorch.Detect(npz));
        Assert.True(pytorch.Detect(torch) && !numpy.Detect(torch));
        Assert.True(pytorch.Detect(longTorch) && !numpy.Detect(longTorch));
        // The registry's first claimant decides (TorchSharp, last, detects loosely and confirms by parsing the whole file)
        Assert.IsType<NumPyReader>(CheckpointFormats.All.First(r => r.Detect(npz)));
        Assert.IsType<NumPyReader>(CheckpointFormats.All.First(r => r.Detect(File.ReadAllBytes(Fixture("matrix.npy")))));
    }

    [Fact]
    public void Hostile_bytes_fail_only_with_CheckpointException()
    {
        // A small fuzz target over an .npy and an .npz: seeded random corruptions either open or are refused cleanly.
        var random = new Random(4321);
        foreach (var (name, good) in new[] { ("m.npy", File.ReadAllBytes(Fixture("matrix.npy"))), ("s.npz", File.ReadAllBytes(Fixture("seed_conv_compressed.npz"))) })
        {
            int opened = 0, refused = 0;
            for (int round = 0; round < 200; round++)
            {
                var bytes = (byte[])good.Clone();
                for (int i = random.Next(1, 4); i > 0; i--)
                    bytes[random.Next(round % 2 == 0 ? Math.Min(bytes.Length, 128) : bytes.Length)] = (byte)random.Next(256);
                if (round % 9 == 0) bytes = bytes[..random.Next(bytes.Length)];
                using var file = new TempFile(name, bytes);
                try
                {
                    using var checkpoint = new NumPyReader().Open(file.Path);
                    foreach (var tensor in checkpoint.Tensors) tensor.View().ToDoubles();
                    opened++;
                }
                catch (CheckpointException e)
                {
                    Assert.StartsWith($"{name} ", e.Message);
                    refused++;
                }
            }

            // A reader that refused every file, or let every corruption through, would not be tested by this
            Assert.True(opened > 0 && refused > 0, $"{name}: {opened} opened, {refused} refused");
        }
    }
}
