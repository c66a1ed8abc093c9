"""`neuron act --inputs DIR --top K` throughput on ResNet18 (issue 16, Performance), side by side with the same model
run on its own graph output only.

Run:  /usr/bin/python3 bench/act_throughput.py [--n 200] [--runs 3] [--neuron PATH/TO/neuron]
(bench/run.sh runs it with --n 1000 --runs 1, and --n 8 --tiny in its --tiny mode.)

Writes N 224x224 JPEGs (seeded crops of tests/fixtures/activations/grace_hopper.jpg, flipped and tinted) to
bench/data/act_images/, then runs, interleaved run by run, each a whole `neuron` process measured by os.wait4 (wall
time and peak resident memory):

  own output  `neuron act ResNet18.onnx Pooling395 0 --inputs DIR --top 5`: Pooling395_Output_0 is already the graph's
              output, so ONNX Runtime runs the model as it is (no output added): the baseline.
  first conv  Convolution249 (its output added; [64, 112, 112], the largest map to cut neurons from).
  last conv   Convolution387 (its output added; [512, 7, 7]).

Both sides decode and preprocess the same JPEGs (--preprocess imagenet), so the ratio is the cost of the extra output
and of cutting the neuron out of it; the target is within 1.5x. Memory is measured at N and at N/4 to show it is flat
in the number of inputs.

The NuGet model's batch dimension is fixed at 1, so ONNX Runtime runs it one image per call (the files of a batch are
still decoded on all cores while the previous batch runs). The same three rows run again on a copy whose batch
dimension is declared free (bench/data/ResNet18_batch.onnx, written here with the onnx package: only the first
dimension of the graph's input and output changes), where `neuron act` stacks 16 images per call (--batch 16).
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

from PIL import Image, ImageOps

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHOTO = os.path.join(ROOT, "tests", "fixtures", "activations", "grace_hopper.jpg")
RESNET18 = os.path.expanduser(
    "~/.nuget/packages/microsoft.ml.dnnimagefeaturizer.resnet18/0.23.1/tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx")
LAYERS = [("own output", "Pooling395"), ("first conv", "Convolution249"), ("last conv", "Convolution387")]
MODELS = [("batch 1", RESNET18), ("free batch", os.path.join(ROOT, "bench", "data", "ResNet18_batch.onnx"))]


def free_batch(source, target):
    """The model with its input's and outputs' first dimension made symbolic ("batch"), everything else as it is."""
    import onnx
    model = onnx.load(source)
    for value in list(model.graph.input) + list(model.graph.output):
        dims = value.type.tensor_type.shape.dim
        if dims:
            dims[0].ClearField("dim_value")
            dims[0].dim_param = "batch"
    del model.graph.value_info[:]  # shapes inferred for batch 1; ONNX Runtime infers them again
    onnx.save(model, target)


def write_images(folder, n):
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    photo = Image.open(PHOTO).convert("RGB")
    rng = random.Random(0)
    for i in range(n):
        size = rng.randint(224, 480)
        x, y = rng.randint(0, photo.width - size), rng.randint(0, photo.height - size)
        image = photo.crop((x, y, x + size, y + size)).resize((224, 224), Image.BILINEAR)
        if rng.random() < 0.5:
            image = ImageOps.mirror(image)
        tint = Image.new("RGB", image.size, tuple(rng.randint(0, 255) for _ in range(3)))
        Image.blend(image, tint, rng.uniform(0, 0.3)).save(os.path.join(folder, f"img{i:05d}.jpg"), quality=90)


def quarter(rss):
    """The peak at N/4, or a dash where it was not measured (--tiny)."""
    return f"{rss:.0f}" if rss else "–"


def run(command):
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    err = process.stderr.read().decode()
    if status != 0:
        sys.exit(f"error: {' '.join(command)} failed: {err}")
    return wall, usage.ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tiny", action="store_true", help="one run of each row, no warm-up, no memory runs at N/4 (CI)")
    parser.add_argument("--neuron", default=os.path.join(ROOT, "bench", "bin", "neuron"))
    args = parser.parse_args()
    if not os.path.exists(RESNET18):
        sys.exit(f"error: {RESNET18} not found: dotnet restore tests/NeuronKit.Tests downloads it")
    if not os.path.exists(args.neuron):
        sys.exit(f"error: no {args.neuron}: dotnet publish src/NeuronKit.Cli -c Release -r linux-x64 -o bench/bin")

    os.makedirs(os.path.dirname(MODELS[1][1]), exist_ok=True)
    free_batch(RESNET18, MODELS[1][1])
    folders = {}
    for n in (args.n, max(args.n // 4, 1)):
        folders[n] = os.path.join(ROOT, "bench", "data", f"act_images_{n}")
        write_images(folders[n], n)

    def command(model, layer, n):
        return [args.neuron, "act", model, layer, "0", "--inputs", folders[n], "--top", "5", "--preprocess", "imagenet", "--batch", "16"]

    rows = [(kind, model, name, layer) for kind, model in MODELS for name, layer in LAYERS]
    for _, model, _, layer in ([] if args.tiny else rows):  # warm-up: the page cache holds the models, images and executable
        run(command(model, layer, max(args.n // 4, 1)))
    walls = {(kind, name): [] for kind, _, name, _ in rows}
    memory = {}
    for _ in range(args.runs):
        for kind, model, name, layer in rows:
            wall, rss = run(command(model, layer, args.n))
            walls[(kind, name)].append(wall)
            memory[(kind, name, args.n)] = max(memory.get((kind, name, args.n), 0), rss)
    for kind, model, name, layer in rows:
        rss = 0 if args.tiny else run(command(model, layer, max(args.n // 4, 1)))[1]
        memory[(kind, name, max(args.n // 4, 1))] = rss

    print(f"## neuron act --inputs: ResNet18, {args.n} JPEGs")
    print()
    print(f"bench/act_throughput.py: {args.n} JPEGs of 224x224, --preprocess imagenet --top 5 --batch 16; median of "
          f"{args.runs} runs, {os.cpu_count()} cores; \"vs own output\" is the goal's ratio (at most 1.5x), \"vs batch 1\" "
          f"what running 16 images per ONNX Runtime call gives")
    print()
    print(f"| model | run | layer | wall (s) | images/s | vs own output | vs batch 1 | peak RSS at N (MiB) | at N/4 (MiB) |")
    print(f"|---|---|---|---:|---:|---:|---:|---:|---:|")
    for kind, _, name, layer in rows:
        wall = statistics.median(walls[(kind, name)])
        base = statistics.median(walls[(kind, "own output")])
        single = statistics.median(walls[("batch 1", name)])
        print(f"| {kind} | {name} | {layer} | {wall:.2f} | {args.n / wall:.1f} | {wall / base:.2f}x | {wall / single:.2f}x | "
              f"{memory[(kind, name, args.n)]:.0f} | {quarter(memory[(kind, name, max(args.n // 4, 1))])} |")


if __name__ == "__main__":
    main()
