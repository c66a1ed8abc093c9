namespace NeuronKit.Diff;

/// <summary>
/// What llama.cpp's converter (convert_hf_to_gguf.py) does to one architecture's Hugging Face tensors: the GGUF names it
/// gives them (gguf-py/gguf/tensor_mapping.py, for the tensors that architecture lists in constants.py's MODEL_TENSORS),
/// whether it permutes the q/k rows, and what it adds to the norm weights. The same GGUF name can come from another
/// module in another architecture (<c>ffn_norm</c> is Gemma's <c>post_attention_layernorm</c> but Gemma 2's
/// <c>pre_feedforward_layernorm</c>), so a table holds for its architectures only.
/// </summary>
/// <param name="PermutesQK">True when the converter reorders q/k rows for llama.cpp's rotary embedding (LlamaModel.permute).</param>
/// <param name="NormShift">What it adds to every norm weight (Gemma's <c>data_torch + 1</c>: its RMSNorm scales by 1 + w); 0 for none.</param>
/// <param name="Top">llama.cpp name → Hugging Face module path, outside the blocks.</param>
/// <param name="Block">
/// Within block N: <c>blk.N.&lt;llama.cpp&gt;</c> ↔ <c>&lt;Blocks&gt;N.&lt;Hugging Face&gt;</c>; for a mixture of experts'
/// stacked tensors, expert E's sub-layer <c>blk.N.ffn_up_exps.E</c> ↔ the path with <c>{e}</c> replaced by E.
/// </param>
/// <param name="Blocks">Where the Hugging Face model keeps its blocks: <c>model.layers.</c>, GPT-2's <c>transformer.h.</c>.</param>
/// <param name="BasePrefix">
/// The base model's attribute in the model with a head (<c>model.</c>, GPT-2's <c>transformer.</c>): a checkpoint of
/// the base model alone (LlamaModel, GPT2Model) names its layers without it, and the converter takes either.
/// </param>
/// <param name="Splits">
/// Within block N, Hugging Face layers the converter split in two: gpt-oss's <c>mlp.experts.gate_up_proj.{e}</c>, its
/// rows taking turns (even rows to <c>ffn_gate_exps</c>, odd rows to <c>ffn_up_exps</c>), Llama 4's
/// <c>feed_forward.experts.gate_up_proj.{e}</c>, its first half to <c>ffn_gate_exps</c> and the second to
/// <c>ffn_up_exps</c>.
/// </param>
/// <param name="HalvedGateUp">
/// The llama.cpp layer (within a block) that keeps such a layer's rows whole but with every even row first; null for none.
/// </param>
/// <param name="LatentSplit">
/// Within block N, DeepSeek's <c>self_attn.kv_b_proj</c>, which the converter splits per head into <c>attn_k_b</c> (the
/// key rows, transposed) and <c>attn_v_b</c> (the value rows); null for none (<see cref="LatentUpProjection"/>).
/// </param>
/// <param name="TrimsEmbedding">
/// True when the converter keeps only the embedding rows of the tokenizer's vocabulary, the first of the checkpoint's
/// (Gemma 3's modify_tensors: <c>data_torch[:len(tokens)]</c>).
/// </param>
internal sealed record LlamaCppArchitecture(bool PermutesQK, double NormShift, IReadOnlyDictionary<string, string> Top,
    IReadOnlyDictionary<string, string> Block, string Blocks = "model.layers.", string BasePrefix = "model.",
    IReadOnlyDictionary<string, (string First, string Second, bool Interleaved)>? Splits = null, string? HalvedGateUp = null,
    bool TrimsEmbedding = false, (string HuggingFace, string Keys, string Values)? LatentSplit = null)
{
    private static readonly Dictionary<string, string> LlamaTop = new(StringComparer.Ordinal)
    {
        ["token_embd"] = "model.embed_tokens",
        ["output_norm"] = "model.norm",
        ["output"] = "lm_head",
    };

    private static readonly Dictionary<string, string> LlamaAttention = new(StringComparer.Ordinal)
    {
        ["attn_norm"] = "input_layernorm",
        ["attn_q"] = "self_attn.q_proj",
        ["attn_k"] = "self_attn.k_proj",
        ["attn_v"] = "self_attn.v_proj",
        ["attn_output"] = "self_attn.o_proj",
    };

    // Tables of distinct entries, as one (a repeated name would throw, at the first use of any table).
    private static Dictionary<string, string> Merged(params IReadOnlyDictionary<string, string>[] tables) =>
        tables.SelectMany(t => t).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    private static readonly Dictionary<string, string> LlamaMlp = new(StringComparer.Ordinal)
    {
        ["ffn_gate"] = "mlp.gate_proj",
        ["ffn_up"] = "mlp.up_proj",
        ["ffn_down"] = "mlp.down_proj",
    };

    // Norms of the queries and keys: each head's (Qwen3, Gemma 3, GLM-4.5), or the whole projection's (OLMo 2).
    private static readonly Dictionary<string, string> QueryKeyNorms = new(StringComparer.Ordinal)
    {
        ["attn_q_norm"] = "self_attn.q_norm",
        ["attn_k_norm"] = "self_attn.k_norm",
    };

    private static readonly Dictionary<string, string> LlamaBlock = Merged(LlamaAttention, LlamaMlp, QueryKeyNorms, new Dictionary<string, string>
    {
        ["ffn_norm"] = "post_attention_layernorm",
    });

    // Mixtral converts to llama: its router and experts, stacked by the converter along a new first dim.
    private static readonly Dictionary<string, string> MixtralBlock = new(LlamaBlock, StringComparer.Ordinal)
    {
        ["ffn_gate_inp"] = "block_sparse_moe.gate",
        ["ffn_gate_exps"] = "block_sparse_moe.experts.{e}.w1",
        ["ffn_down_exps"] = "block_sparse_moe.experts.{e}.w2",
        ["ffn_up_exps"] = "block_sparse_moe.experts.{e}.w3",
    };

    // Qwen2-MoE and Qwen3-MoE: the router, the experts and (Qwen2-MoE) a shared expert with a gate of its own.
    private static readonly Dictionary<string, string> QwenMoeBlock = new(LlamaBlock, StringComparer.Ordinal)
    {
        ["ffn_gate_inp"] = "mlp.gate",
        ["ffn_gate_exps"] = "mlp.experts.{e}.gate_proj",
        ["ffn_up_exps"] = "mlp.experts.{e}.up_proj",
        ["ffn_down_exps"] = "mlp.experts.{e}.down_proj",
        ["ffn_gate_shexp"] = "mlp.shared_expert.gate_proj",
        ["ffn_up_shexp"] = "mlp.shared_expert.up_proj",
        ["ffn_down_shexp"] = "mlp.shared_expert.down_proj",
        ["ffn_gate_inp_shexp"] = "mlp.shared_expert_gate",
    };

    // Phi-3 keeps its fused projections fused: qkv_proj is attn_qkv, gate_up_proj is ffn_up (the same rows in the same order).
    private static readonly Dictionary<string, string> Phi3Block = new(StringComparer.Ordinal)
    {
        ["attn_norm"] = "input_layernorm",
        ["attn_qkv"] = "self_attn.qkv_proj",
        ["attn_output"] = "self_attn.o_proj",
        ["ffn_norm"] = "post_attention_layernorm",
        ["ffn_up"] = "mlp.gate_up_proj",
        ["ffn_down"] = "mlp.down_proj",
    };

    // Gemma ties its output to the embedding; the converter skips any lm_head.
    private static readonly Dictionary<string, string> GemmaTop = new(StringComparer.Ordinal)
    {
        ["token_embd"] = "model.embed_tokens",
        ["output_norm"] = "model.norm",
    };

    private static readonly Dictionary<string, string> GemmaBlock = Merged(LlamaAttention, LlamaMlp, new Dictionary<string, string>
    {
        ["ffn_norm"] = "post_attention_layernorm",
    });

    // Gemma 2 and 3 norm both sides of attention and of the MLP: post_attention_layernorm is ATTN_POST_NORM there, and
    // ffn_norm is FFN_PRE_NORM (pre_feedforward_layernorm). Gemma 3 adds q/k norms.
    private static readonly Dictionary<string, string> Gemma2Block = Merged(LlamaAttention, LlamaMlp, QueryKeyNorms, new Dictionary<string, string>
    {
        ["post_attention_norm"] = "post_attention_layernorm",
        ["ffn_norm"] = "pre_feedforward_layernorm",
        ["post_ffw_norm"] = "post_feedforward_layernorm",
    });

    // OLMo 2 and 3 (olmo2): no norm before attention or the MLP, one after each (ATTN_POST_NORM, FFN_POST_NORM).
    private static readonly Dictionary<string, string> Olmo2Block = Merged(LlamaAttention, LlamaMlp, QueryKeyNorms, new Dictionary<string, string>
    {
        ["post_attention_norm"] = "post_attention_layernorm",
        ["post_ffw_norm"] = "post_feedforward_layernorm",
    });

    // Seed-OSS (seed_oss): LLaMA's block, its post_attention_layernorm listed as ATTN_POST_NORM (no FFN_NORM).
    private static readonly Dictionary<string, string> SeedOssBlock = Merged(LlamaAttention, LlamaMlp, new Dictionary<string, string>
    {
        ["post_attention_norm"] = "post_attention_layernorm",
    });

    // gpt-oss: attention with sinks, a router, and fused experts (Hugging Face's [experts, in, out], MXFP4 in its
    // checkpoint as [experts, out, in]). post_attention_layernorm is ATTN_POST_NORM here: gpt-oss lists no FFN_NORM.
    // The converter splits gate_up_proj's interleaved rows into ffn_gate_exps and ffn_up_exps (Splits), or, with
    // --fuse-gate-up-exps, writes ffn_gate_up_exps with the gate's rows first (HalvedGateUp).
    private static readonly Dictionary<string, string> GptOssBlock = new(LlamaAttention, StringComparer.Ordinal)
    {
        ["attn_sinks"] = "self_attn.sinks",
        ["post_attention_norm"] = "post_attention_layernorm",
        ["ffn_gate_inp"] = "mlp.router",
        ["ffn_down_exps"] = "mlp.experts.down_proj.{e}",
        ["ffn_gate_up_exps"] = "mlp.experts.gate_up_proj.{e}",
    };

    private static readonly Dictionary<string, (string, string, bool)> GptOssSplits = new(StringComparer.Ordinal)
    {
        ["mlp.experts.gate_up_proj.{e}"] = ("ffn_gate_exps", "ffn_up_exps", true),
    };

    // Llama 4 keeps its experts fused, [experts, in, out], the gate's outputs before the up projection's; the converter
    // splits them in halves (Llama4Model.modify_tensors) and leaves q/k unpermuted (undo_permute = False). Its MoE blocks
    // have a router and a shared expert; the blocks between (interleave_moe_layer_step) a plain MLP, under feed_forward.
    private static readonly Dictionary<string, string> Llama4Block = new(LlamaAttention, StringComparer.Ordinal)
    {
        ["ffn_norm"] = "post_attention_layernorm",
        ["ffn_gate_inp"] = "feed_forward.router",
        ["ffn_down_exps"] = "feed_forward.experts.down_proj.{e}",
        ["ffn_gate_shexp"] = "feed_forward.shared_expert.gate_proj",
        ["ffn_up_shexp"] = "feed_forward.shared_expert.up_proj",
        ["ffn_down_shexp"] = "feed_forward.shared_expert.down_proj",
        ["ffn_gate"] = "feed_forward.gate_proj",
        ["ffn_up"] = "feed_forward.up_proj",
        ["ffn_down"] = "feed_forward.down_proj",
    };

    private static readonly Dictionary<string, (string, string, bool)> Llama4Splits = new(StringComparer.Ordinal)
    {
        ["feed_forward.experts.gate_up_proj.{e}"] = ("ffn_gate_exps", "ffn_up_exps", false),
    };

    // DeepSeek-V3's mixture: a router with its selection bias (exp_probs_b), routed experts and shared ones.
    private static readonly Dictionary<string, string> DeepSeekExperts = new(StringComparer.Ordinal)
    {
        ["ffn_gate_inp"] = "mlp.gate",
        ["exp_probs_b"] = "mlp.gate.e_score_correction_bias",
        ["ffn_gate_exps"] = "mlp.experts.{e}.gate_proj",
        ["ffn_up_exps"] = "mlp.experts.{e}.up_proj",
        ["ffn_down_exps"] = "mlp.experts.{e}.down_proj",
        ["ffn_gate_shexp"] = "mlp.shared_experts.gate_proj",
        ["ffn_up_shexp"] = "mlp.shared_experts.up_proj",
        ["ffn_down_shexp"] = "mlp.shared_experts.down_proj",
    };

    // DeepSeek-V2/V3 (deepseek2): multi-head latent attention, the q projection low-rank (q_a, q_b; V2-Lite's plain
    // q_proj), dense MLPs in the first blocks, then the mixture. Newer converters write kv_b_proj only split
    // (LatentSplit); older ones kept it as attn_kv_b.
    private static readonly Dictionary<string, string> DeepSeekBlock = Merged(LlamaBlock, DeepSeekExperts, new Dictionary<string, string>
    {
        ["attn_q_a"] = "self_attn.q_a_proj",
        ["attn_q_a_norm"] = "self_attn.q_a_layernorm",
        ["attn_q_b"] = "self_attn.q_b_proj",
        ["attn_kv_a_mqa"] = "self_attn.kv_a_proj_with_mqa",
        ["attn_kv_a_norm"] = "self_attn.kv_a_layernorm",
        ["attn_kv_b"] = "self_attn.kv_b_proj",
    });

    // GLM-4.5 and 4.6 (glm4moe): LLaMA's attention (with biases, q/k norms in some), one norm after attention
    // (post_attention_norm: the architecture has no ffn_norm), dense MLPs first, then DeepSeek-V3's mixture.
    private static readonly Dictionary<string, string> Glm4MoeBlock = Merged(LlamaAttention, LlamaMlp, QueryKeyNorms, DeepSeekExperts, new Dictionary<string, string>
    {
        ["post_attention_norm"] = "post_attention_layernorm",
    });

    // GPT-2's Conv1D weights are stored (in, out); the converter transposes them, and the diff compares column j with
    // row j, so only the names need mapping.
    private static readonly Dictionary<string, string> Gpt2Top = new(StringComparer.Ordinal)
    {
        ["token_embd"] = "transformer.wte",
        ["position_embd"] = "transformer.wpe",
        ["output_norm"] = "transformer.ln_f",
        ["output"] = "lm_head",
    };

    private static readonly Dictionary<string, string> Gpt2Block = new(StringComparer.Ordinal)
    {
        ["attn_norm"] = "ln_1",
        ["attn_qkv"] = "attn.c_attn",
        ["attn_output"] = "attn.c_proj",
        ["ffn_norm"] = "ln_2",
        ["ffn_up"] = "mlp.c_fc",
        ["ffn_down"] = "mlp.c_proj",
    };

    /// <summary>
    /// general.architecture → its table. LLaMA's converter permutes q/k (Mistral and Mixtral convert to llama), and so
    /// do its subclasses Granite's, SmolLM3's and Mistral 3's (Mistral Small 3.x, Ministral 3, Devstral); Qwen2, Qwen3 (and their MoE variants), Phi-3, the Gemmas, gpt-oss,
    /// Llama 4, DeepSeek-V2/V3 (deepseek2, Kimi K2 too), GLM-4.5, OLMo 2 and Seed-OSS are written unpermuted; GPT-2 has no
    /// rotary embedding.
    /// </summary>
    public static IReadOnlyDictionary<string, LlamaCppArchitecture> Known { get; } = new Dictionary<string, LlamaCppArchitecture>(StringComparer.Ordinal)
    {
        ["llama"] = new(PermutesQK: true, 0, LlamaTop, MixtralBlock),
        ["granite"] = new(PermutesQK: true, 0, LlamaTop, LlamaBlock),
        ["smollm3"] = new(PermutesQK: true, 0, LlamaTop, LlamaBlock),
        ["mistral3"] = new(PermutesQK: true, 0, LlamaTop, LlamaBlock),
        ["qwen2"] = new(PermutesQK: false, 0, LlamaTop, LlamaBlock),
        ["qwen3"] = new(PermutesQK: false, 0, LlamaTop, LlamaBlock),
        ["qwen2moe"] = new(PermutesQK: false, 0, LlamaTop, QwenMoeBlock),
        ["qwen3moe"] = new(PermutesQK: false, 0, LlamaTop, QwenMoeBlock),
        ["phi3"] = new(PermutesQK: false, 0, LlamaTop, Phi3Block),
        ["gemma"] = new(PermutesQK: false, 1, GemmaTop, GemmaBlock),
        ["gemma2"] = new(PermutesQK: false, 1, GemmaTop, Gemma2Block),
        ["gemma3"] = new(PermutesQK: false, 1, GemmaTop, Gemma2Block, TrimsEmbedding: true),
        ["gpt2"] = new(PermutesQK: false, 0, Gpt2Top, Gpt2Block, Blocks: "transformer.h.", BasePrefix: "transformer."),
        ["gpt-oss"] = new(PermutesQK: false, 0, LlamaTop, GptOssBlock, Splits: GptOssSplits, HalvedGateUp: "ffn_gate_up_exps"),
        ["llama4"] = new(PermutesQK: false, 0, LlamaTop, Llama4Block, Splits: Llama4Splits),
        ["glm4moe"] = new(PermutesQK: false, 0, LlamaTop, Glm4MoeBlock),
        ["olmo2"] = new(PermutesQK: false, 0, LlamaTop, Olmo2Block),
        ["seed_oss"] = new(PermutesQK: false, 0, LlamaTop, SeedOssBlock),
        ["deepseek2"] = new(PermutesQK: false, 0, LlamaTop, DeepSeekBlock, LatentSplit: ("self_attn.kv_b_proj", "attn_k_b", "attn_v_b")),
    };
}
