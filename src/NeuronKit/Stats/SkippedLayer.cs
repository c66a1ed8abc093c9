using NeuronKit.Layers;

namespace NeuronKit.Stats;

/// <summary>A layer a whole-model <see cref="ModelStats"/> left out, and why (<see cref="LayerStats.WhyNotMeasurable"/>).</summary>
/// <param name="Layer">The layer.</param>
/// <param name="Reason">Why it was not measured (<c>weight is complex64</c>).</param>
public sealed record SkippedLayer(Layer Layer, string Reason);
