using System.Text.RegularExpressions;
using NeuronKit.Layers;

namespace NeuronKit.Graph;

/// <summary>
/// What a state dict's names say about which layer reads which: one family a line, the producer's name → its consumers' names,
/// with the per-channel layers on the way and the model the names come from. Names are weaker than a graph or a module order:
/// every edge is checked against shapes and marked assumed, and a name the shapes refute gives no edge but a reason.
/// </summary>
internal static class GraphConventions
{
    private const string AttentionSoftmax = "queries and keys act through the attention softmax, which weighs every position's " +
        "values by them, so no slice of a consumer's weights multiplies them";

    // A producer that may hold a gated unit's two projections, gate | up, which the model multiplies unit for unit (the gate's
    // through its activation) before the consumer reads them: one that the consumer reads half of does.
    private static readonly ChannelBlocks GatedHalves = new(["gate", "up"], null, "act(gate unit i) · up unit i");

    /// <summary>The conventions in the order they are tried; the first whose consumer exists decides.</summary>
    public static readonly IReadOnlyList<GraphConvention> All =
    [
        new(@"(?<m>.+)\.l(?<k>\d+)(?:_reverse)?", ["{m}.l{k+1}", "{m}.l{k+1}_reverse"], [],
            "PyTorch's multi-layer LSTM, GRU and RNN: each sub-layer reads the one below, its directions concatenated",
            ["{m}.l{k}", "{m}.l{k}_reverse"]),                                                   // torch.nn.LSTM(num_layers > 1): weight_ih_l{k}[_reverse]
        new(@"(?<b>(?:.+\.)?)mlp\.c_fc", ["{b}mlp.c_proj"], [], "GPT-2's MLP: c_proj(gelu(c_fc(x)))", []), // GPT-2 (HF GPT2MLP, nanoGPT MLP)
        new(@"(?<b>(?:.+\.)?)attn\.c_attn", ["{b}attn.c_proj"], [],
            "GPT-2's attention: c_proj reads each head's attention-weighted values, the value third of c_attn's q | k | v", [],
            new(["query", "key", "value"], 2, AttentionSoftmax), ValueHeads: true), // GPT-2 (HF GPT2Attention, nanoGPT CausalSelfAttention)
        new(@"(?<b>(?:.+\.)?)intermediate\.dense", ["{b}output.dense"], [],
            "BERT's feed-forward: output.dense(gelu(intermediate.dense(x)))", []),               // BERT, RoBERTa (HF BertIntermediate → BertOutput)
        new(@"(?<b>(?:.+\.)?)(?:up|gate)_proj", ["{b}down_proj"], [],
            "Hugging Face's gated MLP: down_proj(act(gate_proj(x)) · up_proj(x))", []), // HF LlamaMLP (LLaMA, Mistral, Qwen, Gemma, OLMo), DeepSeek's and Qwen's experts and shared experts
        new(@"(?<b>(?:.+\.)?)gate_up_proj", ["{b}down_proj"], [],
            "Phi-3's and GLM-4's gated MLP: down_proj(act(gate) · up), gate | up = gate_up_proj(x)", [], GatedHalves), // HF Phi3MLP, Glm4MLP: gate, up = gate_up_proj(x).chunk(2, -1)
        new(@"(?<b>(?:.+\.)?)mlp\.dense_h_to_4h", ["{b}mlp.dense_4h_to_h"], [],
            "the MLP of GPT-NeoX, BLOOM and Falcon: dense_4h_to_h(gelu(dense_h_to_4h(x))); of ChatGLM: " +
            "dense_4h_to_h(silu(gate) · up), gate | up = dense_h_to_4h(x)", [], GatedHalves), // HF GPTNeoXMLP, BloomMLP, FalconMLP; ChatGLM's MLP (swiglu: chunk(2, -1))
        new(@"(?<b>(?:.+\.)?)self_attn\.qkv_proj", ["{b}self_attn.o_proj"], [],
            "Phi-3's attention: o_proj reads each head's attention-weighted values, the value block of qkv_proj's q | k | v", [],
            new(["query", "key", "value"], 2, AttentionSoftmax), ValueHeads: true), // HF Phi3Attention (qkv_proj → o_proj)
        new(@"(?<b>(?:.+\.)?(?:feed_forward|experts\.\d+)\.)w[13]", ["{b}w2"], [],
            "Meta's and Mixtral's feed-forward: w2(silu(w1(x)) · w3(x))", []),                  // Meta llama FeedForward, HF MixtralBlockSparseTop2MLP
        new(@"(?<b>(?:.+\.)?)self_attn\.v_proj", ["{b}self_attn.o_proj"], [],
            "Hugging Face's attention: o_proj reads each head's attention-weighted values", [], ValueHeads: true), // HF LlamaAttention and its kin (v_proj → o_proj)
        new(@"(?<b>(?:.+\.)?)self_attn\.q_a_proj", ["{b}self_attn.q_b_proj"], ["{b}self_attn.q_a_layernorm"],
            "DeepSeek's low-rank queries: q_b_proj(q_a_layernorm(q_a_proj(x)))", []),          // HF DeepseekV3Attention (q_lora_rank)
        new(@"(?<b>blk\.\d+\.)attn_q_a", ["{b}attn_q_b"], ["{b}attn_q_a_norm"],
            "llama.cpp's low-rank queries (deepseek2): attn_q_b(attn_q_a_norm(attn_q_a(x)))", []), // llama.cpp deepseek2 GGUF
        new(@"(?<b>(?:.+\.)?)attention\.wv", ["{b}attention.wo"], [],
            "Meta's attention: wo reads each head's attention-weighted values", [], ValueHeads: true),            // Meta llama Attention (wv → wo)
        new(@"(?<b>blk\.\d+\.)ffn_(?:up|gate)", ["{b}ffn_down"], [],
            "llama.cpp's feed-forward: ffn_down(act(ffn_gate(x)) · ffn_up(x)), or ffn_down(act(ffn_up(x))) where the block " +
            "has no ffn_gate (Phi-3's and ChatGLM's ffn_up holding gate | up, swiglu'd)", [], GatedHalves), // llama.cpp LLaMA-family GGUF (HF gate_proj, up_proj → down_proj); phi3, chatglm: LLM_FFN_SWIGLU of the fused ffn_up
        new(@"(?<b>blk\.\d+\.)ffn_(?:up|gate)_exps\.(?<e>\d+)", ["{b}ffn_down_exps.{e}"], [],
            "llama.cpp's mixture of experts: expert E's ffn_down reads its own ffn_gate and ffn_up", []), // llama.cpp MoE GGUF (Mixtral w1, w3 → w2; Qwen MoE gate_proj, up_proj → down_proj)
        new(@"(?<b>blk\.\d+\.)ffn_(?:up|gate)_shexp", ["{b}ffn_down_shexp"], [],
            "llama.cpp's shared expert: ffn_down_shexp(silu(ffn_gate_shexp(x)) · ffn_up_shexp(x))", []), // llama.cpp Qwen2-MoE GGUF (HF shared_expert)
        new(@"(?<b>blk\.\d+\.)attn_v", ["{b}attn_output"], [],
            "llama.cpp's attention: attn_output reads each head's attention-weighted values", [], ValueHeads: true), // llama.cpp LLaMA-family GGUF (HF v_proj → o_proj)
        new(@"(?<b>blk\.\d+\.)attn_qkv", ["{b}attn_output"], [],
            "llama.cpp's fused attention: attn_output reads each head's attention-weighted values, the value block of attn_qkv's " +
            "q | k | v", [], new(["query", "key", "value"], 2, AttentionSoftmax), ValueHeads: true), // llama.cpp phi3, gpt2, falcon, bloom GGUF: the converters write q | k | v
        new(@"(?<b>(?:.+\.)?)conv1", ["{b}conv2"], ["{b}bn1"], "torchvision's BasicBlock and Bottleneck: conv2(relu(bn1(conv1(x))))", []), // torchvision resnet.py
        new(@"(?<b>(?:.+\.)?)conv2", ["{b}conv3"], ["{b}bn2"], "torchvision's Bottleneck: conv3(relu(bn2(conv2(x))))", []),         // torchvision resnet.py
        new("conv2", ["fc"], ["bn2"],
            "torchvision's BasicBlock saved with a head: fc(pool(relu(bn2(conv2(…)) + x)))", [], Residual: true), // torchvision BasicBlock + fc
        new("conv3", ["fc"], ["bn3"],
            "torchvision's Bottleneck saved with a head: fc(pool(relu(bn3(conv3(…)) + x)))", [], Residual: true), // torchvision Bottleneck + fc
    ];

