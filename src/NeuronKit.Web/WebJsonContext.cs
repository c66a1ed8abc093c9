using System.Text.Json.Serialization;

namespace NeuronKit.Web;

/// <summary>The server's own JSON (the file list), source-generated for Native AOT, in the contract's snake_case.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(List<ServedFileJson>))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class WebJsonContext : JsonSerializerContext;
