using System.Text.RegularExpressions;
using NeuronKit.Layers.Kinds;

namespace NeuronKit.Layers;

/// <summary>
/// What names say about layers, one convention a line with the model it comes from. Names are evidence, weaker than a
/// module class and checked against shapes before they decide anything.
/// </summary>
internal static partial class NameConventions
{
    /// <summary>Modules whose 2-D weight is stored (in, out): neuron j is column j.</summary>
    public static readonly IReadOnlyList<NameConvention> InOutLinear =
    [
        new("c_attn", "GPT-2's Conv1D"),                       // GPT-2, OpenAI GPT: fused q, k, v projection, weight [E, 3E]
        new("c_fc", "GPT-2's Conv1D"),                         // GPT-2, OpenAI GPT: MLP up-projection, weight [E, 4E]
        new("c_proj", "GPT-2's Conv1D"),                       // GPT-2, OpenAI GPT: attention and MLP output projections
    ];

    /// <summary>Modules that are torch.nn.Linear, weight (out, in), in well-known models: they settle a square weight.</summary>
    public static readonly IReadOnlyList<NameConvention> OutInLinear =
    [
        new("out_proj", "torch.nn.MultiheadAttention's output projection, a torch.nn.Linear"), // PyTorch MHA, BART, OPT (HF)
        new("q_proj|k_proj|v_proj|o_proj", "a Hugging Face attention projection, a torch.nn.Linear"), // LLaMA, Mistral, OPT (HF)
        new("gate_proj|up_proj|down_proj", "a Hugging Face MLP projection, a torch.nn.Linear"),      // LLaMA, Mistral (HF)
        new("qkv_proj|gate_up_proj", "a fused Hugging Face projection (q | k | v, gate | up), a torch.nn.Linear"), // Phi-3 (HF Phi3Attention, Phi3MLP), GLM-4 (Glm4MLP)
        new("query|key|value", "BERT's attention projection, a torch.nn.Linear"),                    // BERT, RoBERTa (HF)
        new("attn_q|attn_k", "llama.cpp's query/key projection (GGUF ne [in, out], read back as [out, in]); for " +
            "LLaMA-family models llama.cpp's converter permutes its rows within each head (GGUF row h·hd + 2i + p is " +
            "Hugging Face row h·hd + p·hd/2 + i), so row j may not be the Hugging Face model's row j"), // llama.cpp convert_hf_to_gguf.py LlamaModel.permute
        new("attn_v|attn_output|attn_qkv", "llama.cpp's attention projection (GGUF ne [in, out], read back as [out, in])"), // llama.cpp gguf-py tensor_mapping.py
        new("ffn_up|ffn_down|ffn_gate", "llama.cpp's feed-forward projection (GGUF ne [in, out], read back as [out, in])"), // llama.cpp gguf-py tensor_mapping.py
        new("output", "llama.cpp's output head (GGUF ne [in, out], read back as [out, in])"),          // llama.cpp output.weight (lm_head)
        new("ffn_gate_inp", "llama.cpp's expert router of a mixture of experts (GGUF ne [in, experts], read back as [experts, in])"), // llama.cpp FFN_GATE_INP (Mixtral block_sparse_moe.gate, Qwen MoE mlp.gate)
        new("ffn_up_shexp|ffn_down_shexp|ffn_gate_shexp", "llama.cpp's shared expert projection (GGUF ne [in, out], read back as [out, in])"), // llama.cpp FFN_*_SHEXP (Qwen MoE mlp.shared_expert)
        new("q_a_proj|q_b_proj|kv_a_proj_with_mqa|kv_b_proj", "DeepSeek's latent attention projection, a torch.nn.Linear"), // transformers DeepseekV2/V3Attention
        new("attn_q_a|attn_q_b|attn_kv_a_mqa|attn_kv_b", "llama.cpp's latent attention projection (GGUF ne [in, out], read back as [out, in])"), // llama.cpp gguf-py constants.py ATTN_Q_A … ATTN_KV_B (deepseek2)
    ];

    /// <summary>Tensors that stack a mixture of experts' Linear weights, [experts, out, in].</summary>
    public static readonly IReadOnlyList<NameConvention> Experts =
    [
        new("ffn_gate_exps|ffn_up_exps|ffn_down_exps|ffn_gate_up_exps", "llama.cpp's stacked experts of a mixture-of-experts feed-forward (GGUF ne [in, out, experts], read back as [experts, out, in])"), // llama.cpp gguf-py constants.py FFN_*_EXP (Mixtral, Qwen MoE)
    ];

