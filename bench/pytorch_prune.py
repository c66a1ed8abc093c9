"""PyTorch doing what `neuron prune big.pt L J -o OUT` does: load, remove neuron J of Linear L (its weight row and
bias entry) and its input column of the next Linear, save. Run: pytorch_prune.py FILE LAYER INDEX OUT"""
import sys

import torch


def main():
    path, layer, index, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    sd = torch.load(path, weights_only=True)
    consumer = str(int(layer) + 1)
    rows = sd[f"{layer}.weight"].shape[0]
    keep = torch.tensor([i for i in range(rows) if i != index % rows])
    sd[f"{layer}.weight"] = sd[f"{layer}.weight"].index_select(0, keep)
    sd[f"{layer}.bias"] = sd[f"{layer}.bias"].index_select(0, keep)
    sd[f"{consumer}.weight"] = sd[f"{consumer}.weight"].index_select(1, keep)
    torch.save(sd, out)


if __name__ == "__main__":
    main()
