using System.Text.Json.Serialization;

namespace NeuronKit.Views.Reports;

/// <summary>
/// The reports' serialization metadata, generated at compile time (the <c>neuron</c> tool is published with Native AOT,
/// where reflection-based serialization is not available). Property names are snake_case; every double goes through
/// <see cref="ContractDoubleConverter"/>.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    Converters = [typeof(ContractDoubleConverter)])]
[JsonSerializable(typeof(ShowReport))]
[JsonSerializable(typeof(LayersReport))]
[JsonSerializable(typeof(TensorsReport))]
[JsonSerializable(typeof(StatsReport))]
[JsonSerializable(typeof(EditReport))]
[JsonSerializable(typeof(PruneReport))]
[JsonSerializable(typeof(ActivationReport))]
[JsonSerializable(typeof(TopActivationsReport))]
[JsonSerializable(typeof(LayerActivationsReport))]
[JsonSerializable(typeof(DiffReport))]
[JsonSerializable(typeof(NeuronStatsRow[]))]
[JsonSerializable(typeof(NeuronDiffRow[]))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;