    /// <summary>
    /// Modules that stack a mixture of experts' Linear weights, [experts, out, in], matched against a module's last two
    /// names (the experts' own name alone, gate_proj, says nothing).
    /// </summary>
    public static readonly IReadOnlyList<NameConvention> SwitchExperts =
    [
        new(@"switch_mlp\.(?:gate_proj|up_proj|down_proj|fc1|fc2)", "MLX's SwitchGLU and SwitchMLP stacked experts (mlx-lm's mixtures of experts)"), // mlx-lm models/switch_layers.py
    ];

    /// <summary>Tensors that stack one Linear weight per attention head, [heads, out, in].</summary>
    public static readonly IReadOnlyList<NameConvention> HeadProjections =
    [
        new("attn_k_b|attn_v_b", "llama.cpp's per-head projections of DeepSeek's multi-head latent attention, split from " +
            "kv_b_proj by its converter (GGUF ne [in, out, heads], read back as [heads, out, in])"), // llama.cpp gguf-py constants.py ATTN_K_B, ATTN_V_B; DeepseekV2Model.modify_tensors
    ];

    /// <summary>Modules that hold a mixture's experts fused, gate_up_proj and down_proj one 3-D parameter each.</summary>
    public static readonly IReadOnlyList<NameConvention> FusedExperts =
    [
        new("experts", "Hugging Face's fused experts module (gpt-oss, Llama 4, transformers 5's mixtures of experts)"), // transformers GptOssExperts, Llama4TextExperts
    ];

    /// <summary>Modules whose lone 1-D weight is not a norm's scale, though stored as one.</summary>
    public static readonly IReadOnlyList<NameConvention> NotNorms =
    [
        new("attn_sinks", "llama.cpp's attention sinks (gpt-oss): one logit per head"), // llama.cpp gguf-py constants.py ATTN_SINKS
    ];

    /// <summary>Modules whose lone 1-D weight is a PReLU's slopes (torch.nn.PReLU, weight [C]), though a norm stores the same.</summary>
    public static readonly IReadOnlyList<NameConvention> PRelu =
    [
        new(@"(?i:p?relu|act|activation|act_fn|activation_fn|nonlinearity)_?\d*", "an activation's name"), // torchvision, timm, PyTorch tutorials: self.act, self.relu, self.prelu1
    ];

    /// <summary>Modules whose 3-D weight is a torch.nn.Bilinear's [out, in1, in2], though a Conv1d's [out, in, k] looks the same.</summary>
    public static readonly IReadOnlyList<NameConvention> Bilinear =
    [
        new(@"(?i:\w*bilinear\w*)", "a torch.nn.Bilinear's name"),
    ];

    /// <summary>Modules whose 3-D weight is a convolution's by their name, not a Bilinear's.</summary>
    public static readonly IReadOnlyList<NameConvention> Convolution =
    [
        new(@"(?i:\w*conv\w*)", "a convolution's name"), // conv1 (Whisper), conv (wav2vec 2.0's feature extractor), conv_layers
    ];

    /// <summary>Modules whose bias-free 2-D weight is an embedding table [num, dim].</summary>
    public static readonly IReadOnlyList<NameConvention> Embedding =
    [
        new("embed|embedding|embeddings|emb", "a common embedding name"),   // PyTorch tutorials, fairseq, timm
        new("wte", "GPT-2's token embedding"),                 // GPT-2 transformer.wte
        new("wpe", "GPT-2's position embedding"),              // GPT-2 transformer.wpe
        new("tok_embeddings", "LLaMA's token embedding"),      // Meta LLaMA reference code
        new("embed_tokens|embed_positions", "an embedding in Hugging Face transformers"), // LLaMA, OPT, BART (HF)
        new("word_embeddings|position_embeddings|token_type_embeddings", "BERT's embeddings"), // BERT, RoBERTa (HF)
        new("embed_in", "GPT-NeoX's token embedding"),         // Pythia / GPT-NeoX (HF)
        new("shared", "T5's shared token embedding"),          // T5 (HF) shared.weight
        new(@"\w+_embeddings?", "an embedding by its name"),   // e.g. patch_embedding, relative_embeddings
        new("token_embd|position_embd", "llama.cpp's embedding (GGUF ne [dim, num], read back as [num, dim])"), // llama.cpp gguf-py tensor_mapping.py
    ];

    /// <summary>Modules whose weight-only 1-D tensor is an RMSNorm's scale.</summary>
    public static readonly IReadOnlyList<NameConvention> RmsNorm =
    [
        new("attn_norm|ffn_norm|output_norm|attn_q_norm|attn_k_norm", "llama.cpp's RMSNorm"), // llama.cpp LLaMA-family GGUF (LlamaRMSNorm in HF)
        new("input_layernorm|post_attention_layernorm", "a Hugging Face LLaMA-family decoder layer's RMSNorm"), // LlamaRMSNorm (LLaMA, Mistral, Qwen2); GPT-NeoX's namesakes have a bias
        new("q_a_layernorm|kv_a_layernorm", "DeepSeek's latent attention RMSNorm"), // transformers DeepseekV3RMSNorm
        new("attn_q_a_norm|attn_kv_a_norm", "llama.cpp's latent attention RMSNorm"), // llama.cpp gguf-py constants.py ATTN_Q_A_NORM, ATTN_KV_A_NORM (deepseek2)
    ];

