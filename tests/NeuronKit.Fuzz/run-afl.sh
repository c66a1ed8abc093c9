#!/usr/bin/env bash
# Coverage-guided fuzzing of one NeuronKit reader with SharpFuzz + AFL++.
#   tests/NeuronKit.Fuzz/run-afl.sh TARGET [SECONDS]     TARGET: pickle pytorch safetensors onnx gguf numpy torchsharp
# Needs: apt-get install afl++; dotnet tool install --global SharpFuzz.CommandLine.
# Seeds are the target's valid fixtures; crashes and hangs are copied to tests/fixtures/fuzz-regressions/TARGET/,
# where FuzzRegressionTests replays them on every test run once they are fixed.
set -euo pipefail
target=${1:?target}
seconds=${2:-600}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/neuronkit-afl-XXXXXX)
export PATH="$PATH:$HOME/.dotnet/tools"

dotnet build "$repo/tests/NeuronKit.Fuzz" -c Release -o "$work/bin" >/dev/null
sharpfuzz "$work/bin/NeuronKit.dll" >/dev/null

mkdir -p "$work/in"
case "$target" in
    pickle)
        /usr/bin/python3 - "$repo" "$work/in" <<'PY'
import sys, zipfile, glob, os
repo, out = sys.argv[1], sys.argv[2]
for f in glob.glob(f"{repo}/tests/fixtures/pytorch/*.pt"):
    try:
        z = zipfile.ZipFile(f)
    except zipfile.BadZipFile:
        continue
    for n in z.namelist():
        if n.endswith("data.pkl") and os.path.getsize(f) < 64 * 1024:
            open(os.path.join(out, os.path.basename(f) + ".pkl"), "wb").write(z.read(n))
PY
        ;;
    *)
        # Every small fixture of the format's folder; AFL drops the ones that fail the same way.
        find "$repo/tests/fixtures/$target" -maxdepth 1 -type f -size -64k ! -name '*.json' ! -name '*.md' \
            -exec cp {} "$work/in/" \;
        ;;
esac

echo core > /proc/sys/kernel/core_pattern 2>/dev/null || true
AFL_SKIP_BIN_CHECK=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 \
    timeout "$seconds" afl-fuzz -i "$work/in" -o "$work/out" -t 10000 -m none -- dotnet "$work/bin/NeuronKit.Fuzz.dll" "$target" \
    > "$work/afl.log" 2>&1 || true

stats="$work/out/default/fuzzer_stats"
grep -E "^(execs_done|corpus_count|saved_crashes|saved_hangs|unique_crashes|unique_hangs) " "$stats" || true
regressions="$repo/tests/fixtures/fuzz-regressions/$target"
found=0
for f in "$work"/out/default/crashes/id* "$work"/out/default/hangs/id*; do
    [ -e "$f" ] || continue
    mkdir -p "$regressions"
    cp "$f" "$regressions/$(basename "$(dirname "$f")")-$(sha1sum "$f" | cut -c1-12)"
    found=$((found + 1))
done
echo "$found crashing or hanging inputs copied to $regressions (work folder: $work)"
