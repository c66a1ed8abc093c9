using NeuronKit.TorchSharp.Tests.Modules;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.TensorIndex;

namespace NeuronKit.TorchSharp.Tests;

/// <summary>Every supported module type: its kind, neuron count, and neuron j's parts against TorchSharp's own indexing.</summary>
public sealed class KindTests
{
    [TorchFact]
    public void A_Linear_without_bias_gives_its_weight_row_only()
    {
        var model = new Named(("fc", nn.Linear(4, 3, hasBias: false)));

        using var neuron = new LiveModel(model).Neuron("fc", 2);

        Assert.Equal("Linear", neuron.Layer.Kind);
        Oracle.Matches(model, neuron, new Expected("fc.weight", null, "[2]", Single(2)));
    }

    [TorchFact]
    public void A_grouped_Conv1d_and_a_Conv3d_give_filter_j_whatever_the_groups()
    {
        var model = new Named(("c1", nn.Conv1d(4, 6, 3, groups: 2)), ("c3", nn.Conv3d(2, 3, 2)));
        var live = new LiveModel(model);

        using var grouped = live.Neuron("c1", 5);
        using var last = live.Neuron("c3", -1);

        Assert.Equal(("Conv1d", 6L), (grouped.Layer.Kind, grouped.Layer.NeuronCount));
        Oracle.Matches(model, grouped, new("c1.weight", null, "[5]", Single(5)), new("c1.bias", null, "[5]", Single(5)));
        Assert.Equal(("Conv3d", 3L), (last.Layer.Kind, last.Layer.NeuronCount));
        Oracle.Matches(model, last, new("c3.weight", null, "[2]", Single(2)), new("c3.bias", null, "[2]", Single(2)));
    }

    [TorchFact]
    public void A_grouped_ConvTranspose2d_gives_output_channel_j_from_its_group_s_input_rows_on_dimension_1()
    {
        // in 4, out 6, groups 2: weight [4, 3, 3, 3]; channel 4 is group 1, column 1, input rows 2..3
        var model = new Named(("up", nn.ConvTranspose2d(4, 6, 3, groups: 2)));

        using var channel = new LiveModel(model).Neuron("up", 4);

        Assert.Equal(("ConvTranspose2d", 6L), (channel.Layer.Kind, channel.Layer.NeuronCount));
        Oracle.Matches(model, channel,
            new("up.weight", null, "[2:4, 1]", Slice(2, 4), Single(1)),
            new("up.bias", null, "[4]", Single(4)));
    }

    [TorchFact]
    public void A_grouped_ConvTranspose1d_without_a_bias_takes_its_groups_from_the_module()
    {
        // in 6, out 9, groups 3: weight [6, 3, 2], and no bias to tell the groups; channel 4 is group 1, column 1, input rows 2..3
        var model = new Named(("up", nn.ConvTranspose1d(6, 9, 2, groups: 3, bias: false)));

        using var channel = new LiveModel(model).Neuron("up", 4);

        Assert.Equal(("ConvTranspose1d", 9L, false), (channel.Layer.Kind, channel.Layer.NeuronCount, channel.Layer.Assumed));
        Oracle.Matches(model, channel, new Expected("up.weight", null, "[2:4, 1]", Slice(2, 4), Single(1)));
    }

    [TorchFact]
    public void A_ConvTranspose1d_without_groups_gives_column_j_of_every_input_row()
    {
        var model = new Named(("up", nn.ConvTranspose1d(3, 5, 2)));

        using var channel = new LiveModel(model).Neuron("up", 3);

        Oracle.Matches(model, channel,
            new("up.weight", null, "[0:3, 3]", Slice(0, 3), Single(3)),
            new("up.bias", null, "[3]", Single(3)));
    }

    [TorchFact]
    public void A_two_layer_bidirectional_LSTM_is_four_sub_layers_each_with_its_own_rows()
    {
        var model = new Named(("rnn", nn.LSTM(4, 6, numLayers: 2, bidirectional: true)));
        var live = new LiveModel(model);

        using var unit = live.Neuron("rnn.l1_reverse", 5);

        Assert.Equal(["rnn.l0", "rnn.l0_reverse", "rnn.l1", "rnn.l1_reverse"], live.Layers.Select(l => l.Name));
        Assert.All(live.Layers, l => Assert.Equal(("LSTM", 6L, "rnn"), (l.Kind, l.NeuronCount, l.Module)));
        Oracle.Matches(model, unit, Oracle.Recurrent("rnn", "_l1_reverse", Oracle.LstmGates, 6, 5));
        Assert.Equal([12L], unit.Part("weight_ih", "cell")!.Shape);
    }

