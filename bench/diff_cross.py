"""neuron diff across formats, measured alone: a LLaMA-shaped model in Hugging Face naming (safetensors) against the
GGUF llama.cpp's converter writes from it (names mapped, q/k rows permuted, dims reversed; float32), side by side with
PyTorch doing the same job.

    /usr/bin/python3 bench/diff_cross.py [--neuron bench/bin/neuron] [--runs 3]

The model (hidden 1024, 16 heads of 64, 4 key/value heads, 4 blocks, MLP 2816, vocabulary 4000; 203 MiB per file) is
written once under bench/data/ with the fixture writers of tests/fixtures (make_diff_cross.py's names and permutation,
make_gguf.py's GGUF writer, make_safetensors_numpy.py's safetensors writer). Rows, each one whole process timed by
bench.py's measure (wall, CPU, peak RSS), interleaved run by run, medians printed as a markdown table:

  neuron, whole model     neuron diff llama_hf.safetensors llama.gguf --top 0
  neuron, same names      neuron diff llama.gguf llama.gguf --top 0 (no mapping, no permutation: what they cost)
  neuron, one layer       the same diff of model.embed_tokens alone (its neurons are columns) and of one q_proj
  PyTorch, whole model    read both files (mapped float32), undo the permutation, per-neuron l2_delta, relative,
                          cosine, max_abs in float64, every layer
"""

import argparse
import json
import mmap
import os
import statistics
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data")
HF = os.path.join(DATA, "llama_hf.safetensors")
GGUF = os.path.join(DATA, "llama.gguf")
sys.path.insert(0, os.path.join(ROOT, "tests", "fixtures"))

HIDDEN, HEADS, KV_HEADS, HEAD_DIM, FFN, VOCAB, BLOCKS = 1024, 16, 4, 64, 2816, 4000, 4


def shaped():
    """make_diff_cross.py's model description, resized to this benchmark's model."""
    import make_diff_cross as mc
    mc.HIDDEN, mc.BLOCKS = HIDDEN, BLOCKS
    mc.SHAPES.update({
        "model.embed_tokens": (VOCAB, HIDDEN), "lm_head": (VOCAB, HIDDEN),
        "self_attn.q_proj": (HEADS * HEAD_DIM, HIDDEN), "self_attn.k_proj": (KV_HEADS * HEAD_DIM, HIDDEN),
        "self_attn.v_proj": (KV_HEADS * HEAD_DIM, HIDDEN), "self_attn.o_proj": (HIDDEN, HEADS * HEAD_DIM),
        "mlp.gate_proj": (FFN, HIDDEN), "mlp.up_proj": (FFN, HIDDEN), "mlp.down_proj": (HIDDEN, FFN)})
    return mc


def write():
    import numpy as np
    import torch
    import make_gguf as gg
    import make_safetensors_numpy as st
    mc = shaped()
    torch.manual_seed(0)
    hf = {}
    for layer in mc.hf_layers():
        shape = mc.shape_of(layer)
        hf[layer + ".weight"] = (1 + 0.1 * torch.randn(shape)) if len(shape) == 1 else 0.02 * torch.randn(shape)
    os.makedirs(DATA, exist_ok=True)
    with open(HF, "wb") as f:
        f.write(st.safetensors_bytes(hf))
    tensors = []
    for layer in mc.hf_layers():
        w = hf[layer + ".weight"].numpy()
        w = mc.permute(w, HEADS) if layer.endswith("q_proj") else mc.permute(w, KV_HEADS) if layer.endswith("k_proj") else w
        tensors.append(gg.Tensor(mc.gguf_name(layer) + ".weight", "f32", np.ascontiguousarray(w)))
    kvs = [("general.architecture", gg.VT["string"], "llama"), ("llama.attention.head_count", gg.VT["uint32"], HEADS),
           ("llama.attention.head_count_kv", gg.VT["uint32"], KV_HEADS)]
    with open(GGUF, "wb") as f:
        f.write(gg.gguf_bytes(kvs, tensors)[0])


