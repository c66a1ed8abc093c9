"""The PyTorch way to see one neuron: torch.load the checkpoint, then index it. Prints neuron INDEX of Linear layer
LAYER (its weight row and bias) as JSON, as `neuron show FILE LAYER INDEX --json` does.

/usr/bin/python3 bench/pytorch_show.py FILE LAYER INDEX
"""

import json
import sys

import torch

path, layer, index = sys.argv[1], sys.argv[2], int(sys.argv[3])
sd = torch.load(path, map_location="cpu")
weight, bias = sd[f"{layer}.weight"][index], sd[f"{layer}.bias"][index]
print(json.dumps({"weight": weight.double().tolist(), "bias": bias.item()}))