    [TorchFact]
    public void A_GRU_gives_its_reset_update_and_new_rows()
    {
        var model = new Named(("gru", nn.GRU(3, 5)));

        using var unit = new LiveModel(model).Neuron("gru", 4);

        Assert.Equal(("gru.l0", "GRU"), (unit.Layer.Name, unit.Layer.Kind));
        Oracle.Matches(model, unit, Oracle.Recurrent("gru", "_l0", Oracle.GruGates, 5, 4));
    }

    [TorchFact]
    public void An_RNN_without_bias_gives_one_row_of_each_weight_and_no_gate()
    {
        var model = new Named(("rnn", nn.RNN(3, 4, bias: false)));

        using var unit = new LiveModel(model).Neuron("rnn", 1);

        Assert.Equal("RNN", unit.Layer.Kind);
        Oracle.Matches(model, unit, Oracle.Recurrent("rnn", "_l0", [null], 4, 1, bias: false));
    }

    [TorchFact]
    public void Recurrent_cells_are_layers_named_by_their_module_with_gates_and_no_sub_layers()
    {
        var model = new Named(("lstm", nn.LSTMCell(3, 4)), ("gru", nn.GRUCell(3, 2)), ("rnn", nn.RNNCell(3, 2)));
        var live = new LiveModel(model);

        using var lstm = live.Neuron("lstm", 3);
        using var gru = live.Neuron("gru", 0);

        Assert.Equal(["lstm LSTMCell", "gru GRUCell", "rnn RNNCell"], live.Layers.Select(l => $"{l.Name} {l.Kind}"));
        Oracle.Matches(model, lstm, Oracle.Recurrent("lstm", "", Oracle.LstmGates, 4, 3));
        Oracle.Matches(model, gru, Oracle.Recurrent("gru", "", Oracle.GruGates, 2, 0));
    }

    [TorchFact]
    public void A_BatchNorm2d_gives_its_four_per_channel_values_and_leaves_the_batch_counter_out()
    {
        var bn = nn.BatchNorm2d(5);
        var model = new Named(("bn", bn));
        using (no_grad())
        {
            bn.running_mean!.copy_(randn(5));
            bn.running_var!.copy_(rand(5) + 0.5);
            bn.weight!.copy_(randn(5));
        }

        using var channel = new LiveModel(model).Neuron("bn", 3);

        Assert.Equal("BatchNorm2d", channel.Layer.Kind);
        Assert.Contains("bn.num_batches_tracked", channel.Layer.Tensors.Select(t => t.Tensor.Name));
        Oracle.Matches(model, channel,
            new("bn.weight", null, "[3]", Single(3)), new("bn.bias", null, "[3]", Single(3)),
            new("bn.running_mean", null, "[3]", Single(3)), new("bn.running_var", null, "[3]", Single(3)));
    }

    [TorchFact]
    public void A_LayerNorm_over_two_dims_gives_row_j_of_its_weight_and_bias()
    {
        var model = new Named(("ln", nn.LayerNorm([4, 5])));

        using var neuron = new LiveModel(model).Neuron("ln", 2);

        Assert.Equal(("LayerNorm", 4L), (neuron.Layer.Kind, neuron.Layer.NeuronCount));
        Oracle.Matches(model, neuron, new("ln.weight", null, "[2]", Single(2)), new("ln.bias", null, "[2]", Single(2)));
        Assert.Equal([5L], neuron.Parts[0].Shape);
    }

    [TorchFact]
    public void GroupNorm_and_affine_InstanceNorm_give_channel_j()
    {
        var model = new Named(("gn", nn.GroupNorm(2, 6)), ("inorm", nn.InstanceNorm1d(4, affine: true)));
        var live = new LiveModel(model);

        using var group = live.Neuron("gn", 5);
        using var instance = live.Neuron("inorm", 1);

        Assert.Equal("GroupNorm", group.Layer.Kind);
        Oracle.Matches(model, group, new("gn.weight", null, "[5]", Single(5)), new("gn.bias", null, "[5]", Single(5)));
        Assert.Equal("InstanceNorm1d", instance.Layer.Kind);
        Oracle.Matches(model, instance, new("inorm.weight", null, "[1]", Single(1)), new("inorm.bias", null, "[1]", Single(1)));
    }

