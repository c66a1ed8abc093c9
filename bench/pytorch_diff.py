"""The PyTorch way to compute `neuron diff`: torch.load both files, then for every Linear layer the per-row table as
tensors: the L2 norm of the change, relative to the row's norm in A, the cosine between the rows, the largest change,
the bias change, and the flags (became dead, revived: a row all zero on one side only; bias sign changed); prints a
one-line summary.

/usr/bin/python3 bench/pytorch_diff.py A B
"""

import sys

import torch

sd_a = torch.load(sys.argv[1], map_location="cpu")
sd_b = torch.load(sys.argv[2], map_location="cpu")
table = {}
for name, a in sd_a.items():
    if not name.endswith(".weight") or name not in sd_b or sd_b[name].shape != a.shape:
        continue
    layer = name[: -len(".weight")]
    b = sd_b[name]
    delta = b - a
    l2_a, l2_b, l2_delta = a.norm(dim=1), b.norm(dim=1), delta.norm(dim=1)
    dead_a, dead_b = (a == 0).all(dim=1), (b == 0).all(dim=1)
    row = {
        "l2_delta": l2_delta,
        "relative": l2_delta / l2_a,
        "cosine": (a * b).sum(dim=1) / (l2_a * l2_b),
        "max_abs": delta.abs().max(dim=1).values,
        "became_dead": dead_b & ~dead_a,
        "revived": dead_a & ~dead_b,
    }
    bias_a, bias_b = sd_a.get(layer + ".bias"), sd_b.get(layer + ".bias")
    if bias_a is not None and bias_b is not None:
        row["bias_delta"] = bias_b - bias_a
        row["bias_sign_changed"] = bias_a * bias_b < 0
    table[layer] = row
neurons = sum(t["l2_delta"].numel() for t in table.values())
dead = sum(int(t["became_dead"].sum()) for t in table.values())
print(f"{len(table)} layers, {neurons} neurons, {dead} became dead")
