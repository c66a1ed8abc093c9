using System.Text.Json;

namespace NeuronKit.Formats.Keras;

/// <summary>
/// The layers a Keras model's config names (the <c>model_config</c> attribute of a legacy .h5, a .keras archive's
/// config.json): each layer's name, class and settings, nested models' layers within theirs, and a wrapper's layer
/// (Bidirectional, TimeDistributed). Parsed as data, never evaluated: a Lambda layer's code stays a string.
/// </summary>
internal sealed class KerasConfig
{
    private static readonly string[] Models = ["Sequential", "Functional", "Model"];

    private KerasConfig(string modelClass, IReadOnlyList<KerasLayer> layers) => (ModelClass, Layers) = (modelClass, layers);

    /// <summary>The model's class: <c>Sequential</c>, whose layers run in the config's order, <c>Functional</c>, ….</summary>
    public string ModelClass { get; }

    /// <summary>The model's layers, in the config's order.</summary>
    public IReadOnlyList<KerasLayer> Layers { get; }

    /// <summary>The layer named <paramref name="name"/> at any depth, or null.</summary>
    public KerasLayer? Find(string name) => All(Layers).FirstOrDefault(l => l.Name == name);

    /// <summary>
    /// The first layer, at any depth, whose settings keep its data's channels first (<c>data_format</c> channels_first,
    /// Keras 1's <c>dim_ordering</c> th), or null when every layer keeps them last, as Keras does unless told otherwise.
    /// </summary>
    public KerasLayer? ChannelsFirst => All(Layers).FirstOrDefault(l => l.Text("data_format") == "channels_first" || l.Text("dim_ordering") == "th");

    private static IEnumerable<KerasLayer> All(IEnumerable<KerasLayer> layers) =>
        layers.SelectMany(l => new[] { l }.Concat(All(l.Layers)).Concat(l.Inner is null ? [] : All([l.Inner])));

    /// <summary>
    /// Parses <paramref name="json"/>, a model's config; null when it is no model config NeuronKit can read (the weights
    /// are then named by the file alone). <paramref name="file"/> names the file in errors.
    /// </summary>
    public static KerasConfig? Parse(string? json, string file)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
            return document.RootElement.ValueKind == JsonValueKind.Object && Layer(document.RootElement) is { } model
                ? new KerasConfig(model.ClassName, model.Layers)
                : null;
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{file} has a Keras model config that is not JSON: {JsonErrorText.Of(e)}");
        }
    }

    // One layer's entry: {class_name, config: {name, …}} (a Functional model's entries also carry name beside class_name).
    private static KerasLayer? Layer(JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("class_name", out var cls) || cls.ValueKind != JsonValueKind.String)
            return null;
        var config = entry.TryGetProperty("config", out var c) ? c : default;
        string name = Text(config, "name") ?? Text(entry, "name") ?? "";
        string className = cls.GetString()!;
        // Keras 2.0-2.2 Sequential configs are the list of layers itself.
        var layers = config.ValueKind == JsonValueKind.Array ? config
            : config.ValueKind == JsonValueKind.Object && config.TryGetProperty("layers", out var l) && l.ValueKind == JsonValueKind.Array ? l
            : default;
        List<KerasLayer> nested = layers.ValueKind == JsonValueKind.Array && Models.Contains(className)
            ? [.. layers.EnumerateArray().Select(Layer).OfType<KerasLayer>()]
            : [];
        var inner = config.ValueKind == JsonValueKind.Object && config.TryGetProperty("layer", out var wrapped) ? Layer(wrapped) : null;
        var (inbound, calls) = Inbound(entry);
        return new KerasLayer(name, className, config.ValueKind == JsonValueKind.Object ? config.Clone() : default, nested, inner)
        {
            Inbound = inbound,
            Calls = calls,
        };
    }

    // A Functional model's entry: the layers whose outputs it reads, from its inbound_nodes, one node per call (Keras 2:
    // [[[name, node, tensor, kwargs], …]], Keras 3: [{"args": [… {"config": {"keras_history": [name, node, tensor]}} …]}]);
    // every call's, in order, each name once. Null when the entry has no inbound_nodes (a Sequential model's).
    private static (IReadOnlyList<string>? Inbound, int Calls) Inbound(JsonElement entry)
    {
        if (!entry.TryGetProperty("inbound_nodes", out var nodes) || nodes.ValueKind != JsonValueKind.Array) return (null, 0);
        List<string> names = [];
        foreach (var node in nodes.EnumerateArray())
        {
            if (node.ValueKind == JsonValueKind.Array)
            {
                foreach (var tensor in node.EnumerateArray())
                    if (tensor.ValueKind == JsonValueKind.Array && tensor.GetArrayLength() > 0 && tensor[0].ValueKind == JsonValueKind.String)
                        names.Add(tensor[0].GetString()!);
            }
            else if (node.ValueKind == JsonValueKind.Object && node.TryGetProperty("args", out var args))
            {
                History(args, names);
            }
        }
        return ([.. names.Distinct(StringComparer.Ordinal)], nodes.GetArrayLength());
    }

    // The layer names of the Keras 3 tensors among a call's arguments, in order (a list of tensors for Add, Concatenate).
    private static void History(JsonElement value, List<string> names)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray()) History(item, names);
        }
        else if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("config", out var tensor) && tensor.ValueKind == JsonValueKind.Object
                 && tensor.TryGetProperty("keras_history", out var history) && history.ValueKind == JsonValueKind.Array
                 && history.GetArrayLength() > 0 && history[0].ValueKind == JsonValueKind.String)
        {
            names.Add(history[0].GetString()!);
        }
    }

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}

