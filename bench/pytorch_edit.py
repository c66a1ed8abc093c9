"""The PyTorch way to zero one neuron and save: torch.load the checkpoint, zero neuron INDEX of Linear layer LAYER (its
weight row and bias), torch.save the state dict to OUT, as `neuron edit FILE LAYER INDEX --zero` does.

/usr/bin/python3 bench/pytorch_edit.py FILE LAYER INDEX OUT
"""

import sys

import torch

path, layer, index, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
sd = torch.load(path, map_location="cpu")
with torch.no_grad():
    sd[f"{layer}.weight"][index] = 0
    sd[f"{layer}.bias"][index] = 0
torch.save(sd, out)