    /// <summary>
    /// Parameters a module keeps in a container of its own, by the name the reader gives each item: they play the role
    /// given in their module, and the container says the module's kind and layout.
    /// </summary>
    public static readonly IReadOnlyList<PackedParameter> PackedParameters =
    [
        new("_packed_params._packed_params", "0", "weight", "Linear", Linear.OutIn, QuantizedLinear), // torch.ao.nn.quantized LinearPackedParams._save_to_state_dict: (weight, bias)
        new("_packed_params._packed_params", "1", "bias", "Linear", Linear.OutIn, QuantizedLinear),   // the bias item; absent for Linear(bias=False)
        new("_packed_params", "_packed_weight", "weight", "Embedding", null, QuantizedEmbedding), // torch.ao.nn.quantized EmbeddingPackedParams._save_to_state_dict
        new("_packed_weight_ih", "0", "weight_ih", null, null, QuantizedCell),  // torch.ao.nn.quantized.dynamic RNNCellBase: (weight_ih, bias_ih)
        new("_packed_weight_ih", "1", "bias_ih", null, null, QuantizedCell),
        new("_packed_weight_hh", "0", "weight_hh", null, null, QuantizedCell),  // (weight_hh, bias_hh)
        new("_packed_weight_hh", "1", "bias_hh", null, null, QuantizedCell),
    ];

    private const string QuantizedEmbedding = "a quantized Embedding's (or EmbeddingBag's) packed weight [num, dim], as " +
        "torch.ao.nn.quantized.Embedding saves it";

    private const string QuantizedCell = "a dynamic quantized LSTMCell, GRUCell or RNNCell's packed (weight, bias) of one side, as " +
        "quantize_dynamic makes it";

    private const string QuantizedLinear = "a quantized Linear's packed params (weight, bias), as torch.ao.nn.quantized.Linear and " +
        "its dynamic variant (quantize_dynamic) save them";

    /// <summary>
    /// What a quantized module keeps for the quantization of its output (the q_scale and q_zero_point of what it returns; 1.0
    /// and 0 in a dynamic one): scalars beside a quantized weight, which belong to the layer but to no neuron.
    /// </summary>
    public static readonly IReadOnlyList<string> OutputQuantization = ["scale", "zero_point"]; // torch.ao.nn.quantized Linear, Conv*d _save_to_state_dict

    /// <summary>
    /// The submodules torch.ao.quantization attaches to a module for quantization-aware training and calibration
    /// (<c>prepare_qat</c>, <c>prepare</c>): the FakeQuantize of its weight and the FakeQuantize or observer of its output,
    /// whose buffers (<c>scale</c>, <c>zero_point</c>, <c>min_val</c>, <c>max_val</c>, <c>fake_quant_enabled</c>, …) belong
    /// to the module but to no neuron.
    /// </summary>
    public static readonly IReadOnlyList<string> FakeQuantization = ["weight_fake_quant", "activation_post_process"];

    /// <summary>
    /// Where a tensor name enters a <see cref="FakeQuantization"/> submodule (<c>fc.weight_fake_quant.scale</c> → the index of
    /// <c>weight_fake_quant</c> among its components), or -1.
    /// </summary>
    public static int FakeQuantizationAt(string[] components)
    {
        for (int i = 0; i < components.Length - 1; i++)
            if (FakeQuantization.Contains(components[i])) return i;
        return -1;
    }

    /// <summary>
    /// What an FP8 or NVFP4 module keeps for the quantization of its input (a static activation scale): a scalar beside a
    /// weight read through its scales, which belongs to the layer but to no neuron.
    /// </summary>
    public static readonly IReadOnlyList<string> InputQuantization = ["input_scale", "input_global_scale"]; // compressed-tensors' and ModelOpt's FP8 and NVFP4 checkpoints

    /// <summary>
    /// The KV-cache scales named for the cache (the keys', the values'), whatever the weights beside them are stored as: an
    /// FP8 KV cache is often the model's only quantization.
    /// </summary>
    public static readonly IReadOnlyList<string> CacheScales = ["k_scale", "v_scale"];

    /// <summary>
    /// What a quantized attention projection keeps for the KV cache it writes: ModelOpt's <c>k_proj.k_scale</c> and
    /// <c>v_proj.v_scale</c> (and its older <c>output_scale</c>), scalars that belong to the layer but to no neuron.
    /// </summary>
    public static readonly IReadOnlyList<string> CacheQuantization = [.. CacheScales, "output_scale"];

