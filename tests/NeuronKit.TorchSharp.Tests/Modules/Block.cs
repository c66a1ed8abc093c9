using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp.Tests.Modules;

/// <summary>A custom block with a Linear, a LayerNorm and a ReLU, and a parameter of its own (scale).</summary>
internal sealed class Block : nn.Module<Tensor, Tensor>
{
    private readonly Linear proj;
    private readonly LayerNorm norm;
    private readonly ReLU act = nn.ReLU();
    private readonly Parameter scale;

    public Block(long width) : base(nameof(Block))
    {
        proj = nn.Linear(width, width);
        norm = nn.LayerNorm(width);
        scale = nn.Parameter(randn(width));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => act.forward(norm.forward(proj.forward(x))) * scale;
}
