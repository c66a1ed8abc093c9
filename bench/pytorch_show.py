"""The PyTorch way to see one neuron: torch.load the checkpoint, then index it. Prints neuron INDEX of Linear layer
LAYER (its weight row and bias) as JSON, as `neuron show FILE LAYER INDEX --json` does; with --outgoing also its
outgoing weights, column INDEX of the next layer's weight (the Sequential's child LAYER + 1 reads its output), as
`neuron show ... --outgoing` does.

/usr/bin/python3 bench/pytorch_show.py FILE LAYER INDEX [--outgoing]
"""

import json
import sys

import torch

path, layer, index = sys.argv[1], sys.argv[2], int(sys.argv[3])
outgoing = "--outgoing" in sys.argv[4:]
sd = torch.load(path, map_location="cpu")
weight, bias = sd[f"{layer}.weight"][index], sd[f"{layer}.bias"][index]
shown = {"weight": weight.double().tolist(), "bias": bias.item()}
if outgoing:
    shown["outgoing"] = sd[f"{int(layer) + 1}.weight"][:, index].double().tolist()
print(json.dumps(shown))