    /// <summary>
    /// The attention projection whose output a KV-cache scale kept on the attention module scales, or null: compressed-tensors
    /// and vLLM keep one <c>k_scale</c> and <c>v_scale</c> per attention (<c>model.layers.0.self_attn.k_scale</c>, as
    /// Qwen2.5-FP8 and gpt-oss ship them, or under vLLM's <c>self_attn.attn.</c>), scaling the keys <c>k_proj</c> computes and
    /// the values <c>v_proj</c> does, or the fused <c>qkv_proj</c>, <c>query_key_value</c>, <c>c_attn</c> or <c>W_pack</c>
    /// that computes both. <paramref name="modules"/> are the checkpoint's.
    /// </summary>
    public static string? CacheScaleProjection(string module, string role, IReadOnlySet<string> modules)
    {
        string? own = role switch { "k_scale" => "k_proj", "v_scale" => "v_proj", _ => null };
        if (own is null) return null;
        // vLLM's Attention sits under the attention module whose projections it reads (self_attn.attn); GPT-2's attention is attn itself.
        string[] attentions = module.EndsWith(".attn", StringComparison.Ordinal) ? [module, module[..^".attn".Length]] : [module];
        return attentions.SelectMany(a => new[] { own, "qkv_proj", "query_key_value", "c_attn", "W_pack" }.Select(p => a == "" ? p : $"{a}.{p}"))
            .FirstOrDefault(modules.Contains);
    }

    /// <summary>
    /// A mixture-of-experts router's per-expert bias that only chooses the experts (auxiliary-loss-free balancing), beside
    /// the router's weight: part of no neuron.
    /// </summary>
    public const string SelectionBias = "e_score_correction_bias"; // transformers DeepseekV3TopkRouter (DeepSeek-V3, R1, Kimi K2, GLM-4.5, dots1)

    /// <summary>
    /// Fused modules (torch.ao.nn.intrinsic, their quantized and QAT forms) by the class whose weights they keep, under the same
    /// names: what follows (a ReLU, an add) has none. QAT's Conv+BatchNorm fusions keep a BatchNorm too and are not listed.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> FusedModules = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ConvReLU1d"] = "Conv1d", ["ConvReLU2d"] = "Conv2d", ["ConvReLU3d"] = "Conv3d",     // torch.ao.nn.intrinsic(.quantized) conv_relu
        ["ConvAdd2d"] = "Conv2d", ["ConvAddReLU2d"] = "Conv2d",                              // torch.ao.nn.intrinsic.quantized conv_add
        ["LinearReLU"] = "Linear", ["LinearLeakyReLU"] = "Linear", ["LinearTanh"] = "Linear", // torch.ao.nn.intrinsic(.quantized(.dynamic)) linear_relu, …
        ["BNReLU2d"] = "BatchNorm2d", ["BNReLU3d"] = "BatchNorm3d",                          // torch.ao.nn.intrinsic.quantized bn_relu
    };

    /// <summary>The packed parameter <paramref name="tensorName"/> is, or null.</summary>
    public static PackedParameter? FindPacked(string tensorName) => PackedParameters.FirstOrDefault(p => p.Names(tensorName));

    /// <summary>
    /// A tensor of a dynamic quantized LSTM or GRU's cell (<c>lstm._all_weight_values.0.param.weight_ih_l0</c>), named so by the
    /// PyTorch reader: the module is the recurrent module, the role the float module's parameter name.
    /// </summary>
    [GeneratedRegex(@"^(?:(?<module>.*)\.)?_all_weight_values\.\d+\.param\.(?<role>(?:weight|bias)_(?:ih|hh)_l\d+(?:_reverse)?)$")] // torch.ao.nn.quantized.dynamic RNNBase._all_weight_values
    public static partial Regex QuantizedCellParameter();

    /// <summary>A recurrent parameter: <c>weight_ih_l0</c>, <c>bias_hh_l1_reverse</c>, <c>weight_hr_l0</c>, or a cell's <c>weight_ih</c>.</summary>
    [GeneratedRegex(@"^(?<role>weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)(?<sublayer>_l(?<k>\d+)(?<reverse>_reverse)?)?$")] // torch.nn.RNNBase._flat_weights_names
    public static partial Regex RecurrentParameter();

    /// <summary>The first convention of <paramref name="table"/> that <paramref name="moduleName"/> follows, or null.</summary>
    public static NameConvention? Find(IReadOnlyList<NameConvention> table, string moduleName) =>
        table.FirstOrDefault(c => c.Pattern.IsMatch(moduleName));
}
