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
            throw new CheckpointException($"{file} has a Keras model config that is not JSON: {e.Message}");
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
        return new KerasLayer(name, className, config.ValueKind == JsonValueKind.Object ? config.Clone() : default, nested, inner);
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

    /// <summary>Setting <paramref name="name"/> when it is a boolean, else <paramref name="fallback"/> (Keras' default).</summary>
    public bool Flag(string name, bool fallback) =>
        Config.ValueKind == JsonValueKind.Object && Config.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : fallback;
}