def pytorch_diff(a_path, b_path):
    """The reference job (run as its own process by --pytorch)."""
    import numpy as np
    import torch
    import make_gguf as gg
    mc = shaped()

    def mapped(path):
        with open(path, "rb") as f:
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)

    def floats(m, count, offset, shape):
        return torch.from_numpy(np.frombuffer(m, "<f4", count, offset).reshape(shape))

    m = mapped(a_path)
    n, = struct.unpack("<Q", m[:8])
    header = json.loads(m[8:8 + n])
    header.pop("__metadata__", None)
    a = {k: floats(m, (v["data_offsets"][1] - v["data_offsets"][0]) // 4, 8 + n + v["data_offsets"][0], v["shape"]) for k, v in header.items()}
    g = mapped(b_path)
    kvs, infos, start = gg.read_layout(g[:1 << 20])
    b = {name: floats(g, int(np.prod(ne)), start + off, list(reversed(ne))) for name, ne, _, off in infos}
    heads = {"q_proj": kvs["llama.attention.head_count"], "k_proj": kvs["llama.attention.head_count_kv"]}
    neurons = 0
    for name, wa in a.items():
        layer = name[:-len(".weight")]
        wb = b[mc.gguf_name(layer) + ".weight"]
        if layer.rsplit(".", 1)[-1] in heads:
            wb = torch.from_numpy(mc.unpermute(wb.numpy(), heads[layer.rsplit(".", 1)[-1]]))
        if wa.dim() == 1:
            wa, wb = wa[:, None], wb[:, None]
        elif layer.endswith("embed_tokens"):
            wa, wb = wa.t(), wb.t()
        wa, wb = wa.double(), wb.double()
        d = wb - wa
        l2, na, nb = d.norm(dim=1), wa.norm(dim=1), wb.norm(dim=1)
        _ = (l2, l2 / na, (wa * wb).sum(1) / (na * nb), d.abs().max(1).values)
        neurons += wa.shape[0]
    print(neurons)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--neuron", default=os.path.join(HERE, "bin", "neuron"), help="the CLI to time (default bench/bin/neuron)")
    p.add_argument("--runs", type=int, default=3, help="timed runs per command after a warm-up (default 3)")
    p.add_argument("--pytorch", nargs=2, metavar=("A", "B"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.pytorch:
        return pytorch_diff(*args.pytorch)
    import bench
    if not (os.path.exists(HF) and os.path.exists(GGUF)):
        write()
    rows = [
        ("neuron, whole model", [args.neuron, "diff", HF, GGUF, "--top", "0"]),
        ("neuron, same names", [args.neuron, "diff", GGUF, GGUF, "--top", "0"]),
        ("neuron, model.embed_tokens alone", [args.neuron, "diff", HF, GGUF, "model.embed_tokens", "--top", "0"]),
        ("neuron, model.layers.0.self_attn.q_proj alone", [args.neuron, "diff", HF, GGUF, "model.layers.0.self_attn.q_proj", "--top", "0"]),
        ("PyTorch, whole model", [bench.PYTHON, os.path.abspath(__file__), "--pytorch", HF, GGUF]),
    ]
    results = {name: [] for name, _ in rows}
    for run in range(args.runs + 1):
        for name, cmd in rows:
            r = bench.measure(name, cmd)
            if run > 0:
                results[name].append(r)
    torch_wall = statistics.median(r["wall"] for r in results["PyTorch, whole model"])
    print("| row | wall (s) | CPU (s) | peak RSS (MiB) | wall / PyTorch's |")
    print("|---|---:|---:|---:|---:|")
    for name, _ in rows:
        wall = statistics.median(r["wall"] for r in results[name])
        cpu = statistics.median(r["cpu"] for r in results[name])
        rss = statistics.median(r["rss"] for r in results[name]) / bench.MIB
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {rss:.0f} | {wall / torch_wall:.2f} |")


if __name__ == "__main__":
    sys.exit(main())
