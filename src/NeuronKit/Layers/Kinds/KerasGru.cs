namespace NeuronKit.Layers.Kinds;

/// <summary>Keras' GRU: three column blocks z, r, h; a bias [2, 3u] when reset_after (<see cref="KerasRecurrent"/>).</summary>
internal sealed class KerasGru() : KerasRecurrent("keras.GRU", GateTable.KerasGru);
