"""NeuronKit's whole-process benchmark: neuron against PyTorch doing the same job, side by side in one run.

    bench/run.sh            # full: 2 GiB checkpoint, 5 timed runs after a warm-up
    bench/run.sh --tiny     # CI: a small checkpoint, one run, no targets checked
    bench/run.sh --rows diff --no-build   # only the rows whose names contain "diff" (and their references), printed

Builds the published CLI, packs the tool and installs it with dotnet tool install into a temporary tool path, writes
the checkpoints under bench/data/ with real PyTorch, then times each command as a whole process (wall time, CPU time,
peak resident memory from wait4, as /usr/bin/time -v reports them), interleaving the commands run by run so that they
share the machine's conditions, and writes a markdown table under bench/results/.
See bench/README.md.
"""

import argparse
import atexit
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"  # Debian's python3-torch
MIB = 1024 * 1024

# Checkpoint shapes: (layers, dim) of float32 Linear(dim, dim) layers.
FULL = {"big": (32, 4096), "small": (5, 1024)}      # 2.0 GiB and 20 MiB
TINY = {"big": (2, 256), "small": (1, 64)}

# neuron track's run: (checkpoints, layers, dim), each checkpoint layers x float32 Linear(dim, dim).
FULL_RUN = (20, 25, 1024)     # 20 x 100 MiB
TINY_RUN = (20, 1, 64)

# The targets, checked on full runs only.
TARGETS = [
    ("show 2 GiB: PyTorch wall / neuron wall", lambda r: r["show pytorch big"]["wall"] / r["show neuron big"]["wall"], ">=", 25),
    ("show 2 GiB: peak memory (MiB)", lambda r: r["show neuron big"]["rss"] / MIB, "<", 80),
    ("show --outgoing 2 GiB: wall / plain show wall", lambda r: r["show neuron big outgoing"]["wall"] / r["show neuron big before"]["wall"], "<=", 2),
    ("show 20 MiB: peak memory (MiB)", lambda r: r["show neuron small"]["rss"] / MIB, "<", 80),
    ("stats 2 GiB: PyTorch wall / neuron wall", lambda r: r["stats pytorch big"]["wall"] / r["stats neuron big"]["wall"], ">=", 3),
    ("stats 2 GiB: neuron wall / read wall", lambda r: r["stats neuron big"]["wall"] / r["read big"]["wall"], "<=", 2),
    ("stats 2 GiB: peak memory (MiB)", lambda r: r["stats neuron big"]["rss"] / MIB, "<", 200),
    ("edit --in-place 2 GiB: PyTorch wall / neuron wall", lambda r: r["edit pytorch big"]["wall"] / r["edit neuron big in place"]["wall"], ">=", 100),
    ("edit --in-place 2 GiB: peak memory (MiB)", lambda r: r["edit neuron big in place"]["rss"] / MIB, "<", 80),
    ("neuron --version: wall (ms)", lambda r: r["version neuron"]["wall"] * 1000, "<", 100),
    ("installed tool, --version and show 2 GiB: wall / published wall (the larger)",
     lambda r: max(r["version installed"]["wall"] / r["version neuron"]["wall"],
                   r["show installed big"]["wall"] / r["show neuron big"]["wall"]), "<=", 2),
    ("prune 2 GiB to a new file: neuron wall / cp wall", lambda r: r["prune neuron big"]["wall"] / r["copy big"]["wall"], "<=", 2),
    ("prune 2 GiB to a new file: peak memory (MiB)", lambda r: r["prune neuron big"]["rss"] / MIB, "<", 200),
    ("diff 2 GiB pair: PyTorch wall / neuron wall", lambda r: r["diff pytorch big"]["wall"] / r["diff neuron big"]["wall"], ">=", 10),
    ("diff 2 GiB pair: neuron wall / read both wall", lambda r: r["diff neuron big"]["wall"] / r["diff read big"]["wall"], "<=", 2),
    ("diff 2 GiB pair: peak memory (MiB)", lambda r: r["diff neuron big"]["rss"] / MIB, "<", 200),
    ("show 2 GiB over HTTP: bytes transferred (MiB)", lambda r: r["show neuron big http"]["bytes"] / MIB, "<", 1),
    ("show 2 GiB over HTTP: wall / local show wall", lambda r: r["show neuron big http"]["wall"] / r["show neuron big"]["wall"], "<", 3),
]


