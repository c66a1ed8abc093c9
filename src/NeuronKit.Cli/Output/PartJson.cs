using System.Text.Json;
using NeuronKit.Neurons;
using NeuronKit.Tensors;

namespace NeuronKit.Cli.Output;

/// <summary>What names a part in every JSON output (show, edit): its tensor, role, gate, direction, consumer, index, shape and dtype.</summary>
internal static class PartJson
{
    public static void WriteIdentity(Utf8JsonWriter json, NeuronPart part)
    {
        json.WriteString("tensor", part.Tensor);
        json.WriteString("role", part.Role.Name);
        if (part.Gate is null) json.WriteNull("gate");
        else json.WriteString("gate", part.Gate.Name);
        json.WriteString("direction", part.Direction.ToString().ToLowerInvariant());
        if (part.Consumer is not null) json.WriteString("consumer", part.Consumer);
        json.WriteString("index", part.Index);
        JsonOutput.WriteShape(json, "shape", part.Shape);
        json.WriteString("dtype", part.StoredAs ?? part.DType.Name());
    }
}
