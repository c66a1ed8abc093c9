using NeuronKit.Diff;
using NeuronKit.Formats;
using NeuronKit.Tests.Cli;
using NeuronKit.Tests.Edits;

namespace NeuronKit.Tests.Formats;

/// <summary>
/// A folder named where a checkpoint is expected opens as the model it holds: the weights file a saving tool names,
/// else its one model, else an error that lists what it holds.
/// </summary>
public class ModelFolderTests
{
    [Fact]
    public void A_trainer_s_checkpoint_folder_opens_its_weights_not_its_optimizer()
    {
        // Given a Trainer's checkpoint folder: model.safetensors beside optimizer.pt, scheduler.pt, rng_state.pth and
        // training_args.bin (torch files too, here real checkpoints, so only the name can tell them apart)
        using var folder = new TempFolder();
        File.Copy(Fixtures.Path("diff/cross/llama/model.safetensors"), Path.Combine(folder.Path, "model.safetensors"));
        foreach (string side in new[] { "optimizer.pt", "scheduler.pt", "rng_state.pth", "rng_state_1.pth", "training_args.bin" })
            File.Copy(Fixtures.Path("pytorch/kinds.pt"), Path.Combine(folder.Path, side));
        File.WriteAllText(Path.Combine(folder.Path, "trainer_state.json"), "{\"global_step\": 500}");

        using var model = Model.Open(folder.Path);

        Assert.Equal(Path.Combine(folder.Path, "model.safetensors"), model.Checkpoint.Path);
        Assert.Equal("safetensors", model.Checkpoint.Format);
    }

    [Fact]
    public void A_sharded_model_s_folder_opens_the_whole_model_by_its_index()
    {
        using var model = Model.Open(Fixtures.Path("safetensors/sharded"));

        Assert.Equal("model.safetensors.index.json", Path.GetFileName(model.Checkpoint.Path));
        Assert.Equal(3, model.Checkpoint.Files.Count);
    }

    [Fact]
    public void A_folder_of_one_model_s_splits_opens_the_model_and_Meta_s_folder_its_consolidated_weights()
    {
        using var split = Model.Open(Fixtures.Path("diff/cross/split"));
        using var meta = Model.Open(Fixtures.Path("diff/cross/meta"));

        Assert.Equal("llama_q8_0-00001-of-00003.gguf", Path.GetFileName(split.Checkpoint.Path));
        Assert.Equal(3, split.Checkpoint.Files.Count);
        Assert.Equal("consolidated.00.pth", Path.GetFileName(meta.Checkpoint.Path));
    }

    [Fact]
    public void Two_model_folders_diff_as_their_models_do()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "base"));
        File.Copy(Fixtures.Path("diff/cross/llama/model.safetensors"), Path.Combine(folder.Path, "base", "model.safetensors"));

        var run = CliRun.Of("diff", Path.Combine(folder.Path, "base"), Fixtures.Path("diff/cross/llama"), "--csv");
        var direct = CliRun.Of("diff", Fixtures.Path("diff/cross/llama/model.safetensors"), Fixtures.Path("diff/cross/llama/model.safetensors"), "--csv");

        Assert.Equal(0, run.Exit);
        Assert.Equal(direct.Stdout, run.Stdout);
        using var a = Model.Open(Path.Combine(folder.Path, "base"));
        using var b = Model.Open(Fixtures.Path("diff/cross/llama"));
        Assert.All(ModelDiff.Compute(a, b).Layers.SelectMany(l => l.Neurons), n => Assert.Equal(0, n.L2Delta));
    }

    [Fact]
    public void A_folder_of_several_models_is_a_request_to_name_one_and_lists_them()
    {
        // Given the GGUF fixtures' folder: many models, none by a weights name
        string gguf = Fixtures.Path("gguf");

        var run = CliRun.Of("layers", gguf);

        Assert.Equal(2, run.Exit);
        var models = ModelFolder.Models(gguf);
        Assert.True(models.Count > 1);
        Assert.StartsWith($"error: {gguf} is a folder that holds {models.Count} models ({Path.GetFileName(models[0])}, ", run.Stderr);
        Assert.Contains($"hint: name the one you mean, e.g. {models[0]}", run.Stderr);
    }

    [Fact]
    public void A_folder_with_no_checkpoint_is_an_error_of_the_file()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "README.md"), "weights elsewhere");
        File.Copy(Fixtures.Path("pytorch/kinds.pt"), Path.Combine(folder.Path, "optimizer.pt"));

        var run = CliRun.Of("layers", folder.Path);

        Assert.Equal(3, run.Exit);
        Assert.StartsWith($"error: {folder.Path} is a folder that holds no checkpoint file", run.Stderr);
    }

    [Fact]
    public void A_pipeline_folder_names_the_folders_inside_that_hold_models()
    {
        // Given a diffusers pipeline: model_index.json at the top, each component's weights in a folder of its own
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "model_index.json"), "{}");
        foreach (string component in new[] { "unet", "vae", "scheduler" })
            Directory.CreateDirectory(Path.Combine(folder.Path, component));
        File.Copy(Fixtures.Path("diff/cross/llama/model.safetensors"), Path.Combine(folder.Path, "unet", "diffusion_pytorch_model.safetensors"));
        File.Copy(Fixtures.Path("diff/cross/llama/model.safetensors"), Path.Combine(folder.Path, "vae", "diffusion_pytorch_model.safetensors"));

        var run = CliRun.Of("layers", folder.Path);
        using var unet = Model.Open(Path.Combine(folder.Path, "unet"));

        Assert.Equal(3, run.Exit);
        Assert.Equal($"error: {folder.Path} is a folder that holds no checkpoint file\nhint: its folders unet/, vae/ hold models " +
            "(a diffusers pipeline's unet, vae, …): name one", run.Stderr.Trim());
        Assert.Equal("diffusion_pytorch_model.safetensors", Path.GetFileName(unet.Checkpoint.Path));
    }

    [Fact]
    public void Shards_without_their_index_are_models_of_their_own()
    {
        using var folder = new TempFolder();
        foreach (string shard in new[] { "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors" })
            File.Copy(Fixtures.Path("safetensors/sharded/" + shard), Path.Combine(folder.Path, shard));

        Assert.Equal(2, ModelFolder.Models(folder.Path).Count);
        Assert.IsType<RequestException>(Record.Exception(() => Model.Open(folder.Path)));
    }
}