    /// <summary>Adds the consumers the names give to every layer that has none yet, then the recurrent layers' own.</summary>
    /// <remarks><paramref name="heads"/> gives the attention heads the model's files state, asked only where a value projection needs them.</remarks>
    public static void Add(IReadOnlyList<Layer> layers, Dictionary<Layer, IReadOnlyList<LayerEdge>> consumers, Dictionary<Layer, string> whyNone,
        Func<AttentionHeads?> heads)
    {
        var byName = layers.GroupBy(l => l.Name).ToDictionary(g => g.Key, g => g.First());
        foreach (var producer in layers.Where(l => !consumers.ContainsKey(l)))
        {
            foreach (var convention in All)
            {
                if (convention.MatchProducer(producer.Name) is not { } match) continue;
                var named = Existing(convention.Consumers, match, byName);
                var through = Existing(convention.Through, match, byName);
                if (named.Count == 0 || (convention.Residual && through.Count != convention.Through.Count)) continue;
                if (through.FirstOrDefault(t => !LayerGraph.PassesOn(t, producer.NeuronCount)) is { } blocker)
                {
                    whyNone[producer] = $"{convention.Source}, but {blocker.Name} ({blocker.Kind}, {blocker.NeuronCount}) does not pass " +
                        $"{producer.NeuronCount} channels on";
                    break;
                }
                var concatenated = Existing(convention.Concatenated, match, byName);
                var edges = named.Select(c => Fit(producer, c, through, concatenated, convention, heads))
                    .Select(e => e is not null && convention.ValueHeads ? e with { AttentionValues = true } : e).ToList();
                if (edges.FindIndex(e => e is null) is var misfit and >= 0)
                    whyNone[producer] = $"{convention.Source}, but {named[misfit].Name} ({named[misfit].Kind}) does not read " +
                        $"{producer.NeuronCount} channels of {producer.Name}" + (convention.ValueHeads && heads() is null
                            && named[misfit].Implementation.InputWidth(named[misfit], 1) is { } width && width > producer.NeuronCount && width % producer.NeuronCount == 0
                            ? $" ({width} = {width / producer.NeuronCount} × {producer.NeuronCount}: grouped-query attention, whose heads no config.json, " +
                              "params.json or GGUF metadata here states)"
                            : "");
                else
                {
                    consumers[producer] = edges!;
                    whyNone.Remove(producer);
                }
                break;
            }
        }
        ResidualStages.Add(layers, byName, consumers, whyNone);
        RecurrentEdges.Add(layers, byName, consumers, whyNone);
    }

