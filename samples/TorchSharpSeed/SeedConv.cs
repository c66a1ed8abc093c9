using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>The seed's convolutional model: conv1 = Conv2d(3, 16, 3), fc = Linear(16, 4).</summary>
internal sealed class SeedConv : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1 = nn.Conv2d(3, 16, 3);
    private readonly Linear fc = nn.Linear(16, 4);

    public SeedConv() : base(nameof(SeedConv)) => RegisterComponents();

    // call(), not forward(), so that forward hooks on conv1 and fc run (activations are read through them).
    public override Tensor forward(Tensor x) => fc.call(conv1.call(x).mean([2, 3]));
}