    [TorchFact]
    public void A_PReLU_gives_slope_j_and_a_Bilinear_the_matrix_W_j_and_bias_j()
    {
        var model = new Named(("act", nn.PReLU(4)), ("shared", nn.PReLU(1)), ("bi", nn.Bilinear(3, 5, 6)));
        var live = new LiveModel(model);

        using var slope = live.Neuron("act", 3);
        using var shared = live.Neuron("shared", 0);
        using var bilinear = live.Neuron("bi", -1);

        Assert.Equal(("PReLU", 4L, "slope"), (slope.Layer.Kind, slope.Layer.NeuronCount, slope.Parts[0].Role.Name));
        Oracle.Matches(model, slope, new Expected("act.weight", null, "[3]", Single(3)));
        Assert.Equal(("PReLU", 1L), (shared.Layer.Kind, shared.Layer.NeuronCount));
        Oracle.Matches(model, shared, new Expected("shared.weight", null, "[0]", Single(0)));
        Assert.Equal(("Bilinear", 6L, "[out, in1, in2]"), (bilinear.Layer.Kind, bilinear.Layer.NeuronCount, bilinear.Layer.Layout));
        Oracle.Matches(model, bilinear, new("bi.weight", null, "[5]", Single(5)), new("bi.bias", null, "[5]", Single(5)));
        Assert.Equal([3L, 5], bilinear.Parts[0].Shape);
    }

    [TorchFact]
    public void An_Embedding_gives_unit_j_s_weight_from_every_token()
    {
        var model = new Named(("emb", nn.Embedding(10, 3)), ("bag", nn.EmbeddingBag(7, 4)));
        var live = new LiveModel(model);

        using var unit = live.Neuron("emb", 2);
        using var bagUnit = live.Neuron("bag", -1);

        Assert.Equal(("Embedding", 3L), (unit.Layer.Kind, unit.Layer.NeuronCount));
        Oracle.Matches(model, unit, new Expected("emb.weight", null, "[:, 2]", Colon, Single(2)));
        Assert.Equal([10L], unit.Parts[0].Shape);
        Assert.Equal("EmbeddingBag", bagUnit.Layer.Kind);
        Oracle.Matches(model, bagUnit, new Expected("bag.weight", null, "[:, 3]", Colon, Single(3)));
    }

    [TorchFact]
    public void A_MultiheadAttention_gives_the_q_k_and_v_rows_of_its_packed_projection_and_its_out_proj_is_a_Linear()
    {
        var model = new Named(("attn", nn.MultiheadAttention(8, 2)));
        var live = new LiveModel(model);

        using var unit = live.Neuron("attn", 3);
        using var output = live.Neuron("attn.out_proj", 3);

        Assert.Equal(["attn MultiheadAttention", "attn.out_proj Linear"], live.Layers.Select(l => $"{l.Name} {l.Kind}"));
        Oracle.Matches(model, unit,
            new("attn.in_proj_weight", "q", "[3]", Single(3)), new("attn.in_proj_bias", "q", "[3]", Single(3)),
            new("attn.in_proj_weight", "k", "[11]", Single(11)), new("attn.in_proj_bias", "k", "[11]", Single(11)),
            new("attn.in_proj_weight", "v", "[19]", Single(19)), new("attn.in_proj_bias", "v", "[19]", Single(19)));
        Oracle.Matches(model, output, new("attn.out_proj.weight", null, "[3]", Single(3)), new("attn.out_proj.bias", null, "[3]", Single(3)));
    }

    [TorchFact]
    public void A_MultiheadAttention_with_its_own_key_and_value_sizes_gives_its_separate_projections_and_bias_k_v()
    {
        var model = new Named(("attn", nn.MultiheadAttention(8, 2, kdim: 4, vdim: 5, add_bias_kv: true)));
        using (no_grad())
            foreach (var (_, tensor) in model.state_dict()) tensor.copy_(randn_like(tensor));

        using var unit = new LiveModel(model).Neuron("attn", 6);

        Oracle.Matches(model, unit,
            new("attn.q_proj_weight", "q", "[6]", Single(6)), new("attn.in_proj_bias", "q", "[6]", Single(6)),
            new("attn.k_proj_weight", "k", "[6]", Single(6)), new("attn.in_proj_bias", "k", "[14]", Single(14)),
            new("attn.bias_k", "k", "[0, 0, 6]", Single(0), Single(0), Single(6)),
            new("attn.v_proj_weight", "v", "[6]", Single(6)), new("attn.in_proj_bias", "v", "[22]", Single(22)),
            new("attn.bias_v", "v", "[0, 0, 6]", Single(0), Single(0), Single(6)));
    }