    /// <summary>
    /// The edge from <paramref name="producer"/> to <paramref name="consumer"/> when the consumer reads the outputs of
    /// <paramref name="concatenated"/> (the producer among them) one after another: channel j is input (the channels before the
    /// producer's) + j. Null when the consumer's inputs are not the sum of their channels.
    /// </summary>
    public static LayerEdge? FitConcatenated(Layer producer, Layer consumer, IReadOnlyList<Layer> concatenated, string evidence, bool assumed)
    {
        long width = concatenated.Sum(p => p.NeuronCount);
        long offset = concatenated.TakeWhile(p => p != producer).Sum(p => p.NeuronCount);
        if (!concatenated.Contains(producer) || consumer.Implementation.InputWidth(consumer, 1) != width) return null;
        string parts = string.Join(" then ", concatenated.Select(p => $"{p.Name}'s {p.NeuronCount}"));
        return new(consumer, new ChannelMap(offset, 1), 1, [],
            [evidence, $"{consumer.Name} reads {width} inputs = {parts}, concatenated: unit j of {producer.Name} is input {offset} + j"], assumed);
    }

    private static LayerEdge? Fit(Layer producer, Layer consumer, IReadOnlyList<Layer> through, IReadOnlyList<Layer> concatenated, GraphConvention convention,
        Func<AttentionHeads?> heads)
    {
        string evidence = $"name convention: {convention.Source}";
        if (concatenated.Count > 1) return FitConcatenated(producer, consumer, concatenated, evidence, assumed: true);
        if (convention.Blocks is { Carried: not null } blocks)
            return FitBlock(producer, consumer, blocks, evidence)
                ?? (convention.ValueHeads && heads() is { } known ? FitFusedSharedHeads(producer, consumer, blocks, known, evidence) : null);
        // A producer of gate | up halves is read so when its consumer reads half its channels, and one for one otherwise.
        if (convention.Blocks is { } halves && FitBlock(producer, consumer, halves, evidence) is { } folded) return folded;
        // Every convention here reads the producer's channels one for one (or by groups): a flatten would be another model.
        if (LayerGraph.Fit(producer, consumer, through, evidence, assumed: true) is not { Map.Spread: 1 } edge)
            return convention.ValueHeads && heads() is { } stated ? FitSharedHeads(producer, consumer, stated, evidence) : null;
        return convention.Residual
            ? edge with
            {
                Residual = true,
                Evidence = [.. edge.Evidence, $"the block's shortcut adds its input to {through[^1].Name}'s output before {consumer.Name} reads it: " +
                    $"{consumer.Name}'s weights for channel j are shared by {producer.Name}'s unit j and the shortcut's channel j"],
            }
            : edge;
    }

