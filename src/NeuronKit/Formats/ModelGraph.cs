namespace NeuronKit.Formats;

/// <summary>
/// What a file says about its model beyond tensors, used by layer inference as evidence: module classes from a
/// pickled <c>nn.Module</c>, subtrees that hold tensors but no layers (optimizer state), an ONNX graph's nodes, a Keras
/// Sequential model's order.
/// </summary>
public sealed record ModelGraph
{
    /// <summary>An empty graph: the file said nothing beyond its tensors.</summary>
    public static readonly ModelGraph Empty = new();

    /// <summary>Module path (as in tensor names, without the trailing dot) → class name (<c>torch.nn.modules.rnn.LSTM</c>).</summary>
    public IReadOnlyDictionary<string, string> ModuleClasses { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Module path → the groups its pickled module says it has (a ConvTranspose's <c>groups</c>, a GroupNorm's
    /// <c>num_groups</c>), where a state dict's shapes alone cannot tell them.
    /// </summary>
    public IReadOnlyDictionary<string, long> ModuleGroups { get; init; } = new Dictionary<string, long>();

    /// <summary>
    /// Module path of a Sequential → its children's names in the order they run, where the module itself tells it (a live
    /// TorchSharp Sequential, whose children may be named rather than numbered 0, 1, …); a file's numbered children need none.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ModuleOrder { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Name prefixes (<c>optimizer_state_dict</c>) whose tensors are not layer weights.</summary>
    public IReadOnlyList<string> NonLayerPrefixes { get; init; } = [];

    /// <summary>Module path → a sentence the reader has about how it named the module's tensors, for its layers' evidence.</summary>
    public IReadOnlyDictionary<string, string> ModuleNotes { get; init; } = new Dictionary<string, string>();

    /// <summary>Tensors the file holds in types NeuronKit does not read (ONNX INT4, FLOAT8E4M3FN, …): name → the format's type name.</summary>
    public IReadOnlyDictionary<string, string> UnreadTensors { get; init; } = new Dictionary<string, string>();

    /// <summary>The operations of a computation graph (ONNX nodes, subgraphs' too), in file order; empty when the file has none.</summary>
    public IReadOnlyList<GraphNode> Nodes { get; init; } = [];

    /// <summary>
    /// The shapes the file declares for values of its main graph (ONNX graph.input, graph.value_info and graph.output:
    /// the model's input, what shape inference wrote), value name → its dims, each null where the file does not say it
    /// (a symbolic dim_param, a dim left empty, one negative or past <see cref="int.MaxValue"/>). A value declared without
    /// a shape has no entry. Evidence only: the layer graph counts a Concat input's channels from it where no layer makes
    /// that input (a model input concatenated with features).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<long?>> DeclaredShapes { get; init; } = new Dictionary<string, IReadOnlyList<long?>>();

    /// <summary>
    /// The layers of a model's config in its order, those without weights too, each with its class (a Keras config's
    /// Dense, Dropout, Add, Flatten): in a sequential model each reads the one before it, in a Functional model those its
    /// <see cref="SequenceStep.Inputs"/> name. What reads a layer's output. Empty when the file names no such layers.
    /// </summary>
    public IReadOnlyList<SequenceStep> Sequence { get; init; } = [];
}
