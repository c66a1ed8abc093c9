using NeuronKit.Formats;
using NeuronKit.Tensors;
using NeuronKit.Tests.Oracle;

namespace NeuronKit.Tests.Formats.Onnx;

/// <summary>
/// A real third-party model: ML.NET's ResNet18 featurizer (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1, exported
/// by CNTK with every weight in float_data), read from the NuGet cache and checked against python3-onnx's values.
/// </summary>
public class OnnxResNet18Tests
{
    public static TheoryData<string> Queries() => [.. OnnxExpected.ResNetQueries().Select(q => q.ToString())];

    private static OnnxQuery Query(string key) => OnnxExpected.ResNetQueries().Single(q => q.ToString() == key);

    [Theory]
    [MemberData(nameof(Queries))]
    public void Every_recorded_neuron_has_the_values_onnx_reads(string key)
    {
        var query = Query(key);
        FixtureOracle.AssertLibrary(query.FilePath, query.Layer, query.Index, query.Expect);
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public void Show_json_prints_the_recorded_values(string key)
    {
        var query = Query(key);
        FixtureOracle.AssertShowJson(query.FilePath, query.Layer, query.Index, query.Expect, "onnx");
    }

    [Fact]
    public void Every_conv_and_batch_norm_node_is_a_layer_and_nothing_is_left_over()
    {
        using var model = Model.Open(OnnxExpected.ResNet18Path);

        Assert.Equal("onnx", model.Checkpoint.Format);
        Assert.Equal(OnnxExpected.ResNetLayers, model.Layers.Count);
        Assert.All(model.Layers, l => Assert.Contains(l.Kind, (string[])["Conv2d", "BatchNorm"]));
        Assert.Equal("CNTK", model.Checkpoint.Metadata["producer"].Split(' ')[0]);
    }

    [Fact]
    public void Float_data_weights_stay_in_the_mapped_file()
    {
        // Given a model whose weights are packed float_data, not raw_data
        using var checkpoint = CheckpointFormats.Open(OnnxExpected.ResNet18Path);

        // Then every float tensor views the model file itself: nothing was copied into memory
        var floats = checkpoint.Tensors.Where(t => t.DType == DType.Float32).ToList();
        Assert.NotEmpty(floats);
        Assert.All(floats, t => Assert.IsType<MappedFile>(t.Storage.Source));
    }
}
