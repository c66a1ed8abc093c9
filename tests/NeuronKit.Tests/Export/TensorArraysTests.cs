using System.Text.Json;
using NeuronKit.Export;
using NeuronKit.Formats.NumPy;
using NeuronKit.Tensors;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;
using NeuronKit.Tests.Oracle;

namespace NeuronKit.Tests.Export;

/// <summary>
/// <c>neuron tensors FILE -o OUT.npz</c>: whole tensors as NumPy saves them (export/cases.json's files, made by
/// make_export.py), every fixture's tensors read back value for value, streamed in chunks of rows.
/// </summary>
public class TensorArraysTests
{
    public static TheoryData<string> Files()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("export/cases.json")));
        return [.. json.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("file").GetString()!)];
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void A_files_tensors_are_the_arrays_numpy_saves(string file)
    {
        // Given a file and the archive numpy wrote of its tensors (quantized ones dequantized, bfloat16 as float32)
        using var json = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("export/cases.json")));
        string expected = json.RootElement.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("file").GetString() == file)
            .GetProperty("expected").GetString()!;
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "tensors.npz");

        // When the tool saves them
        var run = CliRun.Of("tensors", Fixtures.Path(file), "-o", output);

        // Then its archive is numpy's, member for member, byte for byte
        Assert.True(run.Exit == 0, run.Stderr);
        var numpy = NpzMembers.Of(Fixtures.Path("export/" + expected));
        var ours = NpzMembers.Of(output);
        Assert.Equal(numpy.Keys, ours.Keys);
        foreach (var (name, bytes) in numpy) Assert.True(bytes.SequenceEqual(ours[name]), $"{file}: {name} differs from numpy's");
        Assert.Equal($"{numpy.Count} tensors of {Path.GetFileName(file)} → {output}\n", run.Stdout);
    }

    [Fact]
    public void A_gguf_tensor_is_saved_as_ggml_decodes_it()
    {
        // Given a q8_0 GGUF and the row numpy decoded with ggml's formulas (gguf/expected.json)
        using var json = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("gguf/expected.json")));
        var query = json.RootElement.GetProperty("queries").EnumerateArray()
            .First(q => q.GetProperty("file").GetString() == "tiny_q8_0.gguf" && q.GetProperty("layer").GetString() == "blk.0.attn_q");
        var row = OracleQuery.Flatten(query.GetProperty("expect").GetProperty("parts")[0].GetProperty("values"));
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "attn_q.npy");

        // When its weight is saved alone
        var run = CliRun.Of("tensors", Fixtures.Path("gguf/tiny_q8_0.gguf"), "--tensor", "blk.0.attn_q.weight", "-o", output);

        // Then the .npy is float32 [32, 32], and its row holds numpy's values
        Assert.True(run.Exit == 0, run.Stderr);
        using var saved = Model.Open(output);
        var tensor = saved.Checkpoint.Tensors.Single();
        Assert.Equal(DType.Float32, tensor.DType);
        Assert.Equal([32L, 32L], tensor.Shape);
        Assert.Equal(row, tensor.View().Select(0, query.GetProperty("index").GetInt64()).ToDoubles());
    }

    [Fact]
    public void Every_fixture_tensor_saves_as_its_values_in_chunks_of_any_size()
    {
        var files = Directory.EnumerateFiles(Fixtures.Path(""), "*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f) is ".pt" or ".safetensors" or ".onnx" or ".gguf" or ".dat" or ".npz"
                && !f.Contains("malicious") && !f.Contains("fuzz-regressions"))
            .Order(StringComparer.Ordinal).ToList();
        using var folder = new TempFolder();
        int saved = 0;
        foreach (string file in files)
        {
            NeuronKit.Formats.Checkpoint checkpoint;
            try
            {
                checkpoint = NeuronKit.Formats.CheckpointFormats.Open(file);
            }
            catch (NeuronKitException)
            {
                continue;
            }
            using (checkpoint)
            {
                if (checkpoint.Tensors.Count == 0) continue;
                // Given a file's tensors saved whole, and again a row at a time
                string whole = Path.Combine(folder.Path, $"w{saved}.npz"), rows = Path.Combine(folder.Path, $"r{saved}.npz");
                TensorArrays.Save(checkpoint.Tensors, whole);
                TensorArrays.Save(checkpoint.Tensors, rows, chunkBytes: 1);

                // Then both archives are the same bytes, and each array holds its tensor's values in its saved dtype
                Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(rows));
                using var back = NeuronKit.Formats.CheckpointFormats.Open(whole);
                Assert.Equal(TensorArrays.Names(checkpoint.Tensors), back.Tensors.Select(t => t.Name));
                foreach (var (tensor, array) in checkpoint.Tensors.Zip(back.Tensors))
                {
                    string where = $"{Path.GetRelativePath(Fixtures.Root, file)} {tensor.Name}";
                    Assert.True(tensor.Shape.SequenceEqual(array.Shape), where);
                    Assert.Equal(NpyDTypes.Holds(tensor.DType) ? tensor.DType : DType.Float32, array.DType);
                    if (tensor.DType.IsComplex()) Assert.Equal(tensor.View().ToComplex(), array.View().ToComplex());
                    else Assert.True(tensor.View().ToDoubles().SequenceEqual(array.View().ToDoubles()), where);
                }
                saved++;
            }
        }
        Assert.True(saved > 200, $"{saved} files");
    }

    [Fact]
    public void A_view_repeating_its_stored_values_billions_of_times_is_refused_before_anything_is_written()
    {
        // Given a torch.save file of 1.4 KB whose GPTQ tensors repeat one stored value each (2^33 times for qweight), and
        // one whose bias repeats a stored zero along its length
        using var refused = new TempFolder();
        using var saved = new TempFolder();
        string output = Path.Combine(refused.Path, "repeated.npz"), small = Path.Combine(saved.Path, "expanded.npz");

        // When their tensors are saved
        var run = CliRun.Of("tensors", Fixtures.Path("diff/torch_save/gptq_repeated_words.bin"), "-o", output);
        var fine = CliRun.Of("tensors", Fixtures.Path("diff/torch_save/gptq_expanded.bin"), "-o", small);

        // Then the first is refused, naming the tensor and what writing it would take, and nothing is written; a repeat
        // of a few values is saved in full
        Assert.Equal(3, run.Exit);
        Assert.Equal("error: tensor 'fc.qweight' [131072, 65536] holds 8,589,934,592 values but its storage 1 (a view that " +
            "repeats them: stride 0, as expand() makes), which would be written out in full, 32 GiB; refused\n" +
            "hint: 'neuron show' reads its rows; --tensor NAME saves the other tensors\n", run.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(refused.Path));
        Assert.True(fine.Exit == 0, fine.Stderr);
        using var original = Model.Open(Fixtures.Path("diff/torch_save/gptq_expanded.bin"));
        using var back = Model.Open(small);
        var bias = back.Checkpoint.Find("fc.bias")!;
        Assert.Equal(original.Checkpoint.Find("fc.bias")!.Shape, bias.Shape);
        Assert.All(bias.View().ToDoubles(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void A_few_thousand_repeats_of_one_value_are_saved_in_full()
    {
        // Given one stored float32 repeated 4,096 times (shape [64, 64], strides [0, 0]): far more repeats than stored
        // values, but 16 KiB as an array
        var bytes = BitConverter.GetBytes(2.5f);
        var storage = new TensorStorage("0", new MemoryBytes(bytes), 0, bytes.Length);
        var tensor = TensorInfo.Create("ones", DType.Float32, [64, 64], [0, 0], 0, storage);
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "ones.npy");

        // When it is saved
        TensorArrays.Save([tensor], output);

        // Then every repeat is written
        using var back = Model.Open(output);
        var array = back.Checkpoint.Tensors.Single();
        Assert.Equal([64L, 64L], array.Shape);
        Assert.All(array.View().ToDoubles(), v => Assert.Equal(2.5, v));
    }

    [Theory]
    [InlineData("fc.weight", "fc.weight")]
    [InlineData("/lstm/Constant_output_0", "lstm/Constant_output_0")]
    [InlineData("onnx::MatMul_12", "onnx::MatMul_12")]
    [InlineData("a\\b/../c", "a/b/_../c")]
    [InlineData("C:weights", "C_weights")]
    [InlineData("/", "_")]
    public void A_name_a_zip_reader_would_refuse_is_made_safe(string name, string key)
    {
        Assert.Equal(key, NpzWriter.SafeName(name));
    }

    [Fact]
    public void Two_tensors_that_would_share_a_key_get_keys_of_their_own()
    {
        var storage = new TensorStorage("0", new MemoryBytes(new byte[4]), 0, 4);
        TensorInfo Named(string name) => TensorInfo.Contiguous(name, DType.Float32, [1], storage);

        Assert.Equal(["a/b", "a/b~2", "a/b~3", "c"], TensorArrays.Names([Named("/a/b"), Named("a/b"), Named("a\\b"), Named("c")]));
    }

    [Theory]
    [InlineData(new[] { "-o", "all.npy" }, "error: all.npy: an .npy holds one array, and 4 tensors are asked for")]
    [InlineData(new[] { "-o", "fc.npz", "--tensor", "0.wieght" }, "error: seed_linear.pt has no tensor '0.wieght'")]
    [InlineData(new[] { "--tensor", "0.weight" }, "error: --tensor picks the tensors -o writes; add -o OUT.npz")]
    public void Wrong_requests_are_exit_2(string[] options, string error)
    {
        using var folder = new TempFolder();
        var args = options.Select((o, i) => i > 0 && options[i - 1] == "-o" ? Path.Combine(folder.Path, o) : o);

        var run = CliRun.Of(["tensors", Fixtures.PyTorch("seed_linear.pt"), .. args]);

        Assert.Equal(2, run.Exit);
        Assert.Equal(error, run.Stderr.Split('\n')[0]);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }
}
