"""``k8sdsl check`` at fleet size: objects per second, end to end (the command in a fresh
process, imports included), serial and with worker processes, and with a warm cache after a
one-file change.

The fleet: N apps (default 5,000) of four objects each (a Deployment, a Service, a claim and
a network policy, as bench/validate.py writes them) in F files (default 1,000), every rule and
the strict schema on. Target on the 2-core machine: >= 4,000 objects/s for 20,000 objects
(``--jobs auto``, which is one worker per core at this size).

A peer for scale: ``kubernetes_validate.validate`` (strict) timed on a sample of the objects and
scaled to the fleet (checkov is far slower and not run here).

    python bench/check_throughput.py [--apps 5000] [--files 1000] [--runs 3] [--no-peer]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from validate import fleet  # noqa: E402 - the benchmark's sibling

ROOT = Path(__file__).resolve().parent.parent
VERSION = "1.35"
TARGET = 4_000


def write_fleet(folder: Path, apps: int, files: int) -> int:
    """``apps`` x 4 objects spread over ``files`` YAML files; the number of objects."""
    # through JSON: objects that share no dicts, so the YAML has no anchors (as synth writes)
    objects: list[dict[str, Any]] = json.loads(json.dumps(fleet(apps)))
    per_file = -(-len(objects) // files)
    folder.mkdir(parents=True, exist_ok=True)
    for f in range(files):
        chunk = objects[f * per_file : (f + 1) * per_file]
        if chunk:
            text = yaml.dump_all(chunk, Dumper=yaml.CSafeDumper, sort_keys=False)
            (folder / f"team-{f:04d}.yaml").write_text(text)
    return len(objects)


def run_check(folder: Path, *flags: str) -> tuple[float, str, str]:
    """One ``k8sdsl check`` in a fresh process: wall seconds, stdout, stderr."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "k8sdsl", "check", "--k8s-version", VERSION, *flags, str(folder)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"k8sdsl check {' '.join(flags)} failed:\n{proc.stderr[-3000:]}")
    return seconds, proc.stdout, proc.stderr


def peer_seconds(objects: int, sample: int = 200) -> float:
    import kubernetes_validate

    objs = json.loads(json.dumps(fleet(sample // 4)))
    start = time.perf_counter()
    for obj in objs:
        kubernetes_validate.validate(obj, VERSION, strict=True)
    return (time.perf_counter() - start) / len(objs) * objects


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=5000)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-peer", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "fleet"
        objects = write_fleet(folder, args.apps, args.files)
        print(
            f"k8sdsl check of {objects:,} objects in {args.files:,} files "
            f"(Kubernetes {VERSION}, every rule, strict schema; {os.cpu_count()} cores; "
            f"median of {args.runs})"
        )
        run_check(folder, "--jobs", "1")  # warm the compiled-schema cache and the page cache
        outputs: dict[str, str] = {}
        rates: dict[str, float] = {}
        for label, flags in (
            ("serial (--jobs 1)", ("--jobs", "1")),
            ("--jobs 2", ("--jobs", "2")),
            ("--jobs auto", ()),
        ):
            runs = [run_check(folder, *flags) for _ in range(args.runs)]
            seconds = statistics.median(r[0] for r in runs)
            outputs[label] = runs[0][1]
            rates[label] = objects / seconds
            print(
                f"  {label:<18} {seconds:6.2f} s  {objects / seconds:>8,.0f} objects/s  "
                f"runs {[round(r[0], 2) for r in runs]}",
                flush=True,
            )
        same = len(set(outputs.values())) == 1
        print(f"  outputs byte-identical across modes: {'yes' if same else 'NO'}")
        cache = Path(tmp) / "cache"
        run_check(folder, "--cache", str(cache))
        changed = folder / "team-0000.yaml"
        changed.write_text(changed.read_text().replace("replicas: 2", "replicas: 3", 1))
        seconds, _, err = run_check(folder, "--cache", str(cache), "--verbose")
        stats = err.strip().splitlines()[-1] if err.strip() else ""
        print(
            f"  --cache, one file changed: {seconds:6.2f} s  "
            f"{objects / seconds:>8,.0f} objects/s  ({stats})"
        )
        best = rates["--jobs auto"]
        print(
            f"target >= {TARGET:,} objects/s (--jobs auto): "
            f"{'met' if best >= TARGET else 'MISSED'} ({best:,.0f})"
        )
        if not args.no_peer:
            peer = peer_seconds(objects)
            print(
                f"  peer: kubernetes_validate.validate --strict, schema only, scaled from 200 "
                f"objects: {peer:.0f} s ({objects / peer:,.0f} objects/s)"
            )
        if not same:
            raise SystemExit("the parallel output differs from the serial one")


if __name__ == "__main__":
    main()
