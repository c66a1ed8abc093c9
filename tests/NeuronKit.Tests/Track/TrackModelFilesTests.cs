using NeuronKit.Formats;
using NeuronKit.Stats;
using NeuronKit.Track;

namespace NeuronKit.Tests.Track;

/// <summary>
/// A run whose checkpoints are each saved as several files (transformers' shards and index, llama.cpp's splits): every
/// file opens the whole model, so each model is measured once, whichever of its files the glob matched.
/// </summary>
public sealed class TrackModelFilesTests : IDisposable
{
    private readonly string _run = Path.Combine(Path.GetTempPath(), "neuronkit-tests-" + Guid.NewGuid().ToString("N"));

    public TrackModelFilesTests() => Directory.CreateDirectory(_run);

    public void Dispose() => Directory.Delete(_run, recursive: true);

    [Fact]
    public void A_sharded_safetensors_checkpoint_is_measured_once_under_its_index_at_its_folder_s_step()
    {
        // Given a run of two checkpoints, each a sharded model (two shards and their index) in a Trainer's folder
        foreach (int step in new[] { 200, 100 }) Copy("safetensors/sharded", $"checkpoint-{step}");

        // When every file of every checkpoint is named
        var run = TrackRun.Plan(RunInputs.Expand([_run + "/checkpoint-*/*"]), RunShard.All);

        // Then there are two checkpoints, not six, each at its folder's step (not a shard's number), with the whole model
        Assert.Equal([100L, 200L], run.Checkpoints.Select(c => c.Step!.Value));
        Assert.Equal([$"{_run}/checkpoint-100/model.safetensors.index.json", $"{_run}/checkpoint-200/model.safetensors.index.json"],
            run.Checkpoints.Select(c => c.Path));
        Assert.Equal(2, run.RunSize);
        using var whole = Model.Open(Fixtures.Path("safetensors/sharded/model.safetensors.index.json"));
        var expected = ModelStats.Compute(whole).Layers.Select(l => (l.Layer.Name, l.Neurons.Count)).ToList();
        Assert.All(run.Compute(), c => Assert.Equal(expected, c.Stats.Layers.Select(l => (l.Layer.Name, l.Neurons.Count))));
    }

    [Fact]
    public void Shards_of_the_run_keep_a_model_s_files_together_and_together_take_each_model_once()
    {
        foreach (int step in new[] { 100, 200, 300 }) Copy("safetensors/sharded", $"checkpoint-{step}");
        var paths = RunInputs.Expand([_run + "/checkpoint-*/*"]);

        var parts = Enumerable.Range(0, 2).Select(i => TrackRun.Plan(paths, new RunShard(i, 2))).ToList();

        // The three models sorted as text, round-robin: 100 and 300 to shard 0, 200 to shard 1
        Assert.Equal([[100L, 300L], [200L]], parts.Select(p => p.Checkpoints.Select(c => c.Step!.Value).ToArray()));
        Assert.All(parts, p => Assert.Equal(3, p.RunSize));
        Assert.Equal(TrackRun.Plan(paths, RunShard.All).Checkpoints, parts.SelectMany(p => p.Checkpoints).OrderBy(c => c.Step));
    }

    [Fact]
    public void The_index_alone_or_a_later_shard_alone_stands_for_the_model()
    {
        Copy("safetensors/sharded", "checkpoint-100");
        Copy("safetensors/sharded", "checkpoint-200");

        var run = TrackRun.Plan([$"{_run}/checkpoint-100/model.safetensors.index.json", $"{_run}/checkpoint-200/model-00002-of-00002.safetensors"], RunShard.All);

        Assert.Equal([(100L, "model.safetensors.index.json"), (200L, "model-00002-of-00002.safetensors")],
            run.Checkpoints.Select(c => (c.Step!.Value, Path.GetFileName(c.Path))));
        Assert.Equal(run.Compute().First().Stats.Layers.Count, run.Compute().Last().Stats.Layers.Count);
    }

