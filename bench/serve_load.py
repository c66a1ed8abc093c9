"""`neuron serve` under load: latencies and memory, printed as a markdown section for bench/results/.

    serve_load.py NEURON FILE [--requests 2000] [--clients 16]

Starts `NEURON serve FILE` on a free port and times, with a plain HTTP client (keep-alive, one connection per client):
the first view after the server printed its address (the page, its script and style, the file list and the layers,
one after the other, as the browser asks for them), a neuron's panel (its JSON with outgoing parts and its picture),
then REQUESTS requests from CLIENTS concurrent clients, show, stats and render mixed, each answer checked for status
200 and a body of the right type. The server's resident memory is sampled from /proc every 20 ms throughout.
"""

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("neuron")
    p.add_argument("file")
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--clients", type=int, default=16)
    args = p.parse_args()

    server = subprocess.Popen([args.neuron, "serve", args.file], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline().strip()
        started = time.perf_counter()
        if not line.startswith("NeuronKit serving on http://"):
            sys.exit(f"serve did not start: {line!r} {server.stderr.read()}")
        host, port = line.rsplit("http://", 1)[1].rstrip("/").split(":")
        rss = Rss(server.pid)
        rss.start()
        connection = http.client.HTTPConnection(host, int(port))

        def get(path, kind="json"):
            t = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            check(path, response.status, response.getheader("Content-Type", ""), body, kind)
            return time.perf_counter() - t, body

        # First view: what the browser asks for, in order, right after the server says where it is.
        first = 0.0
        for path, kind in [("/", "html"), ("/assets/app.js", "js"), ("/assets/app.css", "css"), ("/api/files", "json"), ("/api/layers?file=0", "json")]:
            first += get(path, kind)[0]
        since_start = time.perf_counter() - started
        layers = json.loads(get("/api/layers?file=0")[1])["layers"]
        layers = [l for l in layers if l["neurons"] > 0]
        rss_started = rss.now()

        # A neuron's panel: its JSON with outgoing parts and its picture, for 20 neurons of the layer but one.
        panel = []
        layer = layers[-2] if len(layers) > 1 else layers[-1]
        for j in random.Random(1).sample(range(layer["neurons"]), min(20, layer["neurons"])):
            q = f"file=0&layer={layer['name']}&neuron={j}"
            panel.append(get(f"/api/show?{q}&outgoing=true")[0] + get(f"/api/render?{q}&outgoing=1", "png")[0])
        connection.close()

        latencies = {"show": [], "stats": [], "render": []}
        errors = []
        lock = threading.Lock()
        plan = requests_plan(layers, args.requests)

        def client(index):
            c = http.client.HTTPConnection(host, int(port))
            for kind, path, want in plan[index::args.clients]:
                t = time.perf_counter()
                try:
                    c.request("GET", path)
                    response = c.getresponse()
                    body = response.read()
                    check(path, response.status, response.getheader("Content-Type", ""), body, want)
                    with lock:
                        latencies[kind].append(time.perf_counter() - t)
                except Exception as e:  # noqa: BLE001 - every failure is counted and shown
                    with lock:
                        errors.append(f"{path}: {e}")
                    c = http.client.HTTPConnection(host, int(port))
            c.close()

        rss_before_load = rss.now()
        t = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        load_wall = time.perf_counter() - t
        rss.stop()
        rss_after = rss.now()
        mapped_after = rss.now("RssFile:")
    finally:
        server.terminate()
        server.wait(timeout=10)

    total = sum(len(v) for v in latencies.values())
    ms = lambda s: f"{s * 1000:.1f} ms"
    pct = lambda values, q: sorted(values)[min(len(values) - 1, int(q * len(values)))] if values else float("nan")
    out = [f"### neuron serve, {os.path.basename(args.file)} ({os.path.getsize(args.file) / 2**20:,.1f} MiB)", "",
           "| measure | value | goal |", "|---|---|---|",
           f"| first view after the server starts (page, script, style, files, layers) | {ms(first)} | < 300 ms |",
           f"| from the address printed to the layers listed, client side | {ms(since_start)} |  |",
           f"| a neuron's panel (show with outgoing + its PNG), median of {len(panel)} | {ms(statistics.median(panel))} | < 100 ms |",
           f"| load: {total:,} of {len(plan):,} requests answered, {len(errors)} errors, {args.clients} clients | {load_wall:.2f} s, {total / load_wall:,.0f} req/s |  |"]
    for kind, values in latencies.items():
        out.append(f"| load: {kind} p50 / p99 ({len(values)} requests) | {ms(pct(values, 0.5))} / {ms(pct(values, 0.99))} |  |")
    out.append(f"| server's own memory (RssAnon): after start, before load, peak during load, after load | "
               f"{rss_started / 2**20:,.0f} / {rss_before_load / 2**20:,.0f} / {rss.peak / 2**20:,.0f} / {rss_after / 2**20:,.0f} MiB |  |")
    out.append(f"| checkpoint pages mapped after load (RssFile, the page cache's) | {mapped_after / 2**20:,.0f} MiB |  |")
    print("\n".join(out))
    if errors:
        print("\n".join(["", "errors:"] + errors[:10]))
        sys.exit(1)


def requests_plan(layers, n):
    """n requests, show (half, with outgoing parts where the layer has a next one), stats of a layer and render (a quarter each)."""
    r = random.Random(7)
    plan = []
    for i in range(n):
        index = r.randrange(len(layers))
        layer = layers[index]
        q = f"file=0&layer={layer['name']}"
        j = r.randrange(layer["neurons"])
        kind = ("show", "show", "stats", "render")[i % 4]
        if kind == "show":
            plan.append(("show", f"/api/show?{q}&neuron={j}" + ("&outgoing=true" if index + 1 < len(layers) else ""), "json"))
        elif kind == "stats":
            plan.append(("stats", f"/api/stats?{q}&top=100&sort=l2", "json"))
        else:
            plan.append(("render", f"/api/render?{q}&neuron={j}", "png"))
    return plan


def check(path, status, content_type, body, kind):
    if status != 200:
        raise RuntimeError(f"{path}: {status} {body[:200]!r}")
    expect = {"json": "application/json", "png": "image/png", "html": "text/html", "js": "text/javascript", "css": "text/css"}[kind]
    if not content_type.startswith(expect):
        raise RuntimeError(f"{path}: {content_type}, not {expect}")
    if kind == "json":
        json.loads(body)
    if kind == "png" and not body.startswith(b"\x89PNG\r\n\x1a\n"):
        raise RuntimeError(f"{path}: not a PNG")


class Rss(threading.Thread):
    """The process's own resident memory (RssAnon: its heaps, not the checkpoint's pages it maps, which are the page
    cache's and count in VmRSS while mapped), sampled every 20 ms; peak kept."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def now(self, field="RssAnon:"):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
        return 0

    def run(self):
        while self.running:
            try:
                self.peak = max(self.peak, self.now())
            except OSError:
                return
            time.sleep(0.02)

    def stop(self):
        self.running = False
        self.join()


if __name__ == "__main__":
    main()
