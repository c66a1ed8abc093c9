namespace NeuronKit.Formats;

/// <summary>
/// Model formats NeuronKit knows on sight but does not read: TensorFlow's SavedModel and TFLite, OpenVINO's IR,
/// PaddlePaddle's and Core ML's files. A file in one is refused saying what it is and how to get a file NeuronKit
/// reads (most convert to ONNX), where it would otherwise be bytes no reader can place, or a SavedModel's protobuf taken
/// for a broken ONNX model.
/// </summary>
internal static class UnreadFormats
{
    private delegate bool Recognizer(string name, ReadOnlySpan<byte> head);

    // What a file in the format is, how to turn it into one NeuronKit reads, and how it is told: by its first bytes, or,
    // where its bytes say nothing of their own (a SavedModel's protobuf), by the name the format always gives it.
    private sealed record Format(string What, string Convert, Recognizer IsIn, Func<string, bool> IsNamed);

    private static readonly Format[] All =
    [
        new("a TensorFlow Lite model",
            "convert it to ONNX, which NeuronKit reads: python3 -m tf2onnx.convert --tflite MODEL.tflite --output model.onnx",
            // A FlatBuffer's root offset, then TFLite's file identifier.
            (_, head) => head.Length >= 8 && head[4..8].SequenceEqual("TFL3"u8),
            name => name.EndsWith(".tflite", StringComparison.OrdinalIgnoreCase)),
        new("a TensorFlow SavedModel's graph (its weights are in variables/ beside it)",
            "convert the SavedModel's folder to ONNX, which NeuronKit reads: python3 -m tf2onnx.convert --saved-model FOLDER --output model.onnx",
            (name, _) => IsSavedModel(name),
            IsSavedModel),
        new("an OpenVINO IR model's graph (its weights are in the .bin file beside it)",
            "NeuronKit reads the ONNX or PyTorch model it was converted from (OpenVINO converts to IR, not back)",
            (_, head) => IsOpenVinoIr(head),
            _ => false),
        new("a PaddlePaddle model file",
            "convert the inference model to ONNX, which NeuronKit reads: paddle2onnx --model_dir FOLDER --model_filename model.pdmodel " +
            "--params_filename model.pdiparams --save_file model.onnx (a .pdparams state dict is saved with paddle.jit.save first)",
            (name, _) => IsPaddle(name),
            IsPaddle),
        new("a Core ML model",
            "NeuronKit reads the PyTorch or ONNX model it was converted from (coremltools converts to Core ML, not back)",
            (name, _) => IsCoreMl(name),
            IsCoreMl),
    ];

    // The first characters an OpenVINO IR's XML may start with, and the root element only it has.
    private static readonly string[] XmlStarts = ["<?xml", "<net"];
    private const int XmlLooked = 1024;

    /// <summary>
    /// The refusal of file <paramref name="name"/> when its first bytes (<paramref name="head"/>) or its name say it is
    /// in a format NeuronKit does not read; else null.
    /// </summary>
    public static CheckpointException? Refusal(string name, ReadOnlySpan<byte> head)
    {
        foreach (var format in All)
            if (format.IsIn(name, head))
                return new CheckpointException($"{name} is {format.What}, a format NeuronKit does not read", [format.Convert]);
        return null;
    }

    /// <summary>
    /// The refusal of <paramref name="folder"/>, which holds no checkpoint file, when a file in it has the name or the
    /// extension of a format NeuronKit does not read (a SavedModel's saved_model.pb, a Core ML .mlmodel); else null.
    /// </summary>
    public static CheckpointException? FolderRefusal(string folder, IEnumerable<string> fileNames)
    {
        foreach (string file in fileNames.Order(StringComparer.Ordinal))
            if (All.FirstOrDefault(f => f.IsNamed(file)) is { } format)
                return new CheckpointException($"{folder} is a folder that holds no checkpoint file NeuronKit reads: {file} is {format.What}",
                    [format.Convert]);
        return null;
    }

    private static bool IsSavedModel(string name) => name is "saved_model.pb" or "saved_model.pbtxt";

    private static bool IsPaddle(string name) =>
        Path.GetExtension(name).ToLowerInvariant() is ".pdparams" or ".pdiparams" or ".pdmodel";

    private static bool IsCoreMl(string name) => name.EndsWith(".mlmodel", StringComparison.OrdinalIgnoreCase);

    // An XML document (after a byte order mark and white space) whose first kilobyte opens OpenVINO's root element <net.
    private static bool IsOpenVinoIr(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xef, 0xbb, 0xbf])) head = head[3..];
        string text = System.Text.Encoding.UTF8.GetString(head[..Math.Min(head.Length, XmlLooked)]).TrimStart();
        return XmlStarts.Any(start => text.StartsWith(start, StringComparison.Ordinal))
            && (text.Contains("<net ", StringComparison.Ordinal) || text.Contains("<net>", StringComparison.Ordinal));
    }
}
