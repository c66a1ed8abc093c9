using NeuronKit.Containers.Pickle;

namespace NeuronKit.Tests.Containers.Pickle;

/// <summary>The values a prune rewrites are emitted as CPython's pickler emits them (bytes from pickle.dumps), and spliced in with FRAMEs kept right.</summary>
public class PickleSpliceTests
{
    [Theory]
    [InlineData(0L, "4b00")]
    [InlineData(255L, "4bff")]
    [InlineData(256L, "4d0001")]
    [InlineData(65535L, "4dffff")]
    [InlineData(65536L, "4a00000100")]
    [InlineData(-1L, "4affffffff")]
    [InlineData(2147483648L, "8a050000008000")]
    [InlineData(-2147483649L, "8a05ffffff7fff")]
    [InlineData(1099511627776L, "8a06000000000001")]
    public void An_int_is_written_as_save_long_writes_it(long value, string hex) =>
        Assert.Equal(hex, Convert.ToHexStringLower(PickleSplice.Int(value)));

    [Theory]
    [InlineData(new long[0], "29")]
    [InlineData(new long[] { 4 }, "4b0485")]
    [InlineData(new long[] { 1, 2, 3, 4 }, "284b014b024b034b0474")]
    public void A_tuple_of_ints_is_written_as_save_tuple_writes_it_before_its_memo_put(long[] values, string hex) =>
        Assert.Equal(hex, Convert.ToHexStringLower(PickleSplice.IntTuple(values)));

    [Fact]
    public void A_value_replaced_inside_a_frame_changes_the_frame_s_length()
    {
        // Given pickle.dumps((300, 7), protocol=4): one FRAME around the tuple
        byte[] pickle = Convert.FromHexString("80049508000000000000004d2c014b0786942e");
        var trace = PickleTrace.Of(pickle, "test.pkl");
        var first = trace.Tuples.Single().Items![0];

        // When 300 becomes 3
        byte[] spliced = PickleSplice.Apply(pickle, [new PickleSplice.Replacement(first.Start, first.End, PickleSplice.Int(3))], trace.Frames, "test.pkl");

        // Then the bytes are pickle.dumps((3, 7), protocol=4)'s
        Assert.Equal("80049507000000000000004b034b0786942e", Convert.ToHexStringLower(spliced));
    }
}
