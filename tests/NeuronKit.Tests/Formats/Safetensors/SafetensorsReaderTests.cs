using NeuronKit.Formats;
using NeuronKit.Formats.Safetensors;
using NeuronKit.Tensors;
using NeuronKit.Tests.Oracle;

namespace NeuronKit.Tests.Formats.Safetensors;

public class SafetensorsReaderTests
{
    private static string Fixture(string name) => Fixtures.Path(Path.Combine("safetensors", name));

    private static CheckpointException Refused(string header, byte[] data, string name = "bad.safetensors")
    {
        using var file = new TempFile(name, SafetensorsBytes.Build(header, data));
        return Assert.Throws<CheckpointException>(() => new SafetensorsReader().Open(file.Path).Dispose());
    }

    [Fact]
    public void Metadata_strings_become_the_checkpoints_metadata()
    {
        foreach (var file in FixtureOracle.Root("safetensors").GetProperty("metadata").EnumerateObject())
        {
            using var checkpoint = CheckpointFormats.Open(Fixture(file.Name));

            foreach (var entry in file.Value.EnumerateObject())
                Assert.Equal(entry.Value.GetString(), checkpoint.Metadata[entry.Name]);
        }
    }

    [Fact]
    public void A_file_is_read_in_header_order_with_contiguous_views_of_its_own_bytes()
    {
        using var checkpoint = CheckpointFormats.Open(Fixture("seed_linear.safetensors"));

        Assert.Equal("safetensors", checkpoint.Format);
        Assert.Equal(["0.bias", "0.weight", "2.bias", "2.weight"], checkpoint.Tensors.Select(t => t.Name));
        var weight = checkpoint.Find("0.weight")!;
        Assert.Equal([5L, 10L], weight.Shape);
        Assert.Equal([10L, 1L], weight.Strides);
        Assert.Equal(200, weight.Storage.ByteLength);
        Assert.Equal(0, weight.Storage.ByteOffset % 4);
    }

    [Fact]
    public void Scalars_empty_tensors_leading_whitespace_and_an_empty_header_are_valid()
    {
        // Given a header padded in front, a scalar, a tensor with a 0 in its shape and one with 2 elements
        string header = "  \n{\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}," +
            "\"e\":{\"dtype\":\"F64\",\"shape\":[0,3],\"data_offsets\":[4,4]},\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        using var file = new TempFile("edge.safetensors", SafetensorsBytes.Build(header, SafetensorsBytes.Floats(3)));
        using var empty = new TempFile("empty_header.safetensors", SafetensorsBytes.Build("{}", []));

        using var checkpoint = CheckpointFormats.Open(file.Path);
        using var none = CheckpointFormats.Open(empty.Path);

        Assert.Equal([0.5], checkpoint.Find("s")!.View().ToDoubles());
        Assert.Empty(checkpoint.Find("e")!.View().ToDoubles());
        Assert.Equal([1.5, 2.5], checkpoint.Find("v")!.View().ToDoubles());
        Assert.Empty(none.Tensors);
    }

    [Fact]
    public void Unaligned_offsets_from_third_party_writers_are_read()
    {
        string header = "{\"b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[1,9]}}";
        using var file = new TempFile("unaligned.safetensors", SafetensorsBytes.Build(header, [7, .. SafetensorsBytes.Floats(2)]));

        using var checkpoint = CheckpointFormats.Open(file.Path);

        Assert.Equal([0.5, 1.5], checkpoint.Find("w")!.View().ToDoubles());
        Assert.Equal([7.0], checkpoint.Find("b")!.View().ToDoubles());
    }

