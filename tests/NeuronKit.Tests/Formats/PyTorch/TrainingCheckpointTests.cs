using NeuronKit.Tests.Oracle;

namespace NeuronKit.Tests.Formats.PyTorch;

/// <summary>
/// Checkpoints as training frameworks save them (tests/fixtures/training, make_training.py): a Lightning checkpoint with
/// pathlib paths among its hyper-parameters, weights in dict and list subclasses; every neuron as PyTorch indexes it,
/// and the enum member Python pickles through getattr refused.
/// </summary>
public class TrainingCheckpointTests
{
    private const string Folder = "training";

    public static TheoryData<string> Queries() => FixtureOracle.QueryKeys(Folder);

    public static TheoryData<string> Errors() => FixtureOracle.ErrorKeys(Folder);

    [Theory]
    [MemberData(nameof(Queries))]
    public void The_library_gives_every_part_PyTorch_gives(string query) => FixtureOracle.AssertLibrary(Folder, query);

    [Theory]
    [MemberData(nameof(Queries))]
    public void Show_json_prints_the_same_parts_and_values(string query) => FixtureOracle.AssertShowJson(Folder, query, "pytorch");

    [Theory]
    [MemberData(nameof(Errors))]
    public void A_file_that_would_call_code_is_refused(string error) => FixtureOracle.AssertCliError(Folder, error);

    [Fact]
    public void Every_tensor_of_the_subclasses_is_named_by_its_key_or_index()
    {
        using var dicts = Model.Open(Fixtures.Path("training/attribute_dict.pt"));
        using var lists = Model.Open(Fixtures.Path("training/tensor_list.pt"));

        Assert.Equal(["weights.fc1.weight", "weights.fc1.bias", "weights.fc2.weight", "weights.fc2.bias",
            "ema.fc1.weight", "ema.fc1.bias", "ema.fc2.weight", "ema.fc2.bias"], dicts.Checkpoint.Tensors.Select(t => t.Name));
        Assert.Equal(["state_dict.fc1.weight", "state_dict.fc1.bias", "state_dict.fc2.weight", "state_dict.fc2.bias", "snapshots.0", "snapshots.1"],
            lists.Checkpoint.Tensors.Select(t => t.Name));
    }

    [Fact]
    public void A_layer_is_found_without_the_key_that_holds_the_weights_when_only_one_key_has_it()
    {
        // Given a Lightning checkpoint (weights under state_dict, a callback's tensor under callbacks) and a file with the
        // same layer under two keys
        using var lightning = Model.Open(Fixtures.Path("training/lightning.ckpt"));
        using var twice = Model.Open(Fixtures.Path("training/attribute_dict.pt"));

        // When a layer is asked for without its first component
        var layer = lightning.Layer("model.fc1");
        var ambiguous = Assert.Throws<RequestException>(() => twice.Layer("fc1"));

        // Then the one key that has it gives it; two keys that have it make the request ambiguous
        Assert.Equal("state_dict.model.fc1", layer.Name);
        Assert.Equal("'fc1' is a layer under 2 keys of the file: 'weights.fc1', 'ema.fc1'", ambiguous.Message);
        Assert.Equal("ema.fc1", twice.Layer("ema.fc1").Name);
    }

    [Fact]
    public void Track_reads_the_step_a_lightning_checkpoint_keeps()
    {
        // Given a Lightning checkpoint saved at global_step 300, its hyper-parameters holding paths
        var run = NeuronKit.Tests.Cli.CliRun.Of("track", Fixtures.Path("training/lightning.ckpt"), "--csv", "-");

        // Then every row of its five neurons (and the callback's one-value tensor) carries that step
        Assert.True(run.Exit == 0, run.Stderr);
        var rows = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1..];
        Assert.Equal(6, rows.Length);
        Assert.All(rows, row => Assert.Equal("300", row.Split(',')[1]));
    }
}
