"""The PyTorch way to compute `neuron stats`: torch.load, then per-row statistics of every Linear weight (L1 and L2
norm, mean, std, min, max, fraction of zeros) and the bias, as tensors; prints a one-line summary. With --outgoing,
as `neuron stats --outgoing`, also each neuron's outgoing L2 norm and whether its outgoing weights are all zero:
the column norms of the next layer's weight (the Sequential's next child reads this layer's output).

/usr/bin/python3 bench/pytorch_stats.py FILE [--outgoing]
"""

import sys

import torch

sd = torch.load(sys.argv[1], map_location="cpu")
outgoing = "--outgoing" in sys.argv[2:]
table = {}
for name, w in sd.items():
    if not name.endswith(".weight"):
        continue
    layer = name[: -len(".weight")]
    table[layer] = {
        "l1": w.abs().sum(dim=1),
        "l2": w.norm(dim=1),
        "mean": w.mean(dim=1),
        "std": w.std(dim=1, unbiased=False),
        "min": w.min(dim=1).values,
        "max": w.max(dim=1).values,
        "zero_fraction": (w == 0).float().mean(dim=1),
        "bias": sd.get(layer + ".bias"),
    }
    consumer = sd.get(f"{int(layer) + 1}.weight") if outgoing and layer.isdigit() else None
    if consumer is not None:
        table[layer]["outgoing_l2"] = consumer.norm(dim=0)
        table[layer]["unused"] = (consumer == 0).all(dim=0)
neurons = sum(t["l2"].numel() for t in table.values())
measured = sum(t["outgoing_l2"].numel() for t in table.values() if "outgoing_l2" in t)
print(f"{len(table)} layers, {neurons} neurons" + (f", {measured} with outgoing norms" if outgoing else ""))
