"""The PyTorch way to compute `neuron stats`: torch.load, then per-row statistics of every Linear weight (L1 and L2
norm, mean, std, min, max, fraction of zeros) and the bias, as tensors; prints a one-line summary.

/usr/bin/python3 bench/pytorch_stats.py FILE
"""

import sys

import torch

sd = torch.load(sys.argv[1], map_location="cpu")
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
neurons = sum(t["l2"].numel() for t in table.values())
print(f"{len(table)} layers, {neurons} neurons")
