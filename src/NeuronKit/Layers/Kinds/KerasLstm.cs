namespace NeuronKit.Layers.Kinds;

/// <summary>Keras' LSTM: four column blocks i, f, c, o (<see cref="KerasRecurrent"/>).</summary>
internal sealed class KerasLstm() : KerasRecurrent("keras.LSTM", GateTable.KerasLstm);