    // The edge from one block of the producer's channels: the consumer reads as many inputs as a block has channels.
    private static LayerEdge? FitBlock(Layer producer, Layer consumer, ChannelBlocks blocks, string evidence)
    {
        long size = producer.NeuronCount / blocks.Names.Count;
        if (size == 0 || size * blocks.Names.Count != producer.NeuronCount
            || LayerGraph.Fit(producer, consumer, [], evidence, assumed: true, size) is not { Map.Spread: 1, Groups: 1 } edge)
            return null;
        var block = blocks with { Size = size };
        string units = $"{producer.Name}'s {producer.NeuronCount} units are {string.Join(" | ", blocks.Names)}, {size} each";
        if (block.Carried is null)
            return edge with
            {
                Map = ChannelMap.Identity with { Fold = size },
                Blocks = block,
                Evidence = [evidence, $"{units}; {consumer.Name} reads {size} inputs, {blocks.Why}: {blocks.Names[0]} unit i and " +
                    $"{blocks.Names[1]} unit {size} + i are both input i"],
            };
        return edge with
        {
            Map = new ChannelMap(-block.First, 1),
            Blocks = block,
            Evidence = [evidence, $"{units}; {consumer.Name} reads {size} inputs, the {blocks.Names[block.Carried.Value]} units: " +
                $"unit {block.First} + i is input i " +
                "(heads are merged in order, head by head)"],
        };
    }

    // The edge from a value projection of grouped-query attention: key/value head g's unit r is what each query head of group g
    // reads at place r, so it lands at that place of each of their outputs, merged in order before the output projection.
    private static LayerEdge? FitSharedHeads(Layer producer, Layer consumer, AttentionHeads heads, string evidence, long? values = null)
    {
        long times = heads.Heads / heads.KeyValueHeads;
        if (times == 1 || (values ?? producer.NeuronCount) != heads.KeyValueHeads * heads.Size
            || LayerGraph.Fit(producer, consumer, [], evidence, assumed: true, heads.Heads * heads.Size) is not { Map.Spread: 1, Groups: 1 } edge)
            return null;
        return edge with
        {
            Map = ChannelMap.Identity with { Heads = new SharedHeads(heads.Size, times) },
            Evidence = [evidence, $"{heads.Source}: {heads.Heads} query heads share {heads.KeyValueHeads} key/value head{(heads.KeyValueHeads == 1 ? "" : "s")} of {heads.Size}; " +
                $"{consumer.Name} reads {heads.Heads * heads.Size} inputs, the query heads' outputs in order: value unit i (head i / {heads.Size}) " +
                $"is input (i / {heads.Size} · {times} + t) · {heads.Size} + i mod {heads.Size} for each of its group's {times} query heads t"],
        };
    }

    // The edge from the value block of a fused q | k | v of grouped-query attention (Phi-3 medium's qkv_proj): blocks of the
    // query heads', the key/value heads' and the key/value heads' units, the last shared as a value projection's are.
    private static LayerEdge? FitFusedSharedHeads(Layer producer, Layer consumer, ChannelBlocks blocks, AttentionHeads heads, string evidence)
    {
        long query = heads.Heads * heads.Size, keyValue = heads.KeyValueHeads * heads.Size;
        if (blocks.Names.Count != 3 || producer.NeuronCount != query + 2 * keyValue
            || FitSharedHeads(producer, consumer, heads, evidence, keyValue) is not { } edge)
            return null;
        var sized = blocks with { Sizes = [query, keyValue, keyValue] };
        return edge with
        {
            Map = edge.Map with { Offset = -sized.First },
            Blocks = sized,
            Evidence = [evidence, $"{producer.Name}'s {producer.NeuronCount} units are {string.Join(" | ", blocks.Names)}, {query}, {keyValue} " +
                $"and {keyValue}: value unit i is unit {sized.First} + i; {edge.Evidence[1]}"],
        };
    }

    private static List<Layer> Existing(IReadOnlyList<string> templates, Match match, Dictionary<string, Layer> byName) =>
        [.. templates.Select(t => byName.GetValueOrDefault(GraphConvention.Expand(t, match))).OfType<Layer>()];
}
