"""Rule-set benchmark: what the workload rules (StatefulSet, CronJob, PodDisruptionBudget,
HorizontalPodAutoscaler, Ingress, scheduling, Secrets made in the cluster) cost per app,
side by side with the rule set without them, in the same process and the same run.

The fleet is N copies of the three-tier shop (apps/shop.py: 16 objects each, every kind
those rules read), each in its own namespace. Every rule runs over the whole fleet, as
``k8sdsl check`` does; the two rule sets alternate, and the median of the runs is reported
with the per-app cost and its growth from the smallest size. Target: the per-app cost with
the new rules within 10% of the cost without them, and flat as N grows (linear rules).

    python bench/rulesets.py [--runs R] [--sizes 100,500,2000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apps import shop  # noqa: E402
from k8sdsl import App  # noqa: E402
from k8sdsl._pipeline import rule_settings  # noqa: E402
from k8sdsl.core import K8sVersion  # noqa: E402
from k8sdsl.core._manifest import Manifest  # noqa: E402
from k8sdsl.rules._registry import load_rules, registered_rules, run_rules  # noqa: E402

#: the rule modules this round added for whole apps
NEW_MODULES = (
    "k8sdsl.rules.controllers",
    "k8sdsl.rules.ingress",
    "k8sdsl.rules.scheduling",
    "k8sdsl.rules.secrets",
)


def fleet(n: int) -> list[Manifest]:
    with tempfile.TemporaryDirectory() as tmp:
        app = App(outdir=Path(tmp) / "dist", cluster=shop.CLUSTER)
        shop.build(app)
        objects = [m.obj for chart in app.charts for m in chart.manifests()]
    text = json.dumps(objects)
    version = K8sVersion("1.35")
    out: list[Manifest] = []
    for i in range(n):
        for j, obj in enumerate(json.loads(text.replace('"shop"', f'"shop-{i}"'))):
            out.append(Manifest(obj, f"fleet-{i}.yaml:{j}", version))
    return out


def timed(manifests: list[Manifest], only: list[str]) -> float:
    settings = rule_settings(shop.CLUSTER, K8sVersion("1.35"), complete=True)
    for m in manifests:
        m.cache.clear()
    start = time.perf_counter()
    run_rules(manifests, settings, only)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="100,500,2000")
    args = parser.parse_args()
    load_rules()
    rules = registered_rules()
    everything = [r.id for r in rules]
    new = {r.id for r in rules if r.func.__module__ in NEW_MODULES}
    before = [r for r in everything if r not in new]
    print(f"rule-set benchmark: {len(everything)} rules, {len(new)} of them new; median of "
          f"{args.runs} runs")  # fmt: skip
    print(f"{'apps':>6} {'objects':>8} {'before ms':>10} {'with ms':>10} {'ratio':>6} "
          f"{'us/app before':>14} {'us/app with':>12} {'growth':>7}")  # fmt: skip
    first: float | None = None
    for n in [int(s) for s in args.sizes.split(",")]:
        manifests = fleet(n)
        a: list[float] = []
        b: list[float] = []
        for _ in range(args.runs):
            a.append(timed(manifests, before))
            b.append(timed(manifests, everything))
        ma, mb = statistics.median(a), statistics.median(b)
        per_app = mb / n * 1e6
        first = first or per_app
        print(f"{n:>6} {len(manifests):>8} {ma * 1e3:>10.1f} {mb * 1e3:>10.1f} "
              f"{mb / ma:>6.2f} {ma / n * 1e6:>14.0f} {per_app:>12.0f} "
              f"{per_app / first:>6.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
