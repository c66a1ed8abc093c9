"""The PyTorch way to compute `neuron track`'s rows: for each checkpoint in turn, torch.load, then per-row statistics
of every Linear weight (L1 and L2 norm, mean, std, min, max, fraction of zeros) and the bias, as tensors, as
pytorch_stats.py does for one file; prints a one-line summary. (Writing them to Parquet would need pyarrow or pandas,
which Debian's python3-torch does not bring: the rows stay tensors, which favours PyTorch.)

/usr/bin/python3 bench/pytorch_track.py FILE...
"""

import sys

import torch

rows = 0
for path in sys.argv[1:]:
    sd = torch.load(path, map_location="cpu")
    for name, w in sd.items():
        if not name.endswith(".weight"):
            continue
        layer = name[: -len(".weight")]
        table = {
            "l1": w.abs().sum(dim=1),
            "l2": w.norm(dim=1),
            "mean": w.mean(dim=1),
            "std": w.std(dim=1, unbiased=False),
            "min": w.min(dim=1).values,
            "max": w.max(dim=1).values,
            "zero_fraction": (w == 0).float().mean(dim=1),
            "dead": (w == 0).all(dim=1),
            "bias": sd.get(layer + ".bias"),
        }
        rows += table["l2"].numel()
    del sd
print(f"{len(sys.argv) - 1} checkpoints, {rows} rows")