def main():
    args = parse()
    if args.only == "track":
        only_track(args)
        return
    sizes = TINY if args.tiny else FULL
    runs = 1 if args.tiny else args.runs
    data = os.path.join(HERE, "data", "tiny" if args.tiny else "full")
    neuron = build(args)
    # --rows measures a few rows alone: no tool to pack, no floor unless a floor row is asked for, no serve section.
    installed = install_tool(args) if not args.rows else None
    floors = build_floors() if not args.rows or selected("floor big", args) or selected("diff floor big", args) else {}
    files = checkpoints(data, sizes)
    files["edit.pt"] = os.path.join(data, "edit.pt")  # what `neuron edit --in-place` writes into
    if selected("edit neuron big in place", args):
        shutil.copyfile(files["big.pt"], files["edit.pt"])
    formats = subprocess.run([neuron, "formats"], capture_output=True, text=True, check=True).stdout
    safetensors = any(line.split()[:1] == ["safetensors"] for line in formats.splitlines())
    if not safetensors:
        print("note: this build's `neuron formats` does not list safetensors; the safetensors rows are skipped")

    last = str(sizes["big"][0] - 1)
    last_small = str(sizes["small"][0] - 1)
    before = str(sizes["big"][0] - 2)  # the last layer but one: its consumer is the last layer
    commands = {
        "read big": ["dd", f"if={files['big.pt']}", "of=/dev/null", "bs=1M", "status=none"],
        "show pytorch big": [PYTHON, os.path.join(HERE, "pytorch_show.py"), files["big.pt"], last, "-1"],
        "show neuron big": [neuron, "show", files["big.pt"], last, "-1", "--json"],
        "show installed big": [installed, "show", files["big.pt"], last, "-1", "--json"] if installed else None,
        "show pytorch big outgoing": [PYTHON, os.path.join(HERE, "pytorch_show.py"), files["big.pt"], before, "-1", "--outgoing"],
        "show neuron big before": [neuron, "show", files["big.pt"], before, "-1", "--json"],
        "show neuron big outgoing": [neuron, "show", files["big.pt"], before, "-1", "--json", "--outgoing"],
        "show pytorch small": [PYTHON, os.path.join(HERE, "pytorch_show.py"), files["small.pt"], last_small, "-1"],
        "show neuron small": [neuron, "show", files["small.pt"], last_small, "-1", "--json"],
        "stats pytorch big": [PYTHON, os.path.join(HERE, "pytorch_stats.py"), files["big.pt"]],
        "stats neuron big": [neuron, "stats", files["big.pt"], "--csv"],
        "stats neuron big top0": [neuron, "stats", files["big.pt"], "--top", "0"],
        "stats pytorch big outgoing": [PYTHON, os.path.join(HERE, "pytorch_stats.py"), files["big.pt"], "--outgoing"],
        "stats neuron big outgoing": [neuron, "stats", files["big.pt"], "--outgoing", "--csv"],
        # The edits write into copies, so that every other row reads the checkpoint as torch.save wrote it.
        "edit pytorch big": [PYTHON, os.path.join(HERE, "pytorch_edit.py"), files["big.pt"], last, "-1", os.path.join(data, "edited-pytorch.pt")],
        "edit neuron big in place": [neuron, "edit", files["edit.pt"], last, "-1", "--zero", "--in-place"],
        "edit neuron big copy": [neuron, "edit", files["big.pt"], last, "-1", "--zero", "-o", os.path.join(data, "edited-neuron.pt")],
        "copy big": ["cp", files["big.pt"], os.path.join(data, "copied.pt")],
        "version neuron": [neuron, "--version"],
        "version installed": [installed, "--version"] if installed else None,
    }
    commands = {name: cmd for name, cmd in commands.items() if cmd}
    if floors:
        commands["floor big"] = [floors["floor"], files["big.pt"]]
    if safetensors:
        commands["show neuron big.safetensors"] = [neuron, "show", files["big.safetensors"], last, "-1", "--json"]
        commands["stats neuron big.safetensors"] = [neuron, "stats", files["big.safetensors"], "--csv"]
        commands["read big.safetensors"] = ["dd", f"if={files['big.safetensors']}", "of=/dev/null", "bs=1M", "status=none"]
    # Prune one neuron of the last layer but one (its consumer is the last layer) to a new file, beside "copy big"; prune
    # flushes its output to disk before renaming it into place, which cp does not: hence also cp then sync.
    commands["copy big sync"] = ["sh", "-c", 'cp "$1" "$2" && sync "$2"', "sh", files["big.pt"], os.path.join(data, "copied-synced.pt")]
    commands["prune pytorch big"] = [PYTHON, os.path.join(HERE, "pytorch_prune.py"), files["big.pt"], before, "-1",
                                     os.path.join(data, "pruned-pytorch.pt")]
    commands["prune neuron big"] = [neuron, "prune", files["big.pt"], before, "-1", "-o", os.path.join(data, "pruned-neuron.pt")]
    # Diff big.pt against its fine-tuned twin, beside reading both files as the read bound reads one.
    commands["diff read big"] = ["sh", "-c", 'dd if="$1" of=/dev/null bs=1M status=none && dd if="$2" of=/dev/null bs=1M status=none',
                                 "sh", files["big.pt"], files["big_b.pt"]]
    commands["diff pytorch big"] = [PYTHON, os.path.join(HERE, "pytorch_diff.py"), files["big.pt"], files["big_b.pt"]]
    commands["diff neuron big"] = [neuron, "diff", files["big.pt"], files["big_b.pt"], "--csv"]
    if floors:
        commands["diff floor big"] = [floors["diff_floor"], files["big.pt"], files["big_b.pt"]]
    # The same neuron over HTTP range requests, from a local server (bench/range_server.py), beside downloading the file.
    url = range_server(data) + "big.pt"
    commands["show neuron big http"] = [neuron, "show", url, last, "-1", "--json"]
    if shutil.which("curl"):
        commands["download big http"] = ["curl", "-s", "-f", "-o", "/dev/null", url]
    commands = {name: cmd for name, cmd in commands.items() if selected(name, args)}
    if not args.tiny and args.rows and "show neuron big http" in commands and "show neuron big" not in commands:
        commands["show neuron big"] = [neuron, "show", files["big.pt"], last, "-1", "--json"]  # the HTTP target's reference

    recache(path for path in files.values() if os.path.exists(path))  # with --rows, edit.pt may not have been copied
    # The bench's files outgrow the page cache (23 GiB with the copies the edit and prune rows write, on a 24 GiB
    # machine), and the rows before the diff write 2 GiB files and load 2 GiB into PyTorch: the pair is read back before
    # its rows in every run, so that they start from the cache state the first rows start from, not partly from disk.
    before = {"diff read big": [files["big.pt"], files["big_b.pt"]]}
    print(f"warm-up: every command once (fills the page cache)")
    for name, cmd in commands.items():
        recache(before.get(name, []))
        measure(name, cmd)
    samples = {name: [] for name in commands}
    for i in range(runs):
        print(f"run {i + 1} of {runs}")
        for name, cmd in commands.items():
            recache(before.get(name, []))
            samples[name].append(measure(name, cmd))
    results = {name: {k: statistics.median(s[k] for s in runs_) for k in ("wall", "cpu", "rss")} for name, runs_ in samples.items()}
    if "show neuron big http" in commands:
        results["show neuron big http"]["bytes"] = transferred(commands["show neuron big http"])
    report = table(results, args, runs, files, neuron, installed)
    if args.rows:
        print(report)
        print("not written: --rows measures only some rows")
        return
    report += "\n" + serve_load(neuron, files["big.pt"], args.tiny) + "\n"
    report += "\n" + track_run(neuron, data, args.tiny, runs) + "\n"
    report += "\n" + act_throughput(neuron, args.tiny) + "\n"
    out = os.path.join(HERE, "results", "tiny.md" if args.tiny else args.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write(report)
    print(report)
    print(f"written: {os.path.relpath(out, ROOT)}")


def selected(name, args):
    """True when --rows (words; a row is kept when its name contains one) keeps row name, or when there is no --rows."""
    return not args.rows or any(word in name for word in args.rows)


def only_track(args):
    """`--only track`: the track section alone (the CLI already published with --no-build, else published now), written
    to bench/results/track.md (tiny-track.md in tiny mode), so it can be measured without the rest of the run."""
    runs = 1 if args.tiny else args.runs
    neuron = build(args)
    report = track_run(neuron, os.path.join(HERE, "data", "tiny" if args.tiny else "full"), args.tiny, runs) + "\n"
    out = os.path.join(HERE, "results", "tiny-track.md" if args.tiny else "track.md")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write(report)
    print(report)
    print(f"written: {os.path.relpath(out, ROOT)}")


def track_run(neuron, data, tiny, runs):
    """`neuron track` over a run of checkpoints (20 x 100 MiB; 20 tiny ones in tiny mode) against `neuron stats` over
    the same files, one process per checkpoint, and PyTorch computing the same rows: the issue's goal is track's
    throughput within 1.5x of stats' on the same bytes."""
    count, layers, dim = TINY_RUN if tiny else FULL_RUN
    folder = os.path.join(data, "run")
    marker = os.path.join(folder, "shape")
    shape = f"{count} x {layers}x Linear({dim}, {dim}) float32"
    paths = [os.path.join(folder, f"step_{(i + 1) * 1000}.pt") for i in range(count)]
    if not (os.path.exists(marker) and open(marker).read() == shape and all(map(os.path.exists, paths))):
        print(f"writing {os.path.relpath(folder, ROOT)}: {shape}, with torch.save (one checkpoint, copied)")
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        base = os.path.join(data, "run-base.pt")
        subprocess.run([PYTHON, os.path.join(HERE, "make_checkpoints.py"), base, str(layers), str(dim)], check=True)
        for path in paths:
            shutil.copyfile(base, path)
        with open(marker, "w") as f:
            f.write(shape)
    out = os.path.join(data, "run.parquet")
    pattern = os.path.join(folder, "*.pt")
    commands = {
        "read run": ["cat", *paths],
        "track pytorch run": [PYTHON, os.path.join(HERE, "pytorch_track.py"), *paths],
        "stats neuron run": ["sh", "-c", 'n="$1"; shift; for f in "$@"; do "$n" stats "$f" --csv || exit 1; done', "sh", neuron, *paths],
        "track neuron run": [neuron, "track", pattern, "--parquet", out],
        "track neuron run csv": [neuron, "track", pattern, "--csv", "-"],
    }
    recache(paths)
    print("track: warm-up")
    for name, cmd in commands.items():
        measure(name, cmd)
    samples = {name: [] for name in commands}
    for i in range(runs):
        print(f"track: run {i + 1} of {runs}")
        for name, cmd in commands.items():
            samples[name].append(measure(name, cmd))
    r = {name: {k: statistics.median(s[k] for s in runs_) for k in ("wall", "cpu", "rss")} for name, runs_ in samples.items()}
    total = sum(os.path.getsize(p) for p in paths)
    each = os.path.getsize(paths[0])

    def row(tool, name):
        m = r[name]
        return (f"| {tool} | {m['wall']:.3f} s | {total / MIB / m['wall']:,.0f} MiB/s | {m['cpu']:.3f} s | {m['rss'] / MIB:,.0f} MiB "
                f"| {r['track pytorch run']['wall'] / m['wall']:.1f}x | {m['wall'] / r['stats neuron run']['wall']:.2f}x |")

    ratio = r["track neuron run"]["wall"] / r["stats neuron run"]["wall"]
    lines = [
        f"## neuron track{' (tiny mode: one run, not a measurement)' if tiny else ''}",
        "",
        f"A run of {count} checkpoints of {f'{each / MIB:,.1f} MiB' if each >= MIB else f'{each / 1024:,.1f} KiB'} ({layers} x Linear({dim}, {dim}) float32, torch.save), "
        f"{total / MIB:,.0f} MiB in all; median of {runs} run{'s' if runs != 1 else ''} after a warm-up, page cache warm. "
        f"Reproduce: `bench/run.sh --only track{' --tiny' if tiny else ''}`.",
        "",
        "| tool | wall | throughput | CPU | peak RSS | PyTorch wall / this | this / stats per checkpoint |",
        "|---|---|---|---|---|---|---|",
        row("`cat run/*.pt > /dev/null` (read bound)", "read run"),
        row("PyTorch: torch.load, per-row stats, each checkpoint", "track pytorch run"),
        row("`neuron stats step_N.pt --csv`, once per checkpoint", "stats neuron run"),
        row("`neuron track 'run/*.pt' --parquet run.parquet`", "track neuron run"),
        row("`neuron track 'run/*.pt' --csv -`", "track neuron run csv"),
        "",
    ]
    if not tiny:
        lines += ["| target | measured | goal | met |", "|---|---|---|---|",
                  f"| track {count} x {each / MIB:,.0f} MiB: track wall / stats wall | {ratio:.2f} | <= 1.5 | {'yes' if ratio <= 1.5 else 'no'} |", ""]
    return "\n".join(lines)


def range_server(folder):
    """Starts bench/range_server.py over the checkpoints' folder (python3 -m http.server ignores Range); returns its URL."""
    process = subprocess.Popen([sys.executable, os.path.join(HERE, "range_server.py"), folder], stdout=subprocess.PIPE, text=True)
    atexit.register(process.kill)
    line = process.stdout.readline().strip()
    if not line.startswith("serving on "):
        sys.exit(f"error: range_server.py did not start: {line}")
    return line[len("serving on "):]


def transferred(cmd):
    """The body bytes a command fetched over HTTP, from the line --stats-requests prints on stderr (one extra run)."""
    result = subprocess.run(cmd + ["--stats-requests"], capture_output=True, text=True, check=True)
    line = next(l for l in result.stderr.splitlines() if l.startswith("requests: "))
    return int(line.split("bytes: ")[1].split(" ")[0].replace(",", ""))


def serve_load(neuron, path, tiny):
    """bench/serve_load.py's section: `neuron serve` on the big checkpoint, first view, a neuron's panel, and a load of
    mixed requests (2,000 from 16 clients; 200 in tiny mode) with their latencies and the server's memory."""
    requests = ["--requests", "200"] if tiny else []
    print(f"serve: {' '.join(['serve_load.py', neuron, path, *requests])}")
    result = subprocess.run([PYTHON, os.path.join(HERE, "serve_load.py"), neuron, path, *requests], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"serve_load.py failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def act_throughput(neuron, tiny):
    """bench/act_throughput.py's section: `neuron act --inputs DIR --top 5` over ResNet18 and 1,000 JPEGs (8 in tiny
    mode), against the model's own output, for the NuGet model (batch 1) and its free-batch copy."""
    size = ["--n", "8", "--runs", "1", "--tiny"] if tiny else ["--n", "1000", "--runs", "1"]
    print(f"act: {' '.join(['act_throughput.py', *size])}")
    result = subprocess.run([PYTHON, os.path.join(HERE, "act_throughput.py"), *size, "--neuron", neuron], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"act_throughput.py failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tiny", action="store_true", help="small checkpoint, one run, no targets (for CI)")
    p.add_argument("--runs", type=int, default=5, help="timed runs per command after the warm-up (default 5)")
    p.add_argument("--no-build", action="store_true", help="use the CLI already published to bench/bin (the installed tool is still packed)")
    p.add_argument("--out", default="results.md", help="file name under bench/results/ (default results.md)")
    p.add_argument("--rows", nargs="+", metavar="WORD",
                   help="measure only the rows whose names contain a WORD (e.g. diff), print their table and write nothing")
    p.add_argument("--only", choices=["track"], help="run only this section (track: bench/results/track.md)")
    return p.parse_args()


def build(args):
    out = os.path.join(HERE, "bin")
    if not args.no_build:
        # The project publishes a Native AOT executable, which needs clang to link; without it, say so and publish
        # the JIT build (start-up then takes ~70 ms instead of a few).
        aot = shutil.which("clang") is not None
        if not aot:
            print("note: clang is not installed (apt-get install clang zlib1g-dev), so the CLI is published without Native AOT")
        shutil.rmtree(out, ignore_errors=True)  # a JIT publish left there would leave its neuron.dll behind
        print(f"publishing the CLI: dotnet publish src/NeuronKit.Cli -c Release{'' if aot else ' -p:PublishAot=false'}")
        subprocess.run(["dotnet", "publish", os.path.join(ROOT, "src", "NeuronKit.Cli"), "-c", "Release", "-o", out, "--nologo", "-v", "q"]
                       + ([] if aot else ["-p:PublishAot=false"]), check=True, stdout=subprocess.DEVNULL if args.tiny else None)
    neuron = os.path.join(out, "neuron")
    if not os.path.exists(neuron):
        sys.exit(f"error: {neuron} is missing; run without --no-build")
    return neuron


def install_tool(args):
    """The tool as users get it: dotnet pack of src/NeuronKit.Cli (on linux-x64 the pointer package, the Native AOT
    NeuronKit.Cli.linux-x64 and the framework-dependent NeuronKit.Cli.any), then dotnet tool install from that folder
    into a temporary tool path, with a private package cache so that no older 0.1.0 is taken instead. Returns the
    installed command, or None, with a note, where the native package cannot be packed."""
    if shutil.which("clang") is None:
        print("note: packing the tool's Native AOT package needs clang (apt-get install clang zlib1g-dev); the installed-tool rows are skipped")
        return None
    temp = tempfile.mkdtemp(prefix="neuron-tool-")
    atexit.register(shutil.rmtree, temp, True)
    packages, tool = os.path.join(temp, "packages"), os.path.join(temp, "tool")
    quiet = subprocess.DEVNULL if args.tiny else None
    print(f"packing the tool: dotnet pack src/NeuronKit.Cli -c Release -o {packages}")
    started = time.perf_counter()
    subprocess.run(["dotnet", "pack", os.path.join(ROOT, "src", "NeuronKit.Cli"), "-c", "Release", "-o", packages, "--nologo", "-v", "q"],
                   check=True, stdout=quiet)
    print(f"packed in {time.perf_counter() - started:.0f} s: {', '.join(sorted(os.listdir(packages)))}")
    print(f"installing it: dotnet tool install NeuronKit.Cli --add-source {packages} --tool-path {tool}")
    subprocess.run(["dotnet", "tool", "install", "NeuronKit.Cli", "--add-source", packages, "--tool-path", tool],
                   check=True, stdout=quiet, env=dict(os.environ, NUGET_PACKAGES=os.path.join(temp, "nuget")))
    return os.path.join(tool, "neuron")


def build_floors():
    """bench/floor/floor.c and diff_floor.c: the stats and diff jobs with nothing but reading and the kernel's vector
    work, to show what is left for everything else. x86-64 only, and they need clang; without either the rows are
    skipped, with a note."""
    if platform.machine() not in ("x86_64", "AMD64") or shutil.which("clang") is None:
        print("note: the floor rows need clang on x86-64; skipped")
        return {}
    floors = {}
    for name in ("floor", "diff_floor"):
        floors[name] = os.path.join(HERE, "bin", name)
        subprocess.run(["clang", "-O2", "-o", floors[name], os.path.join(HERE, "floor", name + ".c"), "-lpthread"], check=True)
    return floors


def checkpoints(data, sizes):
    """Writes each checkpoint once; a marker file records the shapes so a changed size is regenerated."""
    os.makedirs(data, exist_ok=True)
    files = {}
    for name, (layers, dim) in sizes.items():
        pt = os.path.join(data, f"{name}.pt")
        marker = pt + ".shape"
        shape = f"{layers}x Linear({dim}, {dim}) float32"
        if not (os.path.exists(pt) and os.path.exists(marker) and open(marker).read() == shape):
            print(f"writing {os.path.relpath(pt, ROOT)}: {shape}, with torch.save (and .safetensors)")
            subprocess.run([PYTHON, os.path.join(HERE, "make_checkpoints.py"), pt, str(layers), str(dim)], check=True)
            with open(marker, "w") as f:
                f.write(shape)
        files[f"{name}.pt"] = pt
        files[f"{name}.safetensors"] = os.path.splitext(pt)[0] + ".safetensors"
    # neuron diff's second file: big.pt's fine-tuned twin (the same seeded weights, changed a little).
    layers, dim = sizes["big"]
    twin, shape = os.path.join(data, "big_b.pt"), f"{layers}x Linear({dim}, {dim}) float32, fine-tuned twin"
    marker = twin + ".shape"
    if not (os.path.exists(twin) and os.path.exists(marker) and open(marker).read() == shape):
        print(f"writing {os.path.relpath(twin, ROOT)}: big.pt's fine-tuned twin, with torch.save")
        subprocess.run([PYTHON, os.path.join(HERE, "make_checkpoints.py"), twin, str(layers), str(dim), "--twin"], check=True)
        with open(marker, "w") as f:
            f.write(shape)
    files["big_b.pt"] = twin
    return files


def recache(paths):
    """Drops each checkpoint from the page cache and reads it back once, sequentially, as dd does.

    How a file came into the cache changes how fast it reads from there: just written by torch.save, big.pt sits in
    small pages, which dd reads at about half the speed it reaches after a sequential read has brought the file back
    in large ones; read back first by two threads at once, it lands somewhere between. Starting every run from the
    same state keeps the read bound, and the ratios to it, comparable.
    """
    buffer = bytearray(1 << 20)
    for path in filter(os.path.exists, paths):
        with open(path, "rb", buffering=0) as f:
            os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
            while f.readinto(buffer):
                pass


def measure(name, cmd):
    """Runs cmd as one process; wall time, user + system CPU time and peak RSS from wait4, stdout discarded.

    The file system is synced first, outside the timing: the rows that write gigabytes (cp, torch.save) leave them
    dirty, and a command that flushes its own few kilobytes (neuron edit) would otherwise wait for the ext4 journal to
    write out the previous row's data too."""
    os.sync()
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            err.seek(0)
            sys.exit(f"error: '{name}' failed with exit {process.returncode}: {' '.join(cmd)}\n{err.read().decode(errors='replace')}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss * 1024}


def table(r, args, runs, files, neuron, installed):
    def size(path):
        n = os.path.getsize(path)
        return f"{n / MIB:,.1f} MiB" if n >= MIB else f"{n / 1024:,.0f} KiB"

    def row(task, tool, name, reference=None, bound=None):
        if name not in r:  # not measured in this run (--rows)
            return None
        m = r[name]
        vs_torch = f"{r[reference]['wall'] / m['wall']:.1f}x faster" if reference in r else ""
        vs_read = f"{m['wall'] / r[bound]['wall']:.2f}x the read" if bound in r else ""
        return (f"| {task} | {tool} | {m['wall']:.3f} s | {m['cpu']:.3f} s | {m['rss'] / MIB:,.0f} MiB | {vs_torch} | {vs_read} |")

    big, small = files["big.pt"], files["small.pt"]
    b, s = size(big).replace(".0 MiB", " MiB"), size(small).replace(".0 MiB", " MiB")
    lines = [
        f"# NeuronKit benchmark{' (tiny mode: one run, not a measurement)' if args.tiny else ''}",
        "",
        f"{datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}, {platform.node()}, {os.cpu_count()} cores, "
        f"{cpu_model()}; {tool_versions()}.",
        f"Median of {runs} run{'s' if runs != 1 else ''} after a warm-up run, page cache warm: each checkpoint is first dropped "
        f"from the cache and read back sequentially, so every run starts from the same cache; commands interleaved run by run.",
        f"`big.pt` = {size(big)} ({sizes(args)['big'][0]} x Linear({sizes(args)['big'][1]}, {sizes(args)['big'][1]}) float32, torch.save), "
        f"`small.pt` = {size(small)} ({sizes(args)['small'][0]} x Linear({sizes(args)['small'][1]}, {sizes(args)['small'][1]})). "
        f"`neuron` is the published CLI ({'Native AOT' if is_native(neuron) else 'JIT, framework-dependent'}); "
        + (f"the installed tool is `dotnet tool install NeuronKit.Cli` from packages packed in this run "
           f"({'Native AOT' if is_native(installed) else 'framework-dependent'}). " if installed
           else "the installed-tool rows are skipped (--rows). " if args.rows else "the installed-tool rows are skipped (no clang). ") +
        f"Reproduce: `bench/run.sh{' --tiny' if args.tiny else ''}`.",
        "",
        "| task | tool | wall | CPU | peak RSS | vs PyTorch | vs read bound |",
        "|---|---|---|---|---|---|---|",
        row(f"read the file, {b} (bound)", "`dd if=big.pt bs=1M`", "read big"),
        row(f"one neuron, {b}", "PyTorch: torch.load, index", "show pytorch big"),
        row(f"one neuron, {b}", "`neuron show big.pt L -1 --json`", "show neuron big", "show pytorch big"),
    ]
    if "show installed big" in r:
        lines.append(row(f"one neuron, {b}", "installed tool: `neuron show big.pt L -1 --json`", "show installed big", "show pytorch big"))
    if "show neuron big.safetensors" in r:
        lines.append(row(f"one neuron, {b}", "`neuron show big.safetensors L -1 --json`", "show neuron big.safetensors", "show pytorch big"))
    lines += [
        row(f"one neuron and its outgoing weights, {b}", "PyTorch: torch.load, index, next layer's column", "show pytorch big outgoing"),
        row(f"one neuron, {b}", "`neuron show big.pt L-1 -1 --json` (the same neuron, plain)", "show neuron big before", "show pytorch big"),
        row(f"one neuron and its outgoing weights, {b}", "`neuron show big.pt L-1 -1 --json --outgoing`", "show neuron big outgoing",
            "show pytorch big outgoing"),
        row(f"one neuron, {s}", "PyTorch: torch.load, index", "show pytorch small"),
        row(f"one neuron, {s}", "`neuron show small.pt L -1 --json`", "show neuron small", "show pytorch small"),
        row(f"stats, {b}", "PyTorch: torch.load, per-row stats", "stats pytorch big", None, "read big"),
        row(f"stats, {b}", "`neuron stats big.pt --csv`", "stats neuron big", "stats pytorch big", "read big"),
        row(f"stats, {b}", "`neuron stats big.pt --top 0` (summaries only)", "stats neuron big top0", "stats pytorch big", "read big"),
        row(f"stats and outgoing norms, {b}", "PyTorch: the same, plus the next layer's column norms", "stats pytorch big outgoing", None, "read big"),
        row(f"stats and outgoing norms, {b}", "`neuron stats big.pt --outgoing --csv`", "stats neuron big outgoing",
            "stats pytorch big outgoing", "read big"),
    ]
    if "floor big" in r:
        lines.append(row(f"stats floor, {b}", "`bench/floor`: pread + the kernel's vector work, in C", "floor big", None, "read big"))
    if "stats neuron big.safetensors" in r:
        lines += [
            row(f"read the file, {size(files['big.safetensors'])} (bound)", "`dd if=big.safetensors bs=1M`", "read big.safetensors"),
            row(f"stats, {size(files['big.safetensors'])}", "`neuron stats big.safetensors --csv`", "stats neuron big.safetensors",
                "stats pytorch big", "read big.safetensors"),
        ]
    lines += [
        row(f"copy the file, {b}", "`cp big.pt copied.pt`", "copy big"),
        row(f"zero one neuron and save, {b}", "PyTorch: torch.load, zero row and bias, torch.save", "edit pytorch big"),
        row(f"zero one neuron and save, {b}", "`neuron edit big.pt L -1 --zero --in-place`", "edit neuron big in place", "edit pytorch big"),
        row(f"zero one neuron and save, {b}", "`neuron edit big.pt L -1 --zero -o edited.pt` (a checked copy)", "edit neuron big copy",
            "edit pytorch big"),
    ]
    lines += [
        row(f"copy the file, {b}", "`cp big.pt copied.pt`, then `sync copied.pt`", "copy big sync"),
        row(f"prune one neuron to a new file, {b}", "PyTorch: torch.load, cut, torch.save", "prune pytorch big"),
        row(f"prune one neuron to a new file, {b}", "`neuron prune big.pt L-1 -1 -o pruned.pt`", "prune neuron big", "prune pytorch big"),
    ]
    lines += [
        row(f"read both files, 2 x {b} (bound)", "`dd if=big.pt bs=1M`, then `dd if=big_b.pt bs=1M`", "diff read big"),
        row(f"diff, 2 x {b}", "PyTorch: torch.load both, per-row diff table", "diff pytorch big", None, "diff read big"),
        row(f"diff, 2 x {b}", "`neuron diff big.pt big_b.pt --csv`", "diff neuron big", "diff pytorch big", "diff read big"),
    ]
    if "diff floor big" in r:
        lines.append(row(f"diff floor, 2 x {b}", "`bench/floor/diff_floor`: pread of both + the diff kernel's vector work, in C",
                         "diff floor big", None, "diff read big"))
    if "show neuron big http" in r:
        http = r["show neuron big http"]
        local = f"{http['wall'] / r['show neuron big']['wall']:.2f}x the local show" if "show neuron big" in r else ""
        lines.append(row(f"one neuron over HTTP, {b}", "`neuron show http://127.0.0.1:N/big.pt L -1 --json` "
                         f"({http['bytes']:,} bytes fetched)", "show neuron big http").rsplit("|", 2)[0] + f"| {local} |")
        lines.append(row(f"download the file over HTTP, {b}", "`curl -o /dev/null http://127.0.0.1:N/big.pt`", "download big http"))
    lines.append(row("start-up", "`neuron --version`", "version neuron"))
    if "version installed" in r:
        lines.append(row("start-up", "installed tool: `neuron --version`", "version installed"))
    lines += ["", "PyTorch's stats compute the table as tensors and print one line; `neuron stats --csv` also formats and writes "
              "every row (to /dev/null), so the comparison favours PyTorch; `--top 0` measures the same and prints only the "
              "summaries. The outgoing rows read the last layer but one (L-1), whose consumer is the last layer: "
              "`--outgoing` adds column -1 of its weight to `show`, and each neuron's outgoing L2 norm and unused flag "
              "to `stats` (one more read of every consumer's weight). The floor row is the same job stripped to reading the file (pread, 256 KiB blocks, all cores) and "
              "the kernel's eight 128-bit vector instructions per four weights, in C: no format, no neurons, no output. "
              "Peak RSS is the child's `ru_maxrss`, which counts the forked Python parent before `exec` (about 13 MiB here): "
              "no row reads lower than that. The diff rows compare big.pt with its fine-tuned twin big_b.pt (make_checkpoints.py "
              "--twin: every value moved a little, one neuron per layer zeroed, one bias negated); PyTorch computes the table "
              "in float32 and prints one line, neuron in float64 and writes every row. The diff floor row is that job stripped "
              "the same way: both files read side by side (pread, 512 KiB of each, all cores) and the diff kernel's vector work "
              "(both sides widened to double; sums of squares, dot product, squared difference, largest), in C.", ""]
    lines = [line for line in lines if line is not None]
    if not args.tiny:
        lines += ["| target | measured | goal | met |", "|---|---|---|---|"]
        for label, value, op, goal in TARGETS:
            try:
                v = value(r)
            except KeyError:  # a row skipped in this run (or left out by --rows)
                if args.rows:
                    continue
                lines.append(f"| {label} | not measured | {op} {goal} | |")
                continue
            met = {"<": v < goal, "<=": v <= goal, ">=": v >= goal}[op]
            lines.append(f"| {label} | {v:.2f} | {op} {goal} | {'yes' if met else 'no'} |")
        lines.append("")
    return "\n".join(lines)


def sizes(args):
    return TINY if args.tiny else FULL


def is_native(neuron):
    """A Native AOT build has no neuron.dll in the command's folder or below it: a JIT publish has it beside the
    executable, a framework-dependent tool install in the tool store under it (beside an apphost shim)."""
    return not any("neuron.dll" in names for _, _, names in os.walk(os.path.dirname(neuron)))


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "unknown CPU"


def tool_versions():
    torch = subprocess.run([PYTHON, "-c", "import torch; print(torch.__version__)"], capture_output=True, text=True).stdout.strip()
    dotnet = subprocess.run(["dotnet", "--version"], capture_output=True, text=True).stdout.strip()
    return f"PyTorch {torch}, .NET SDK {dotnet}"


if __name__ == "__main__":
    main()
