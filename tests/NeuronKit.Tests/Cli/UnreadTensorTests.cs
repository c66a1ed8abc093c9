namespace NeuronKit.Tests.Cli;

/// <summary>
/// Tensors of a type NeuronKit does not read (an HDF5 compound, ONNX INT4, Flax int4) in <c>layers</c> and
/// <c>tensors</c>, whose tables leave them out, and in <c>show</c>, which names the type.
/// </summary>
public class UnreadTensorTests
{
    [Theory]
    [InlineData("layers", "keras/unread.h5", "not read: 2 tensors of a type NeuronKit does not read: dense.kernel (compound), dense.bias (compound)")]
    [InlineData("tensors", "keras/unread.h5", "not read: 2 tensors of a type NeuronKit does not read: dense.kernel (compound), dense.bias (compound)")]
    [InlineData("tensors", "onnx/qdq_int4.onnx", "not read: 1 tensor of a type NeuronKit does not read: w_quantized (INT4)")]
    [InlineData("layers", "flax/int4.msgpack", "not read: 1 tensor of a type NeuronKit does not read: Dense_1.kernel (int4)")]
    [InlineData("tensors", "graph/string_constants.onnx", "not read: 3 tensors of a type NeuronKit does not read: names (STRING), label (STRING), labels (STRING)")]
    [InlineData("layers", "graph/string_constants.onnx", "not read: 3 tensors of a type NeuronKit does not read: names (STRING), label (STRING), labels (STRING)")]
    public void The_tables_say_which_tensors_they_leave_out_and_of_what_type(string command, string file, string line)
    {
        // Given a file holding tensors NeuronKit does not read (all of them, in unread.h5: its table is empty)
        // When its layers or tensors are listed
        var run = CliRun.Of(command, Fixtures.Path(file));

        // Then a line under the table names them
        Assert.Equal(0, run.Exit);
        Assert.Contains($"\n{line}\n", run.Stdout);
    }

    [Theory]
    [InlineData("names")]
    [InlineData("label")]
    [InlineData("labels")]
    public void Show_of_a_string_tensor_names_its_type_whether_an_initializer_or_a_Constant_holds_it(string tensor)
    {
        // Given string_constants.onnx: names is a STRING initializer, label a Constant's value_string, labels its value_strings
        var run = CliRun.Of("show", Fixtures.Path("graph/string_constants.onnx"), tensor, "0");

        Assert.Equal(2, run.Exit);
        Assert.Equal($"error: layer '{tensor}' is not read: its tensor {tensor} is STRING, which NeuronKit does not read\n", run.Stderr);
    }

    [Fact]
    public void A_file_whose_tensors_are_all_read_has_no_such_line()
    {
        var run = CliRun.Of("layers", Fixtures.Path("keras/mlp.h5"));

        Assert.Equal(0, run.Exit);
        Assert.DoesNotContain("not read", run.Stdout);
    }
}
