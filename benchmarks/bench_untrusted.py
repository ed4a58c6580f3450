"""Cost of opening hostile files: the model-file bombs and the audio bomb of issue 18.

Builds, in a cache folder, a genuine ``svc`` model file (fitted on the bundled
FSDD sample) and from it the issue's two model-file bombs (its largest member,
or the largest member of its inner skops archive, replaced by ``--gb`` GB of
deflated zeros), and the 92 KB FLAC bomb (59 s of silence, 8 channels at
192 kHz). Each is then opened in a fresh interpreter (``audiodigit predict``'s
path: ``load_model``, ``read_audio(max_duration=60)``) and the wall time, the
peak resident memory of that interpreter (``resource.getrusage``) and the
outcome are printed.

Usage::

    python benchmarks/bench_untrusted.py --gb 3
    PYTHONPATH=/path/to/other/checkout python benchmarks/bench_untrusted.py --gb 0.3

The second form measures another version of the library (e.g. the one before
the bounds) on the same files.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from _untrusted_files import flac_bomb, model_bomb  # noqa: E402

# ru_maxrss survives exec (a child inherits its parent's high-water mark), so the
# child reads its own VmHWM from /proc (Linux) and tracemalloc's peak.
CHILD = r"""
import json, sys, time, tracemalloc
def hwm_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
kind, path = sys.argv[1], sys.argv[2]
start = time.perf_counter()
import sklearn_audiodigit  # the package, as `audiodigit` imports it; the rest is timed
tracemalloc.start()
base = hwm_mb()
start = time.perf_counter()
try:
    if kind == "model":
        from sklearn_audiodigit.persistence import load_model
        load_model(path)
    else:
        from sklearn_audiodigit.io import read_audio
        read_audio(path, max_duration=60)
    outcome = "loaded"
except Exception as err:
    outcome = f"{type(err).__name__}: {str(err)[:160]}"
print(json.dumps({
    "seconds": round(time.perf_counter() - start, 3),
    "peak_rss_mb": hwm_mb(),
    "rss_after_import_mb": base,
    "traced_peak_mb": round(tracemalloc.get_traced_memory()[1] / 1e6, 1),
    "outcome": outcome,
}))
"""


def build(folder, gb):
    folder.mkdir(parents=True, exist_ok=True)
    genuine = folder / "svc.model"
    if not genuine.exists():
        from sklearn_audiodigit.datasets import load_fsdd_sample
        from sklearn_audiodigit.persistence import save_model
        from sklearn_audiodigit.pipelines import make_model

        X, y = load_fsdd_sample(return_X_y=True)
        save_model(make_model("svc", random_state=0).fit(X, y), genuine)
    n_bytes = int(gb * 1e9)
    files = {"genuine svc model": ("model", genuine)}
    for nested in (False, True):
        name = f"bomb_{'inner' if nested else 'outer'}_{gb:g}GB.model"
        path = folder / name
        if not path.exists():
            path.write_bytes(model_bomb(genuine.read_bytes(), n_bytes, nested=nested))
        label = f"model bomb, {gb:g} GB of zeros {'inside skops' if nested else 'as a member'}"
        files[label] = ("model", path)
    flac = folder / "silence_8ch_192k_59s.flac"
    if not flac.exists():
        flac_bomb(flac)
    files["FLAC bomb, 8 ch x 192 kHz x 59 s"] = ("audio", flac)
    return files


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gb", type=float, default=3.0, help="GB of zeros in each model bomb")
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "audiodigit_bench_untrusted"
    )
    args = parser.parse_args()
    files = build(args.cache, args.gb)
    for label, (kind, path) in files.items():
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, kind, str(path)],
            capture_output=True,
            text=True,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
            cwd=tempfile.gettempdir(),  # `python -c` puts the cwd first on sys.path
        )
        result = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout else {}
        size = path.stat().st_size / 1e6
        print(f"{label} ({size:.2f} MB on disk): {json.dumps(result)}", flush=True)
        if proc.returncode:
            print(proc.stderr[-2000:], file=sys.stderr)


if __name__ == "__main__":
    main()