    [Theory]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1e3],\"data_offsets\":[0,4]}}", "shape entry 1e3")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", "shape entry -1")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}", "shape entry 1.0")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[18446744073709551615],\"data_offsets\":[0,4]}}", "not an integer from 0 to 2^63-1")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", "data_offsets of 3 entries")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}}", "1 data_offsets")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", "end before they begin")]
    [InlineData("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", "no dtype")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", "no shape")]
    [InlineData("{\"w\":[1,2]}", "with a JSON array")]
    [InlineData("[1,2]", "a JSON array, not an object")]
    [InlineData("{\"__metadata__\":{\"a\":{\"b\":\"c\"}},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "__metadata__ entry 'a'")]
    [InlineData("{\"__metadata__\":[\"a\"]}", "__metadata__ that is a JSON array")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[[1]],\"data_offsets\":[0,4]}}", "shape entry [1]")]
    [InlineData("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":1}}}}}", "not valid safetensors JSON")]
    public void Malformed_headers_are_refused_naming_the_bad_value(string header, string expected)
    {
        Assert.Contains(expected, Refused(header, SafetensorsBytes.Floats(1)).Message);
    }

    [Theory]
    [InlineData("{this is not js}", "'t' is an invalid start of a property name. Expected a '\"' (at byte 1)")]
    [InlineData("{\"w\":\n tru}", "(at byte 4 of line 2)")]
    public void A_header_that_is_not_JSON_says_where_in_words_of_ours(string header, string expected)
    {
        var message = Refused(header, SafetensorsBytes.Floats(1)).Message;

        Assert.EndsWith(expected, message);
        Assert.DoesNotContain("LineNumber", message);
    }

    [Fact]
    public void A_header_that_is_not_UTF8_is_refused()
    {
        byte[] header = [.. "{\"w\xff\":{}}"u8.ToArray()[..4], 0xFF, .. "\":{}}   "u8.ToArray()];
        using var file = new TempFile("latin.safetensors", [.. BitConverter.GetBytes((ulong)header.Length), .. header]);

        var e = Assert.Throws<CheckpointException>(() => new SafetensorsReader().Open(file.Path).Dispose());

        Assert.StartsWith("latin.safetensors has a header that is not valid", e.Message);
    }

    [Fact]
    public void A_file_shorter_than_the_header_length_is_refused_as_truncated()
    {
        using var file = new TempFile("tiny.safetensors", [2, 0, 0]);

        var e = Assert.Throws<CheckpointException>(() => new SafetensorsReader().Open(file.Path).Dispose());

        Assert.Equal("tiny.safetensors is truncated: 3 bytes, fewer than the 8 of a safetensors header length", e.Message);
    }

    [Fact]
    public void Opening_a_large_file_reads_no_tensor_bytes()
    {
        // Given a safetensors file with one 1 GiB tensor (sparse on disk)
        const long size = 1L << 30;
        string header = $"{{\"big.weight\":{{\"dtype\":\"F32\",\"shape\":[{size / 4 / 1024},1024],\"data_offsets\":[0,{size}]}}}}";
        using var file = new TempFile("big.safetensors", SafetensorsBytes.Build(header, []));
        using (var stream = new FileStream(file.Path, FileMode.Open)) stream.SetLength(stream.Length + size);

        // When it is opened
        long before = GC.GetAllocatedBytesForCurrentThread();
        using var checkpoint = new SafetensorsReader().Open(file.Path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Then the tensor is there, and opening allocated nothing like its size
        Assert.Equal(size / 4, checkpoint.Find("big.weight")!.ElementCount);
        Assert.True(allocated < 1 << 20, $"Open allocated {allocated:N0} bytes");
    }

    [Fact]
    public void Hostile_bytes_fail_only_with_CheckpointException()
    {
        // A small fuzz target: seeded random corruptions of a valid file either open or are refused cleanly.
        var good = File.ReadAllBytes(Fixture("seed_linear.safetensors"));
        var random = new Random(1234);
        int opened = 0, refused = 0;
        for (int round = 0; round < 300; round++)
        {
            var bytes = (byte[])good.Clone();
            int edits = random.Next(1, 4);
            for (int i = 0; i < edits; i++)
            {
                int at = random.Next(round % 2 == 0 ? Math.Min(bytes.Length, 160) : bytes.Length);
                bytes[at] = (byte)random.Next(256);
            }
            if (round % 7 == 0) bytes = bytes[..random.Next(bytes.Length)];
            using var file = new TempFile("fuzz.safetensors", bytes);
            try
            {
                using var checkpoint = new SafetensorsReader().Open(file.Path);
                foreach (var tensor in checkpoint.Tensors) tensor.View().ToDoubles();
                opened++;
            }
            catch (CheckpointException e)
            {
                Assert.StartsWith("fuzz.safetensors ", e.Message);
                refused++;
            }
        }

        // A reader that refused every file, or let every corruption through, would not be tested by this
        Assert.True(opened > 0 && refused > 0, $"{opened} opened, {refused} refused");
    }

    [Theory]
    [InlineData("sharded/model.safetensors.index.json")]
    [InlineData("sharded/model-00002-of-00002.safetensors")]
    public void A_sharded_model_names_its_index_and_every_shard_as_the_files_it_was_read_from(string opened)
    {
        using var model = Model.Open(Fixture(opened));

        // The index, then its shards in the order it first names them (conv1.bias, in shard 2, comes first)
        Assert.Equal(new[] { "model.safetensors.index.json", "model-00002-of-00002.safetensors", "model-00001-of-00002.safetensors" }
            .Select(f => Path.GetFullPath(Fixture("sharded/" + f))), model.Checkpoint.Files);
    }

    [Fact]
    public void Detection_tells_a_safetensors_file_and_an_index_from_other_files()
    {
        var reader = new SafetensorsReader();

        Assert.True(reader.Detect(File.ReadAllBytes(Fixture("seed_linear.safetensors"))[..64]));
        Assert.True(reader.Detect(File.ReadAllBytes(Fixture("sharded/model.safetensors.index.json"))[..64]));
        Assert.True(reader.Detect("{\"weight_map\": {}}"u8));
        Assert.False(reader.Detect(File.ReadAllBytes(Fixtures.PyTorch("seed_linear.pt"))[..64]));
        Assert.False(reader.Detect(File.ReadAllBytes(Fixtures.Path("numpy/matrix.npy"))[..64]));
        Assert.False(reader.Detect("{\"architectures\": [\"GPT2\"]}"u8));
        Assert.False(reader.Detect("hello, world {"u8));
        // GGUF v3 with 123 tensors: magic + version read as a length would be 3·2^32 + …, and byte 8 is '{'
        Assert.False(reader.Detect([.. "GGUF"u8.ToArray(), 3, 0, 0, 0, (byte)'{', 0, 0, 0, 0, 0, 0, 0]));
    }
}
