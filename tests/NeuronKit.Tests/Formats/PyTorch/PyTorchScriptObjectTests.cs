using NeuronKit.Formats.PyTorch;
using NeuronKit.Layers;
using NeuronKit.Tests.Containers.Pickle;

namespace NeuronKit.Tests.Formats.PyTorch;

/// <summary>
/// TorchBind objects (torch.ScriptObject) as quantize_dynamic's recurrent modules pickle them; the values are checked against
/// PyTorch by the oracle (quantized_rnns.pt), these tests hold the naming, the evidence and the refusals.
/// </summary>
public class PyTorchScriptObjectTests
{
    private const string CellParams = "__torch__.torch.classes.rnn.CellParamsBase";
    private const string LinearPacked = "__torch__.torch.classes.quantized.LinearPackedParamsBase";

    // {"rnn._all_weight_values.0.param": ScriptObject built with (state, class name)}, the state written by `state`.
    private static TempFile File(string className, Action<PickleBytes> state, params (string, byte[])[] storages)
    {
        var pickle = new PickleBytes().Proto().Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Str("rnn._all_weight_values.0.param").Global("torch", "ScriptObject").EmptyTuple().NewObj();
        state(pickle);
        pickle.Str(className).Tuple2().Build().SetItem().Stop();
        return TorchZipFile.Write(pickle, storages);
    }

    // A cell's state (type, [bias_ih, bias_hh], [], [1], packed), the packed list written by `packed`.
    private static Action<PickleBytes> Cell(string type, Action<PickleBytes> packed) => p =>
    {
        p.Mark().Str(type)
            .EmptyList().Mark().Tensor("FloatStorage", "0", 4, [4]).Tensor("FloatStorage", "1", 4, [4]).Appends()
            .EmptyList().EmptyList().Int(1).Append()
            .EmptyList().Mark();
        packed(p);
        p.Appends().Tuple();
    };

    private static Exception Refused(TempFile file) => Assert.Throws<CheckpointException>(() => new PyTorchReader().Open(file.Path));

    [Fact]
    public void A_TorchBind_object_of_a_class_NeuronKit_does_not_read_is_refused_by_name_not_skipped()
    {
        using var file = File("__torch__.torch.classes.xnnpack.Conv2dOpContext", p => p.Mark().Int(1).Tuple());

        Assert.Equal("ckpt.pt holds a TorchBind object of class __torch__.torch.classes.xnnpack.Conv2dOpContext at " +
            "'rnn._all_weight_values.0.param', which NeuronKit does not read", Refused(file).Message);
    }

    [Fact]
    public void A_TorchBind_object_never_built_is_refused()
    {
        var pickle = new PickleBytes().Proto().Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Str("x").Global("torch", "ScriptObject").EmptyTuple().NewObj().SetItem().Stop();
        using var file = TorchZipFile.Write(pickle);

        Assert.Contains("a TorchBind object (torch.ScriptObject) without its (state, class name) at 'x'", Refused(file).Message);
    }

    [Fact]
    public void A_cell_of_another_type_than_quantize_dynamics_is_refused_by_its_type()
    {
        using var file = File(CellParams, Cell("quantized_fp16", p => { }));

        Assert.Contains("a quantized recurrent cell of type 'quantized_fp16' (NeuronKit reads quantize_dynamic's qint8 cells, " +
            "'quantized_dynamic') at 'rnn._all_weight_values.0.param'", Refused(file).Message);
    }

    [Fact]
    public void A_cell_whose_packed_weights_are_the_cell_itself_is_refused_without_recursing()
    {
        // BINPUT the cell as it is built, then list it as its own packed weights: a cycle a recursive reader would follow forever.
        var pickle = new PickleBytes().Proto().Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Str("rnn._all_weight_values.0.param").Global("torch", "ScriptObject").EmptyTuple().NewObj().Put(9);
        Cell("quantized_dynamic", p => p.Get(9).Get(9))(pickle);
        pickle.Str(CellParams).Tuple2().Build().SetItem().Stop();
        using var file = TorchZipFile.Write(pickle, ("0", TorchZipFile.Floats(1, 2, 3, 4)), ("1", TorchZipFile.Floats(1, 2, 3, 4)));

        Assert.Contains("a 'quantized_dynamic' cell that does not hold [bias_ih, bias_hh] and two packed Linear weights",
            Refused(file).Message);
    }

    [Fact]
    public void A_packed_Linear_whose_state_is_not_weight_and_bias_is_refused()
    {
        using var file = File(CellParams, Cell("quantized_dynamic", p =>
        {
            for (int side = 0; side < 2; side++)
                p.Global("torch", "ScriptObject").EmptyTuple().NewObj().Mark().Str("not a tensor").None().Tuple().Str(LinearPacked).Tuple2().Build();
        }), ("0", TorchZipFile.Floats(1, 2, 3, 4)), ("1", TorchZipFile.Floats(1, 2, 3, 4)));

        Assert.Contains("a packed Linear whose state is not (weight, bias) at 'rnn._all_weight_values.0.param'", Refused(file).Message);
    }

