using Google.Protobuf;
using NeuronKit.Tests.Cli;
using static NeuronKit.Tests.Activations.ActivationFixtures;

namespace NeuronKit.Tests.Activations;

/// <summary>A model whose weights live in an external file (as every model over protobuf's 2 GB limit must).</summary>
public sealed class ActExternalDataTests
{
    [Fact]
    public void A_model_with_external_data_gives_the_same_activations_with_its_weights_left_outside()
    {
        // Given: cnn.onnx with every initializer moved to weights.bin beside it
        var model = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path("cnn.onnx")));
        using var weights = new MemoryStream();
        foreach (var tensor in model.Graph.Initializer.Where(t => t.RawData.Length > 0))
        {
            long offset = weights.Position;
            tensor.RawData.WriteTo(weights);
            tensor.ExternalData.Add(new global::Onnx.StringStringEntryProto { Key = "location", Value = "weights.bin" });
            tensor.ExternalData.Add(new global::Onnx.StringStringEntryProto { Key = "offset", Value = offset.ToString() });
            tensor.ExternalData.Add(new global::Onnx.StringStringEntryProto { Key = "length", Value = tensor.RawData.Length.ToString() });
            tensor.DataLocation = global::Onnx.TensorProto.Types.DataLocation.External;
            tensor.ClearRawData();
        }
        using var file = new TempFile("external.onnx", model.ToByteArray());
        File.WriteAllBytes(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(file.Path)!, "weights.bin"), weights.ToArray());
        Assert.True(weights.Length > 400, "the weights moved out");

        // When
        var outside = CliRun.Of("act", file.Path, "/conv1/Conv", "3", "--input", Path("cnn_x.npy"), "--post", "--json");
        var inside = CliRun.Of("act", Path("cnn.onnx"), "/conv1/Conv", "3", "--input", Path("cnn_x.npy"), "--post", "--json");

        // Then
        Assert.True(outside.Exit == 0, outside.Stderr);
        Assert.Equal(inside.Stdout, outside.Stdout);
    }
}