/// <summary>One layer of a Keras config.</summary>
/// <param name="Name">The layer's name (<c>dense_1</c>).</param>
/// <param name="ClassName">Its class (<c>Dense</c>, <c>Bidirectional</c>).</param>
/// <param name="Config">Its settings (use_bias, center, …); undefined when the config has none.</param>
/// <param name="Layers">A nested model's layers; empty for others.</param>
/// <param name="Inner">A wrapper's layer (Bidirectional's, TimeDistributed's); null for others.</param>
internal sealed record KerasLayer(string Name, string ClassName, JsonElement Config, IReadOnlyList<KerasLayer> Layers, KerasLayer? Inner)
{
    /// <summary>The layers whose outputs it reads, by their names in the config (a Functional model's); null in a Sequential model.</summary>
    public IReadOnlyList<string>? Inbound { get; init; }

    /// <summary>How many times a Functional model calls the layer (its inbound nodes); more than one for a shared layer.</summary>
    public int Calls { get; init; }

    /// <summary>The class whose weights the layer holds: a wrapper's layer's, else its own.</summary>
    public string WeightClass => Inner?.WeightClass ?? ClassName;

    /// <summary>The layer whose settings decide its weights: a wrapper's layer, else itself.</summary>
    public KerasLayer WeightLayer => Inner?.WeightLayer ?? this;

    /// <summary>Setting <paramref name="name"/> when it is a positive whole number, else <paramref name="fallback"/> (Keras' default).</summary>
    public long Number(string name, long fallback) =>
        Config.ValueKind == JsonValueKind.Object && Config.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long number) && number > 0
            ? number
            : fallback;

    /// <summary>
    /// How a Bidirectional joins its two directions' outputs, its <c>merge_mode</c>: <c>concat</c> (Keras' default, also
    /// when the config does not say), <c>sum</c>, <c>ave</c>, <c>mul</c>, or <c>none</c> (a list of the two).
    /// </summary>
    public string MergeMode =>
        Config.ValueKind != JsonValueKind.Object || !Config.TryGetProperty("merge_mode", out var mode) ? "concat"
        : mode.ValueKind == JsonValueKind.Null ? "none"
        : mode.ValueKind == JsonValueKind.String ? mode.GetString()! : "concat";

    /// <summary>Setting <paramref name="name"/> when it is a whole number (negative too), else null.</summary>
    public long? Integer(string name) =>
        Config.ValueKind == JsonValueKind.Object && Config.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long number)
            ? number
            : null;

    /// <summary>
    /// The last dimension of an InputLayer's shape (Keras 3's <c>batch_shape</c>, Keras 2's <c>batch_input_shape</c>): the
    /// channels of a channels-last input; null when the config does not say.
    /// </summary>
    public long? InputChannels()
    {
        foreach (string key in (string[])["batch_shape", "batch_input_shape"])
            if (Config.ValueKind == JsonValueKind.Object && Config.TryGetProperty(key, out var shape) && shape.ValueKind == JsonValueKind.Array
                && shape.GetArrayLength() > 1 && shape[shape.GetArrayLength() - 1] is { ValueKind: JsonValueKind.Number } last
                && last.TryGetInt64(out long channels) && channels > 0)
                return channels;
        return null;
    }

    /// <summary>Setting <paramref name="name"/> when it is a string, else null.</summary>
    public string? Text(string name) =>
        Config.ValueKind == JsonValueKind.Object && Config.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>Setting <paramref name="name"/> when it is a boolean, else <paramref name="fallback"/> (Keras' default).</summary>
    public bool Flag(string name, bool fallback) =>
        Config.ValueKind == JsonValueKind.Object && Config.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : fallback;
}
