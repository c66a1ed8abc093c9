using NeuronKit.Tests.Formats.Safetensors;
using NeuronKit.Track;

namespace NeuronKit.Tests.Track;

/// <summary>The step of a checkpoint: its training dict's word first, else its name's.</summary>
public class CheckpointStepTests
{
    [Theory]
    [InlineData("run/step_1000.pt", 1000L)]
    [InlineData("run/checkpoint-1000.pt", 1000L)]
    [InlineData("ckpt-00500.safetensors", 500L)]
    [InlineData("epoch=3-step=1200.ckpt", 1200L)]
    [InlineData("global_step500.pt", 500L)]
    [InlineData("model_step-7_v2.pt", 7L)]
    [InlineData("runs/checkpoint-1000/model.safetensors", 1000L)]
    [InlineData("runs/checkpoint-1000/model.fp16.safetensors", 1000L)]
    [InlineData("iter_3_of_10.pt", 10L)]
    [InlineData("runs/checkpoint-1000/model-00002-of-00003.safetensors", 1000L)]
    [InlineData("runs/checkpoint-1000/model.safetensors.index.json", 1000L)]
    [InlineData("ckpt-500-00001-of-00002.gguf", 500L)]
    [InlineData("model-00001-of-00002.safetensors", null)]
    [InlineData("checkpoints/global_step500/mp_rank_00_model_states.pt", 500L)]
    [InlineData("checkpoints/global_step500/zero_pp_rank_3_mp_rank_00_optim_states.pt", 500L)]
    [InlineData("mp_rank_01_model_states.pt", null)]
    [InlineData("frank_300.pt", 300L)]
    [InlineData("resnet18.pt", null)]
    [InlineData("weights.pt", null)]
    [InlineData("step_99999999999999999999999.pt", null)]
    public void The_name_gives_the_number_after_step_else_its_last_standalone_number(string path, long? step)
    {
        Assert.Equal(step, CheckpointStep.FromName(path));
    }

    [Theory]
    [InlineData("run/step_0.pt", 0L)]
    [InlineData("run/step_80.pt", 80L)]
    [InlineData("steps/checkpoint-7.pt", 1200L)]
    [InlineData("steps/epoch=3-step=1200.ckpt", 1200L)]
    [InlineData("steps/ckpt-00500.pt", 500L)]
    [InlineData("steps/weights.pt", null)]
    public void A_training_dict_says_the_step_and_wins_over_the_name(string fixture, long? step)
    {
        // Given a checkpoint saved by PyTorch (make_track.py): {"step": N, …}, {"global_step": 1200, …} named
        // checkpoint-7, Lightning's {"epoch": 3, "global_step": 1200, …}, or a bare state dict
        using var model = Model.Open(Fixtures.Path($"track/{fixture}"));

        // When its step is asked for, Then the dict's integer wins, and the name speaks only when the dict is silent
        Assert.Equal(step, CheckpointStep.Of(model.Checkpoint));
    }

    [Fact]
    public void A_safetensors_file_s_metadata_says_the_step_too()
    {
        var header = "{\"__metadata__\":{\"format\":\"pt\",\"global_step\":\"3000\"},\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
        using var file = new TempFile("checkpoint-7.safetensors", SafetensorsBytes.Build(header, SafetensorsBytes.Floats(4)));
        using var model = Model.Open(file.Path);

        Assert.Equal(3000L, CheckpointStep.Of(model.Checkpoint));
    }

    [Fact]
    public void The_dict_keys_are_read_in_order_of_how_specific_they_are()
    {
        var metadata = new Dictionary<string, string> { ["epoch"] = "3", ["global_step"] = "1200", ["variant"] = "zip" };
        Assert.Equal(1200L, CheckpointStep.FromMetadata(metadata));
        Assert.Equal(3L, CheckpointStep.FromMetadata(new Dictionary<string, string> { ["epoch"] = "3" }));
        Assert.Null(CheckpointStep.FromMetadata(new Dictionary<string, string> { ["step"] = "soon" }));
        // DeepSpeed's engine saves {"module": …, "global_steps": N, "global_samples": …}
        Assert.Equal(500L, CheckpointStep.FromMetadata(new Dictionary<string, string> { ["global_samples"] = "4000", ["global_steps"] = "500" }));
    }
}
