"""Cold start: ``cdk8s synth`` of apps/ end to end, against a bare cdk8s app of one
ConfigMap, in the same run, through the same pinned CLI and Node. Target: at most 1.5x.

Both run as a user would: a fresh process per synth (the CLI starts node, node starts
Python, the app writes its YAML). The median of several runs of each is compared.
Run with ``make bench`` (or ``python bench/cold_start.py [RUNS]``).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / "node_modules" / ".bin" / "cdk8s"

BARE_APP = """\
import cdk8s

app = cdk8s.App()
chart = cdk8s.Chart(app, "bare")
cm = cdk8s.ApiObject(chart, "cm", api_version="v1", kind="ConfigMap",
                     metadata=cdk8s.ApiObjectMetadata(name="settings"))
cm.add_json_patch(cdk8s.JsonPatch.add("/data", {"mode": "bare"}))
app.synth()
"""


def synth_seconds(cwd: Path, app_command: str, out: Path, cache: Path | None = None) -> float:
    env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    if cache is not None:
        # a fresh machine: no compiled schema validators from earlier runs or tests
        env["K8SDSL_CACHE_DIR"] = str(cache)
    start = time.perf_counter()
    proc = subprocess.run(
        [str(CLI), "synth", "--no-check-upgrade", "--app", app_command, "--output", str(out)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"synth failed in {cwd}:\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    python = ROOT / ".venv" / "bin" / "python"
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare"
        bare.mkdir()
        (bare / "main.py").write_text(BARE_APP)
        ours_out, bare_out = Path(tmp) / "ours", Path(tmp) / "bare-out"
        # k8sdsl runs with an empty schema cache, as on a fresh CI machine (an app of this
        # size validates with jsonschema and compiles nothing, so the cache stays empty)
        cache = Path(tmp) / "schema-cache"
        # one untimed run of each warms the OS file cache
        synth_seconds(ROOT, f"{python} -m apps", ours_out, cache)
        synth_seconds(bare, f"{python} main.py", bare_out)
        ours, theirs = [], []
        for _ in range(runs):  # interleaved, so machine noise hits both alike
            shutil.rmtree(cache, ignore_errors=True)
            ours.append(synth_seconds(ROOT, f"{python} -m apps", ours_out, cache))
            theirs.append(synth_seconds(bare, f"{python} main.py", bare_out))
        n_objects = sum(
            p.read_text().count("\nkind: ") + p.read_text().startswith("kind")
            for p in ours_out.glob("*.yaml")
        )
        shutil.rmtree(ours_out, ignore_errors=True)
    m_ours, m_bare = statistics.median(ours), statistics.median(theirs)
    print(f"cold start, `cdk8s synth` end to end, median of {runs} interleaved runs")
    print(
        f"  bare cdk8s app (1 ConfigMap): {m_bare:.2f} s  "
        f"(min {min(theirs):.2f}, max {max(theirs):.2f})"
    )
    print(
        f"  k8sdsl apps/ ({n_objects} objects, every rule, strict schema): {m_ours:.2f} s  "
        f"(min {min(ours):.2f}, max {max(ours):.2f})"
    )
    ratio = m_ours / m_bare
    print(f"  ratio: {ratio:.2f}x  target <= 1.5x: {'met' if ratio <= 1.5 else 'MISSED'}")


if __name__ == "__main__":
    main()
