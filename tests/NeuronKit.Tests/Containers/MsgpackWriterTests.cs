using NeuronKit.Containers.Msgpack;

namespace NeuronKit.Tests.Containers;

/// <summary>
/// Each head in the smallest form the msgpack spec allows for it, as msgpack-python packs it (so that a value NeuronKit
/// writes again is the bytes Flax would write): the boundaries of every form, from the spec's tables.
/// </summary>
public class MsgpackWriterTests
{
    private static string Hex(Action<MsgpackWriter> write)
    {
        using var stream = new MemoryStream();
        write(new MsgpackWriter(stream));
        return Convert.ToHexStringLower(stream.ToArray());
    }

    [Theory]
    [InlineData(0, "00")]
    [InlineData(127, "7f")]
    [InlineData(128, "cc80")]
    [InlineData(255, "ccff")]
    [InlineData(256, "cd0100")]
    [InlineData(65535, "cdffff")]
    [InlineData(65536, "ce00010000")]
    [InlineData(4294967295, "ceffffffff")]
    [InlineData(4294967296, "cf0000000100000000")]
    [InlineData(-1, "ff")]
    [InlineData(-32, "e0")]
    [InlineData(-33, "d0df")]
    [InlineData(-128, "d080")]
    [InlineData(-129, "d1ff7f")]
    [InlineData(-32769, "d2ffff7fff")]
    [InlineData(-2147483649, "d3ffffffff7fffffff")]
    public void Integers_take_the_smallest_form_unsigned_when_positive(long value, string hex) =>
        Assert.Equal(hex, Hex(w => w.Integer(value)));

    [Theory]
    [InlineData(15, "9f")]
    [InlineData(16, "dc0010")]
    [InlineData(65536, "dd00010000")]
    public void Arrays_count_their_items_in_the_smallest_head(long count, string hex) => Assert.Equal(hex, Hex(w => w.Array(count)));

    [Theory]
    [InlineData(31, "bf")]
    [InlineData(32, "d920")]
    [InlineData(256, "da0100")]
    public void Strings_are_fixstr_then_str8_str16(int length, string head) =>
        Assert.Equal(head + Convert.ToHexStringLower(new byte[length].Select(_ => (byte)'a').ToArray()), Hex(w => w.String(new string('a', length))));

    [Theory]
    [InlineData(0, "c400")]
    [InlineData(255, "c4ff")]
    [InlineData(256, "c50100")]
    [InlineData(65536, "c600010000")]
    public void Bins_are_bin8_bin16_bin32(long length, string hex) => Assert.Equal(hex, Hex(w => w.BinaryHead(length)));

    [Theory]
    [InlineData(1, "d401")]
    [InlineData(2, "d501")]
    [InlineData(4, "d601")]
    [InlineData(8, "d701")]
    [InlineData(16, "d801")]
    [InlineData(3, "c70301")]
    [InlineData(17, "c71101")]
    [InlineData(256, "c8010001")]
    [InlineData(65536, "c90001000001")]
    public void Extensions_of_1_2_4_8_16_bytes_are_fixext_others_ext8_ext16_ext32(long length, string hex) =>
        Assert.Equal(hex, Hex(w => w.ExtensionHead(1, length)));

    [Fact]
    public void What_it_writes_the_parser_reads_back()
    {
        using var stream = new MemoryStream();
        new MsgpackWriter(stream).Array(3).Integer(300).String("float32").BinaryHead(2);
        stream.Write([7, 9]);
        var bytes = stream.ToArray();

        var value = MsgpackParser.Parse(new NeuronKit.Tensors.MemoryBytes(bytes), 0, bytes.Length, "test");

        Assert.Equal([300L], value.Items.Take(1).Select(i => i.Integer));
        Assert.Equal("float32", value.Items[1].Text);
        Assert.Equal(2, value.Items[2].DataLength);
    }
}