    [TorchFact]
    public void A_module_class_decides_the_kind_and_says_so_in_the_evidence()
    {
        var model = new Named(("bn", nn.BatchNorm1d(3)), ("conv", nn.Conv2d(2, 2, 1, bias: false)));

        var layers = new LiveModel(model).Layers;

        Assert.Equal(["BatchNorm1d", "Conv2d"], layers.Select(l => l.Kind));
        Assert.Equal("module class TorchSharp.Modules.BatchNorm1d", layers[0].Evidence[0]);
        Assert.Equal("module class TorchSharp.Modules.Conv2d", layers[1].Evidence[0]);
        Assert.All(layers, l => Assert.False(l.Assumed));
    }

    [TorchFact]
    public void Modules_in_every_floating_point_dtype_give_their_values_exactly()
    {
        foreach (var dtype in new[] { ScalarType.Float64, ScalarType.Float16, ScalarType.BFloat16 })
        {
            var model = new Named(("fc", nn.Linear(6, 3))).to(dtype);

            using var neuron = new LiveModel(model).Neuron("fc", 1);

            Assert.Equal(dtype.ToString(), neuron.Part("weight")!.DType.ToString());
            Assert.Equal(dtype, neuron.Part("weight")!.Tensor.dtype);
            Oracle.Matches(model, neuron, new("fc.weight", null, "[1]", Single(1)), new("fc.bias", null, "[1]", Single(1)));
        }
    }

    [TorchFact]
    public void Every_supported_module_type_is_a_kind_NeuronKit_reads_by_its_own_name()
    {
        // Given one module of each supported type that TorchSharp can make with small sizes
        (nn.Module Module, string Name)[] modules =
        [
            (nn.Linear(2, 2), "Linear"), (nn.Conv1d(2, 2, 1), "Conv1d"), (nn.Conv2d(2, 2, 1), "Conv2d"), (nn.Conv3d(2, 2, 1), "Conv3d"),
            (nn.ConvTranspose1d(2, 2, 1), "ConvTranspose1d"), (nn.ConvTranspose2d(2, 2, 1), "ConvTranspose2d"),
            (nn.ConvTranspose3d(2, 2, 1), "ConvTranspose3d"), (nn.RNN(2, 2), "RNN"), (nn.LSTM(2, 2), "LSTM"), (nn.GRU(2, 2), "GRU"),
            (nn.RNNCell(2, 2), "RNNCell"), (nn.LSTMCell(2, 2), "LSTMCell"), (nn.GRUCell(2, 2), "GRUCell"),
            (nn.BatchNorm1d(2), "BatchNorm1d"), (nn.BatchNorm2d(2), "BatchNorm2d"), (nn.BatchNorm3d(2), "BatchNorm3d"),
            (nn.InstanceNorm1d(2, affine: true), "InstanceNorm1d"), (nn.InstanceNorm2d(2, affine: true), "InstanceNorm2d"),
            (nn.InstanceNorm3d(2, affine: true), "InstanceNorm3d"), (nn.LayerNorm(2), "LayerNorm"), (nn.GroupNorm(1, 2), "GroupNorm"),
            (nn.Embedding(2, 2), "Embedding"), (nn.EmbeddingBag(2, 2), "EmbeddingBag"), (nn.MultiheadAttention(2, 1), "MultiheadAttention"),
            (nn.PReLU(2), "PReLU"), (nn.Bilinear(2, 3, 2), "Bilinear"),
        ];
        Assert.Equal(SupportedModules.Types.Select(t => t.Name), modules.Select(m => m.Name));

        // Then each, as the root module, is a layer of its own kind, read from its class, not assumed
        foreach (var (module, name) in modules)
        {
            var layer = new LiveModel(module).Layers[0];
            Assert.Equal(name, layer.Kind);
            Assert.Equal($"module class TorchSharp.Modules.{name}", layer.Evidence[0]);
            Assert.Equal(name, module.GetType().Name);
        }
    }
}
