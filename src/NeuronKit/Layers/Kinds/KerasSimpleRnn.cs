namespace NeuronKit.Layers.Kinds;

/// <summary>Keras' SimpleRNN: one block of u columns (<see cref="KerasRecurrent"/>).</summary>
internal sealed class KerasSimpleRnn() : KerasRecurrent("keras.SimpleRNN", GateTable.KerasSimpleRnn);
