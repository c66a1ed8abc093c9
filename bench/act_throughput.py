"""`neuron act --inputs DIR --top K` throughput on ResNet18 (issue 16, Performance), side by side with the same model
run on its own graph output only.

Run:  /usr/bin/python3 bench/act_throughput.py [--n 200] [--runs 3] [--neuron PATH/TO/neuron]

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
    parser.add_argument("--neuron", default=os.path.join(ROOT, "bench", "bin", "neuron"))
    args = parser.parse_args()
    if not os.path.exists(RESNET18):
        sys.exit(f"error: {RESNET18} not found: dotnet restore tests/NeuronKit.Tests downloads it")
    if not os.path.exists(args.neuron):
        sys.exit(f"error: no {args.neuron}: dotnet publish src/NeuronKit.Cli -c Release -r linux-x64 -o bench/bin")

    folders = {}
    for n in (args.n, max(args.n // 4, 1)):
        folders[n] = os.path.join(ROOT, "bench", "data", f"act_images_{n}")
        write_images(folders[n], n)

    def command(layer, n):
        return [args.neuron, "act", RESNET18, layer, "0", "--inputs", folders[n], "--top", "5", "--preprocess", "imagenet"]

    for _, layer in LAYERS:  # warm-up: the page cache holds the model, the images and the executable
        run(command(layer, args.n))
    walls = {name: [] for name, _ in LAYERS}
    memory = {}
    for _ in range(args.runs):
        for name, layer in LAYERS:
            wall, rss = run(command(layer, args.n))
            walls[name].append(wall)
            memory[(name, args.n)] = max(memory.get((name, args.n), 0), rss)
    for name, layer in LAYERS:
        _, rss = run(command(layer, max(args.n // 4, 1)))
        memory[(name, max(args.n // 4, 1))] = rss

    base = statistics.median(walls["own output"])
    print(f"ResNet18, {args.n} JPEGs of 224x224, --preprocess imagenet --top 5; median of {args.runs} runs, {os.cpu_count()} cores")
    print()
    print(f"| run | layer | wall (s) | images/s | vs own output | peak RSS at N (MiB) | at N/4 (MiB) |")
    print(f"|---|---|---:|---:|---:|---:|---:|")
    for name, layer in LAYERS:
        wall = statistics.median(walls[name])
        print(f"| {name} | {layer} | {wall:.2f} | {args.n / wall:.1f} | {wall / base:.2f}x | "
              f"{memory[(name, args.n)]:.0f} | {memory[(name, max(args.n // 4, 1))]:.0f} |")


if __name__ == "__main__":
    main()
