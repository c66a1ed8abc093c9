#!/usr/bin/env bash
# NeuronKit's benchmark against PyTorch: bench/run.sh [--tiny] [--runs N] [--no-build]; see bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    echo "error: the benchmark needs Debian's PyTorch: apt-get install python3-torch (it runs /usr/bin/python3)" >&2
    exit 1
fi
exec /usr/bin/python3 bench/bench.py "$@"
