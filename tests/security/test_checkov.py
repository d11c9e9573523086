"""An outside scanner agrees: checkov finds nothing to fail in what k8sdsl makes secure by
default, and reads the same exemptions k8sdsl wrote.

Runs under ``make test``, which installs the pinned checkov into ``.venv-checkov`` and sets
``K8SDSL_CHECKOV``; skipped when that variable is unset. Scans the committed ``dist/`` (a
fresh synth of ``apps/`` until dist/ exists) and a synth of bare SecurePods and
SecurePodTemplate workloads with a NetworkPolicy over them.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from apps import build_app
from k8sdsl import App, Chart, LabelSelector
from k8sdsl.network import DefaultDenyPolicy, PolicyDirection
from k8sdsl.security import CHECKOV_SKIP_PREFIX, EXEMPTION_PREFIX, PROFILE_ANNOTATION, Control
from k8sdsl.workloads import (
    CronJob,
    DaemonSet,
    Deployment,
    HorizontalPodAutoscaler,
    Job,
    PodDisruptionBudget,
    SecurePod,
    SecurePodTemplate,
    StatefulSet,
    VolumeClaimTemplate,
)

CHECKOV = os.environ.get("K8SDSL_CHECKOV")
ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
IMAGE = (
    "registry.example.com/team/app:1.0"
    "@sha256:5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6"
)
#: checkov's graph check that a pod has a NetworkPolicy: a property of the app around the
#: pod, not of the pod; SecurePod passes it when a policy covers it.
NETWORK_POLICY_CHECK = "CKV2_K8S_6"

pytestmark = pytest.mark.skipif(not CHECKOV, reason="K8SDSL_CHECKOV is set by `make test`")


def scan(folder: Path) -> dict[str, Any]:
    """checkov's JSON report for ``folder`` (kubernetes framework only, offline)."""
    assert CHECKOV
    done = subprocess.run(
        [
            CHECKOV,
            "--framework",
            "kubernetes",
            "--skip-download",
            "--directory",
            str(folder),
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    report = json.loads(done.stdout)
    if isinstance(report, list):
        (report,) = [r for r in report if r.get("check_type") == "kubernetes"]
    assert report["summary"]["parsing_errors"] == 0
    return report  # type: ignore[no-any-return]


def objects(folder: Path) -> Iterator[dict[str, Any]]:
    for file in sorted(folder.glob("*.yaml")):
        for doc in yaml.safe_load_all(file.read_text()):
            if isinstance(doc, dict):
                yield doc


def checkov_id(obj: dict[str, Any]) -> str:
    meta = obj["metadata"]
    return f"{obj['kind']}.{meta.get('namespace', 'default')}.{meta['name']}"


def _template(obj: dict[str, Any]) -> dict[str, Any]:
    if obj["kind"] == "Pod":
        return obj
    if obj["kind"] == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]  # type: ignore[no-any-return]
    return obj.get("spec", {}).get("template", {})  # type: ignore[no-any-return]


def secure_by_default(obj: dict[str, Any]) -> bool:
    annotations = (_template(obj).get("metadata") or {}).get("annotations") or {}
    return annotations.get(PROFILE_ANNOTATION) == "restricted"


def covered_by_a_policy(pod: dict[str, Any], everything: list[dict[str, Any]]) -> bool:
    labels = pod["metadata"].get("labels") or {}
    return any(
        o["kind"] == "NetworkPolicy"
        and o["metadata"].get("namespace") == pod["metadata"].get("namespace")
        and LabelSelector.from_k8s(o["spec"].get("podSelector")).matches(labels)
        for o in everything
    )


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed dist/ once it holds every chart of apps/; until then (dist/ missing or
    older than the app modules, which tests/test_dist.py reports) a fresh synth of apps/."""
    out = tmp_path_factory.mktemp("apps") / "dist"
    app = build_app(outdir=out)
    charts = {f"{c.node.id}.k8s.yaml" for c in app.charts}
    if charts <= {p.name for p in DIST.glob("*.yaml")}:
        return DIST
    app.synth()
    return out


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bare") / "dist"
    app = App(outdir=out)
    chart = Chart(app, "bare", namespace="secure-demo")
    SecurePod(chart, "bare-pod", image=IMAGE)
    SecurePod(chart, "bare-server", image=IMAGE, ports=[8080])
    deployment = Deployment(
        chart, "bare-deployment", template=SecurePodTemplate(image=IMAGE, ports=[8080])
    )
    PodDisruptionBudget.for_workload(deployment, max_unavailable=1)
    HorizontalPodAutoscaler(chart, "bare-hpa", scale_target=deployment, max_replicas=3)
    DaemonSet(chart, "bare-daemonset", template=SecurePodTemplate(image=IMAGE))
    Job(chart, "bare-job", template=SecurePodTemplate(image=IMAGE, command=["true"]))
    CronJob(
        chart,
        "bare-cronjob",
        schedule="@daily",
        template=SecurePodTemplate(image=IMAGE, command=["true"]),
    )
    data = VolumeClaimTemplate.of("data", storage="1Gi")
    StatefulSet(
        chart,
        "bare-statefulset",
        volume_claim_templates=[data],
        template=SecurePodTemplate(image=IMAGE, ports=[5432], mounts=[data.mount("/data")]),
    ).headless_service()
    DefaultDenyPolicy(chart, "deny-all", direction=PolicyDirection.INGRESS)
    app.synth()
    return out


def test_bare_securepods_have_zero_failed_checks(bare: Path) -> None:
    report = scan(bare)
    failed = [(f["check_id"], f["resource"]) for f in report["results"]["failed_checks"]]
    assert failed == []
    scanned = {p["resource"] for p in report["results"]["passed_checks"]}
    assert {
        "Pod.secure-demo.bare-pod",
        "Pod.secure-demo.bare-server",
        "Deployment.secure-demo.bare-deployment",
        "DaemonSet.secure-demo.bare-daemonset",
        "Job.secure-demo.bare-job",
        "StatefulSet.secure-demo.bare-statefulset",
        "CronJob.secure-demo.bare-cronjob",
    } <= scanned
    passed = {(p["check_id"], p["resource"]) for p in report["results"]["passed_checks"]}
    # the checks SecurePod's defaults exist for, seen passing on the bare pod
    for check in (
        "CKV_K8S_20",
        "CKV_K8S_22",
        "CKV_K8S_23",
        "CKV_K8S_28",
        "CKV_K8S_31",
        "CKV_K8S_37",
        "CKV_K8S_38",
        "CKV_K8S_40",
        "CKV_K8S_43",
        "CKV_K8S_8",
        "CKV_K8S_9",
        "CKV_K8S_11",
        "CKV_K8S_13",
        NETWORK_POLICY_CHECK,
    ):
        assert (check, "Pod.secure-demo.bare-server") in passed, check


def test_a_portless_securepod_records_why_it_has_no_probes(bare: Path) -> None:
    report = scan(bare)
    skipped = {(s["check_id"], s["resource"]) for s in report["results"]["skipped_checks"]}
    assert ("CKV_K8S_8", "Pod.secure-demo.bare-pod") in skipped
    assert ("CKV_K8S_9", "Pod.secure-demo.bare-pod") in skipped
    assert not any(r == "Pod.secure-demo.bare-server" for _, r in skipped)


def test_dist_objects_secure_by_default_have_zero_failed_checks(dist: Path) -> None:
    everything = list(objects(dist))
    secure = {checkov_id(o): o for o in everything if secure_by_default(o)}
    assert secure, "apps/ define SecurePods"
    report = scan(dist)
    failed = [
        (f["check_id"], f["resource"])
        for f in report["results"]["failed_checks"]
        if f["resource"] in secure
        and not (
            f["check_id"] == NETWORK_POLICY_CHECK
            and not covered_by_a_policy(secure[f["resource"]], everything)
        )
    ]
    assert failed == []
    # the apps of this issue put a policy over their pods
    for name in ("Pod.apps.security-context-pod",):
        if name in secure:
            assert covered_by_a_policy(secure[name], everything)


def test_dist_exemptions_are_checkov_skips(dist: Path) -> None:
    everything = list(objects(dist))
    exempted = [
        o
        for o in everything
        if any(k.startswith(EXEMPTION_PREFIX) for k in (o["metadata"].get("annotations") or {}))
    ]
    assert exempted, "the security-context app states its exemptions"
    report = scan(dist)
    results = report["results"]
    skipped = {(s["check_id"], s["resource"]) for s in results["skipped_checks"]}
    judged = {
        (r["check_id"], r["resource"]) for r in results["passed_checks"] + results["failed_checks"]
    }
    recorded = 0
    for obj in exempted:
        annotations = obj["metadata"]["annotations"]
        skips = {
            v.split("=", 1)[0]: v.split("=", 1)[1]
            for k, v in annotations.items()
            if k.startswith(CHECKOV_SKIP_PREFIX)
        }
        for key, reason in annotations.items():
            if not key.startswith(EXEMPTION_PREFIX):
                continue
            control = Control(key.removeprefix(EXEMPTION_PREFIX))
            for check in control.checkov_ids:
                assert check in skips, (checkov_id(obj), check)
                # checkov honoured the skip: it did not judge the check on this object
                # (checks that do not apply to the kind, such as probes on a Job, are
                # neither judged nor skipped)
                assert (check, checkov_id(obj)) not in judged, (checkov_id(obj), check)
                recorded += (check, checkov_id(obj)) in skipped
            if control.checkov_ids:
                assert reason.replace("=", ":") in skips.values()
    assert recorded >= 2
    assert ("CKV_K8S_40", "Pod.apps.security-context-pod") in skipped
