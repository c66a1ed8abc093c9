using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;

namespace NeuronKit.Tests.Formats;

/// <summary>
/// Files of formats NeuronKit knows but does not read (tests/fixtures/unread, make_unread.py): refused, exit 3, saying
/// what the file is and how to convert it to one NeuronKit reads, where they were bytes it could not place.
/// </summary>
public class UnreadFormatsTests
{
    private const string ToOnnxFromSavedModel = "convert the SavedModel's folder to ONNX, which NeuronKit reads: " +
        "python3 -m tf2onnx.convert --saved-model FOLDER --output model.onnx";

    public static TheoryData<string, string, string> Files() => new()
    {
        { "model.tflite", "model.tflite is a TensorFlow Lite model, a format NeuronKit does not read",
            "convert it to ONNX, which NeuronKit reads: python3 -m tf2onnx.convert --tflite MODEL.tflite --output model.onnx" },
        { "saved_model/saved_model.pb", "saved_model.pb is a TensorFlow SavedModel's graph (its weights are in variables/ beside it), " +
            "a format NeuronKit does not read", ToOnnxFromSavedModel },
        { "openvino/model.xml", "model.xml is an OpenVINO IR model's graph (its weights are in the .bin file beside it), a format " +
            "NeuronKit does not read", "NeuronKit reads the ONNX or PyTorch model it was converted from (OpenVINO converts to IR, not back)" },
        { "model.pdparams", "model.pdparams is a PaddlePaddle model file, a format NeuronKit does not read",
            "convert the inference model to ONNX, which NeuronKit reads: paddle2onnx --model_dir FOLDER --model_filename model.pdmodel " +
            "--params_filename model.pdiparams --save_file model.onnx (a .pdparams state dict is saved with paddle.jit.save first)" },
        { "model.mlmodel", "model.mlmodel is a Core ML model, a format NeuronKit does not read",
            "NeuronKit reads the PyTorch or ONNX model it was converted from (coremltools converts to Core ML, not back)" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void A_file_of_a_format_not_read_is_refused_saying_what_it_is_and_how_to_convert_it(string file, string message, string hint)
    {
        // Given a file of a format NeuronKit knows but does not read
        string path = Fixtures.Path("unread/" + file);

        // When a command opens it, from the library and from the CLI
        var error = Assert.Throws<CheckpointException>(() => Model.Open(path));
        var run = CliRun.Of("layers", path);

        // Then it is refused as that format, with the conversion to a format NeuronKit reads
        Assert.Equal(message, error.Message);
        Assert.Equal([hint], error.Hints);
        Assert.Equal(3, run.Exit);
        Assert.Equal($"error: {message}\nhint: {hint}\n", run.Stderr);
    }

    [Fact]
    public void A_file_of_a_format_not_read_is_told_by_its_bytes_whatever_its_name()
    {
        // Given the TFLite file and the OpenVINO graph renamed as checkpoints NeuronKit reads
        using var folder = new TempFolder();
        foreach (var (file, renamed) in new[] { ("model.tflite", "model.onnx"), ("openvino/model.xml", "graph.onnx") })
            File.Copy(Fixtures.Path("unread/" + file), Path.Combine(folder.Path, renamed));

        // Then each is still told for what it is
        Assert.StartsWith("model.onnx is a TensorFlow Lite model", Assert.Throws<CheckpointException>(() => Model.Open(Path.Combine(folder.Path, "model.onnx"))).Message);
        Assert.StartsWith("graph.onnx is an OpenVINO IR model's graph", Assert.Throws<CheckpointException>(() => Model.Open(Path.Combine(folder.Path, "graph.onnx"))).Message);
    }

    [Theory]
    [InlineData("<?xml version=\"1.0\"?>\n<model><net-config/></model>\n")] // XML, but no <net> root
    [InlineData("<!-- a net -->\n<graph/>\n")]                                   // no XML declaration nor <net first
    public void Other_xml_is_not_taken_for_an_OpenVINO_graph(string xml)
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "model.xml");
        File.WriteAllText(path, xml);

        var error = Assert.Throws<CheckpointException>(() => Model.Open(path));

        Assert.StartsWith("model.xml is not a checkpoint NeuronKit can read", error.Message);
    }

    [Fact]
    public void A_saved_model_folder_is_refused_as_one()
    {
        // Given a SavedModel's folder (saved_model.pb, and variables/ in a real one), named where a model is expected
        string folder = Fixtures.Path("unread/saved_model");

        // When it is opened
        var error = Assert.Throws<CheckpointException>(() => Model.Open(folder));

        // Then it is named for what it holds, not as a folder of nothing
        Assert.Equal($"{folder} is a folder that holds no checkpoint file NeuronKit reads: saved_model.pb is a TensorFlow SavedModel's graph " +
            "(its weights are in variables/ beside it)", error.Message);
        Assert.Equal([ToOnnxFromSavedModel], error.Hints);
    }

    [Fact]
    public void A_folder_of_TFLite_files_names_the_first_and_its_conversion()
    {
        // Given a folder holding only a TFLite model (with a notes file beside it)
        using var folder = new TempFolder();
        File.Copy(Fixtures.Path("unread/model.tflite"), Path.Combine(folder.Path, "model.tflite"));
        File.WriteAllText(Path.Combine(folder.Path, "notes.txt"), "trained on MNIST");

        // When it is opened
        var error = Assert.Throws<CheckpointException>(() => Model.Open(folder.Path));

        // Then the model file is named as what the folder holds
        Assert.Equal($"{folder.Path} is a folder that holds no checkpoint file NeuronKit reads: model.tflite is a TensorFlow Lite model", error.Message);
        Assert.Equal(["convert it to ONNX, which NeuronKit reads: python3 -m tf2onnx.convert --tflite MODEL.tflite --output model.onnx"], error.Hints);
    }

    [Fact]
    public void A_folder_of_nothing_known_keeps_its_own_message()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "notes.txt"), "no model here");

        var error = Assert.Throws<CheckpointException>(() => Model.Open(folder.Path));

        Assert.Equal($"{folder.Path} is a folder that holds no checkpoint file", error.Message);
        Assert.StartsWith("a checkpoint file ends in .safetensors", Assert.Single(error.Hints));
    }
}
