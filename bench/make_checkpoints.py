"""Writes the benchmark's reference checkpoints with real PyTorch: N float32 Linear(d, d) layers saved with torch.save
(an nn.Sequential state dict: 0.weight, 0.bias, 1.weight, ...), and the same tensors as safetensors, written byte for
byte (the safetensors package is not needed: the format is an 8-byte header length, a JSON header, then the bytes).

With --twin, OUT.pt is instead the checkpoint's fine-tuned twin (`neuron diff`'s other file, no .safetensors): the
same seeded weights with small seeded changes, one neuron per layer zeroed (it became dead) and one bias negated.

Used by bench.py; run alone as  /usr/bin/python3 bench/make_checkpoints.py OUT.pt LAYERS DIM [--twin]
"""

import json
import os
import struct
import sys

import torch


def state_dict(layers, dim, seed=0):
    """The state dict of nn.Sequential(*[nn.Linear(dim, dim)] * layers) with seeded N(0, 0.02) weights."""
    torch.manual_seed(seed)
    sd = {}
    for i in range(layers):
        sd[f"{i}.weight"] = torch.randn(dim, dim) * 0.02
        sd[f"{i}.bias"] = torch.randn(dim) * 0.02
    return sd


def fine_tune(sd, seed=1):
    """The state dict as if fine-tuned, in place (so that only one copy is in memory): every value moved by seeded
    N(0, 0.001) noise (5% of the weights' spread), and in layer i neuron i's weights zeroed and its bias negated, so
    that the diff's flags have something to say."""
    generator = torch.Generator().manual_seed(seed)
    for i in range(len(sd) // 2):
        w, b = sd[f"{i}.weight"], sd[f"{i}.bias"]
        w.add_(torch.randn(w.shape, generator=generator), alpha=0.001)
        b.add_(torch.randn(b.shape, generator=generator), alpha=0.001)
        j = i % w.shape[0]
        w[j].zero_()
        b[j] = -b[j]
    return sd


def write_safetensors(sd, path):
    """https://github.com/huggingface/safetensors#format: u64 header size, JSON header, little-endian row-major data."""
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, t in sd.items():
        size = t.numel() * t.element_size()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned, as the reference writer pads it
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for t in sd.values():
            f.write(t.contiguous().numpy().tobytes())


def make(pt_path, layers, dim, safetensors_path=None, twin=False):
    sd = state_dict(layers, dim)
    if twin:
        fine_tune(sd)
    torch.save(sd, pt_path)
    if safetensors_path:
        write_safetensors(sd, safetensors_path)


if __name__ == "__main__":
    out, layers, dim = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    twin = "--twin" in sys.argv[4:]
    make(out, layers, dim, None if twin else os.path.splitext(out)[0] + ".safetensors", twin)