    [Fact]
    public void Shards_without_their_index_are_read_alone_so_each_is_a_checkpoint()
    {
        // Given shards with no index beside them: each opens as the tensors it holds, nothing more
        Copy("safetensors/sharded", "checkpoint-100");
        File.Delete($"{_run}/checkpoint-100/model.safetensors.index.json");

        var run = TrackRun.Plan(RunInputs.Expand([_run + "/checkpoint-100/*.safetensors"]), RunShard.All);

        Assert.Equal(["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"], run.Checkpoints.Select(c => Path.GetFileName(c.Path)));
        var layers = run.Compute().Select(c => c.Stats.Layers.Select(l => l.Layer.Name).ToHashSet()).ToList();
        Assert.Empty(layers[0].Intersect(layers[1]));
    }

    [Fact]
    public void A_split_gguf_is_one_checkpoint_at_the_step_its_name_says_before_the_split_number()
    {
        // Given llama.cpp's three splits of one model, renamed as a run's checkpoint at step 500
        foreach (string split in Directory.GetFiles(Fixtures.Path("diff/cross/split")))
            File.Copy(split, Path.Combine(_run, Path.GetFileName(split).Replace("llama_q8_0", "ckpt-500")));

        var run = TrackRun.Plan(RunInputs.Expand([_run + "/*.gguf"]), RunShard.All);

        var checkpoint = Assert.Single(run.Checkpoints);
        Assert.Equal((500L, "ckpt-500-00001-of-00003.gguf"), (checkpoint.Step!.Value, Path.GetFileName(checkpoint.Path)));
        using var whole = Model.Open(Fixtures.Path("diff/cross/split/llama_q8_0-00001-of-00003.gguf"));
        Assert.Equal(ModelStats.BytesToRead(ModelStats.LayersFor(whole, null)), run.BytesToRead);
    }

    [Fact]
    public void A_glob_of_a_trainer_s_checkpoint_folders_measures_the_model_each_holds()
    {
        // Given a Trainer's output: checkpoint folders (one sharded, one in one file, each with an optimizer beside it),
        // a folder of logs, and the final model in the output folder itself
        TrainerCheckpoints();
        foreach (string folder in new[] { "checkpoint-100", "checkpoint-200" })
            File.Copy(Fixtures.Path("pytorch/kinds.pt"), Path.Combine(_run, folder, "optimizer.pt"));
        Directory.CreateDirectory(Path.Combine(_run, "checkpoint-logs"));
        File.WriteAllText(Path.Combine(_run, "checkpoint-logs", "events.txt"), "loss 0.1");

        // When the folders are named by a glob, and again with the index named beside its folder
        var paths = RunInputs.Expand([_run + "/checkpoint-*"]);
        var twice = RunInputs.Expand([_run + "/checkpoint-*", _run + "/checkpoint-200/model.safetensors.index.json"]);

        // Then each folder is the model it holds (the logs hold none), and a file named beside its folder is taken once
        Assert.Equal([$"{_run}/checkpoint-100/model.safetensors", $"{_run}/checkpoint-200/model.safetensors.index.json"], paths);
        Assert.Equal(paths, twice);
        var run = TrackRun.Plan(paths, RunShard.All);
        Assert.Equal([100L, 200L], run.Checkpoints.Select(c => c.Step!.Value));
        Assert.Equal(2, run.Compute().Count());
    }

    [Fact]
    public void A_glob_of_every_file_of_a_trainer_s_checkpoints_passes_over_what_is_saved_beside_the_weights()
    {
        // Given Trainer checkpoints holding, beside the weights, the optimizer's, scheduler's and random state, the
        // trainer's state, the model's config and a tokenizer (files a glob of '*' matches, and torch could open some of)
        TrainerCheckpoints();
        foreach (string folder in new[] { "checkpoint-100", "checkpoint-200" })
        {
            foreach (string state in new[] { "optimizer.pt", "scheduler.pt", "rng_state.pth", "training_args.bin" })
                File.Copy(Fixtures.Path("pytorch/seed_linear.pt"), Path.Combine(_run, folder, state));
            foreach (string json in new[] { "trainer_state.json", "config.json", "tokenizer_config.json" })
                File.WriteAllText(Path.Combine(_run, folder, json), "{}");
            File.WriteAllText(Path.Combine(_run, folder, "vocab.txt"), "[PAD]\n");
        }

        // When every file of every checkpoint is named by a glob
        var paths = RunInputs.Expand([_run + "/checkpoint-*/*"]);

        // Then only the weights are taken: the two checkpoints, as the glob of their folders measures them
        Assert.Equal([$"{_run}/checkpoint-100/model.safetensors", $"{_run}/checkpoint-200/model-00001-of-00002.safetensors",
            $"{_run}/checkpoint-200/model-00002-of-00002.safetensors", $"{_run}/checkpoint-200/model.safetensors.index.json"], paths);
        var run = TrackRun.Plan(paths, RunShard.All);
        Assert.Equal(TrackRun.Plan(RunInputs.Expand([_run + "/checkpoint-*"]), RunShard.All).Checkpoints, run.Checkpoints);
    }