    [Fact]
    public void A_packed_Embedding_whose_state_holds_no_single_weight_is_refused()
    {
        using var file = File("__torch__.torch.classes.quantized.EmbeddingPackedParamsBase",
            p => p.Mark().Int(1).EmptyList().EmptyList().EmptyList().Tuple());

        Assert.Contains("a packed Embedding whose state is not (version, [weight], doubles, longs) at 'rnn._all_weight_values.0.param'",
            Refused(file).Message);
    }

    [Fact]
    public void A_pickled_quantized_Embedding_keeps_its_weight_under_the_packed_objects_own_name()
    {
        using var model = Model.Open(Fixtures.PyTorch("quantized_convs_module.pt"));

        Assert.Equal(["emb._packed_params._packed_weight"], model.Layer("emb").Tensors.Select(t => t.Tensor.Name));
        Assert.Equal(("EmbeddingBag", "module class torch.ao.nn.quantized.modules.embedding_ops.EmbeddingBag"),
            (model.Layer("bag").Kind, model.Layer("bag").Evidence[0]));
    }

    [Fact]
    public void Cells_are_named_by_layer_and_direction_as_the_quantized_modules_weight_bias_names_them()
    {
        using var model = Model.Open(Fixtures.PyTorch("quantized_rnns.pt"));

        Assert.Equal(["gru._all_weight_values.0.param.weight_ih_l0", "gru._all_weight_values.0.param.weight_hh_l0",
                "gru._all_weight_values.0.param.bias_ih_l0", "gru._all_weight_values.0.param.bias_hh_l0",
                "gru._all_weight_values.1.param.weight_ih_l0_reverse", "gru._all_weight_values.1.param.weight_hh_l0_reverse",
                "gru._all_weight_values.1.param.bias_ih_l0_reverse", "gru._all_weight_values.1.param.bias_hh_l0_reverse"],
            model.Checkpoint.Tensors.Select(t => t.Name).Where(n => n.StartsWith("gru.", StringComparison.Ordinal)));
        Assert.Equal(["lstm.l0", "lstm.l1", "gru.l0", "gru.l0_reverse", "square.l0", "square.l1", "cell", "gcell", "rcell", "fc"],
            model.Layers.Select(l => l.Name));
        Assert.Equal(["LSTM", "LSTM", "GRU", "GRU", "LSTM", "LSTM", "LSTMCell", "GRUCell", "RNNCell", "Linear"], model.Layers.Select(l => l.Kind));
        Assert.Equal("gru._all_weight_values holds 2 cells of a dynamic quantized LSTM or GRU (quantize_dynamic), one per layer and " +
            "direction in that order; their input sizes [3, 3] with H = 5 say 2 directions", model.Layer("gru.l0_reverse").Evidence[0]);
        Assert.Equal("cell._packed_weight_ih is a dynamic quantized LSTMCell, GRUCell or RNNCell's packed (weight, bias) of one side, " +
            "as quantize_dynamic makes it", model.Layer("cell").Evidence[0]);
    }

    [Fact]
    public void Two_square_cells_of_a_state_dict_are_read_as_two_layers_and_the_evidence_says_it_may_be_one_bidirectional()
    {
        using var model = Model.Open(Fixtures.PyTorch("quantized_rnns.pt"));

        Assert.EndsWith("their input sizes [4, 4] with H = 4 fit 2 layers and 1 bidirectional layer alike, and a state dict does not " +
            "say which: read as one direction (if the module is bidirectional, l1 is l0_reverse)", model.Layer("square.l1").Evidence[0]);
    }

    [Fact]
    public void A_pickled_quantized_module_says_its_directions_and_its_torch_ao_classes()
    {
        using var model = Model.Open(Fixtures.PyTorch("quantized_rnns_module.pt"));

        var square = model.Layer("square.l1");
        Assert.EndsWith("; the pickled module says bidirectional = False", square.Evidence[0]);
        Assert.Equal("module class torch.ao.nn.quantized.dynamic.modules.rnn.LSTM", square.Evidence[1]);
        Assert.Equal("module class torch.ao.nn.quantized.dynamic.modules.rnn.GRUCell", model.Layer("gcell").Evidence[0]);
        Assert.Equal(["fc._packed_params._packed_params.0", "fc._packed_params._packed_params.1"],
            model.Layer("fc").Tensors.Select(t => t.Tensor.Name));
    }
}
