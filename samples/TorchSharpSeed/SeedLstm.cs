using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>The seed's recurrent model: rnn = LSTM(10, 20), fc = Linear(20, 1).</summary>
internal sealed class SeedLstm : nn.Module<Tensor, Tensor>
{
    private readonly LSTM rnn = nn.LSTM(10, 20);
    private readonly Linear fc = nn.Linear(20, 1);

    public SeedLstm() : base(nameof(SeedLstm)) => RegisterComponents();

    // call(), not forward(), so that forward hooks on rnn and fc run (activations are read through them).
    public override Tensor forward(Tensor x) => fc.call(rnn.call(x).Item1);
}