    [Fact]
    public void DeepSpeed_s_step_folders_are_their_model_states_not_their_optimizer_states()
    {
        // Given DeepSpeed's checkpoints: each global_stepN/ holds mp_rank_00_model_states.pt and, per data-parallel
        // rank, the optimizer's ZeRO partition (bf16_zero_pp_rank_R_mp_rank_00_optim_states.pt), which torch opens too
        foreach (int step in new[] { 100, 200 })
        {
            string folder = Path.Combine(_run, $"global_step{step}");
            Directory.CreateDirectory(folder);
            File.Copy(Fixtures.Path("pytorch/seed_linear.pt"), Path.Combine(folder, "mp_rank_00_model_states.pt"));
            foreach (string optimizer in new[] { "bf16_zero_pp_rank_0_mp_rank_00_optim_states.pt", "zero_pp_rank_1_mp_rank_00_optim_states.pt" })
                File.Copy(Fixtures.Path("pytorch/kinds.pt"), Path.Combine(folder, optimizer));
        }

        // When the run is named by a glob of its step folders, and by one of every file in them
        var folders = RunInputs.Expand([_run + "/global_step*"]);
        var files = RunInputs.Expand([_run + "/global_step*/*"]);

        // Then each step is its model states, in step order
        Assert.Equal([$"{_run}/global_step100/mp_rank_00_model_states.pt", $"{_run}/global_step200/mp_rank_00_model_states.pt"], folders);
        Assert.Equal(folders, files);
        Assert.Equal([100L, 200L], TrackRun.Plan(folders, RunShard.All).Checkpoints.Select(c => c.Step!.Value));
    }

    [Theory]
    [InlineData("run/checkpoint-1/model-00001-of-00002.safetensors", "run/checkpoint-1/model.safetensors")]
    [InlineData("run/checkpoint-1/model.safetensors.index.json", "run/checkpoint-1/model.safetensors")]
    [InlineData("run/ckpt-500-00003-of-00003.gguf", "run/ckpt-500.gguf")]
    [InlineData("run/checkpoint-1/model.safetensors", "run/checkpoint-1/model.safetensors")]
    [InlineData("run/model-1-of-2.safetensors", "run/model-1-of-2.safetensors")]
    [InlineData("run/pytorch_model-00001-of-00002.bin", "run/pytorch_model.bin")]
    [InlineData("run/pytorch_model.bin.index.json", "run/pytorch_model.bin")]
    [InlineData("run/pytorch_model.bin", "run/pytorch_model.bin")]
    [InlineData("run/flax_model-00002-of-00002.msgpack", "run/flax_model.msgpack")]
    [InlineData("run/flax_model.msgpack.index.json", "run/flax_model.msgpack")]
    public void Names_alone_group_a_model_s_files(string path, string group)
    {
        Assert.Equal(group, ModelFiles.GroupOf(path));
    }

    // A Trainer's two checkpoint folders: checkpoint-100 of one model.safetensors, checkpoint-200 of two shards and their index.
    private void TrainerCheckpoints()
    {
        Copy("safetensors/sharded", "checkpoint-200");
        Directory.CreateDirectory(Path.Combine(_run, "checkpoint-100"));
        File.Copy(Fixtures.Path("diff/cross/llama/model.safetensors"), Path.Combine(_run, "checkpoint-100", "model.safetensors"));
    }

    private void Copy(string fixture, string folder)
    {
        string to = Directory.CreateDirectory(Path.Combine(_run, folder)).FullName;
        foreach (string file in Directory.GetFiles(Fixtures.Path(fixture))) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
