using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuronKit.TorchSharp.Tests.Modules;

/// <summary>Nested children: a ModuleList of custom blocks, a ModuleDict of heads, and an embedding.</summary>
internal sealed class Encoder : nn.Module<Tensor, Tensor>
{
    private readonly Embedding embed = nn.Embedding(12, 6);
    private readonly ModuleList<Block> blocks = nn.ModuleList(new Block(6), new Block(6));
    private readonly ModuleDict<nn.Module<Tensor, Tensor>> heads = nn.ModuleDict<nn.Module<Tensor, Tensor>>(
        ("classify", nn.Linear(6, 3)),
        ("pool", nn.Sequential(nn.Linear(6, 2), nn.Tanh())));

    public Encoder() : base(nameof(Encoder)) => RegisterComponents();

    public override Tensor forward(Tensor x)
    {
        var h = embed.forward(x);
        foreach (var block in blocks) h = block.forward(h);
        return heads["classify"].forward(h);
    }
}
