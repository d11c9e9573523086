"""ClusterDnsProbe: the notes' DNS test as objects, secure and exactly allowed through."""

from __future__ import annotations

from typing import Any

import pytest

from k8sdsl import App, Chart, Namespace
from k8sdsl.core import K8sDslError
from k8sdsl.network import (
    BUSYBOX_IMAGE,
    ClusterDnsProbe,
    DefaultDenyPolicy,
    Reachability,
    probe_script,
)
from tests.conftest import assert_schema_valid


def objects(chart: Chart) -> list[dict[str, Any]]:
    return [m.obj for m in chart.manifests()]


def by_kind(chart: Chart) -> dict[tuple[str, str], dict[str, Any]]:
    return {(o["kind"], o["metadata"]["name"]): o for o in objects(chart)}


def test_probe_objects(chart: Chart, yaml_snapshot: Any) -> None:
    ClusterDnsProbe(chart, "dns")
    assert objects(chart) == yaml_snapshot
    assert_schema_valid(objects(chart))
    assert sorted(by_kind(chart)) == [
        ("Deployment", "dns-target"),
        ("Job", "dns-probe"),
        ("NetworkPolicy", "dns-probe"),
        ("NetworkPolicy", "dns-target"),
        ("Service", "dns-target"),
    ]


def test_busybox_is_pinned_by_tag_and_digest() -> None:
    name, _, digest = BUSYBOX_IMAGE.partition("@")
    assert name == "docker.io/library/busybox:1.36.1"
    assert digest.startswith("sha256:") and len(digest) == 7 + 64


def test_job_looks_up_both_names_and_fails_on_failure(chart: Chart) -> None:
    probe = ClusterDnsProbe(chart, "dns")
    assert probe.target_fqdn == "dns-target.default.svc.cluster.local"
    assert probe.kubernetes_fqdn == "kubernetes.default.svc.cluster.local"
    job = by_kind(chart)[("Job", "dns-probe")]
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == BUSYBOX_IMAGE
    assert container["command"][:2] == ["sh", "-c"]
    script = container["command"][2]
    assert script.startswith("set -eu\n")
    assert "\nnslookup dns-target.default.svc.cluster.local\n" in script
    assert "\nnslookup kubernetes.default.svc.cluster.local\n" in script
    assert job["spec"]["backoffLimit"] == 3
    assert job["spec"]["activeDeadlineSeconds"] == 300
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_probe_script_fails_when_a_lookup_fails(tmp_path: Any) -> None:
    """Run the script with stand-ins for nslookup and wget: a failed lookup fails the Job."""
    import os
    import subprocess

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "nslookup").write_text('#!/bin/sh\n[ "$1" != "$BROKEN" ]\n')
    (bin_dir / "wget").write_text("#!/bin/sh\nexit 0\n")
    (bin_dir / "sleep").write_text("#!/bin/sh\nexit 0\n")
    for tool in ("nslookup", "wget", "sleep"):
        (bin_dir / tool).chmod(0o755)
    script = probe_script(lookups=("a.svc", "b.svc"), url="http://a.svc/", attempts=2, interval=1)

    def run(broken: str) -> int:
        env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "BROKEN": broken}
        return subprocess.run(["sh", "-c", script], env=env, capture_output=True).returncode

    assert run("none") == 0
    assert run("a.svc") != 0
    assert run("b.svc") != 0


def test_probe_script_gives_up_on_a_silent_target(tmp_path: Any) -> None:
    import os
    import subprocess

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool, body in (("nslookup", "exit 0"), ("wget", "exit 1"), ("sleep", "exit 0")):
        (bin_dir / tool).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / tool).chmod(0o755)
    script = probe_script(lookups=("a.svc",), url="http://a.svc/", attempts=3, interval=1)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    done = subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "no answer from http://a.svc/" in done.stdout


def test_pods_are_secure(chart: Chart) -> None:
    ClusterDnsProbe(chart, "dns")
    for kind, name in (("Deployment", "dns-target"), ("Job", "dns-probe")):
        spec = by_kind(chart)[(kind, name)]["spec"]["template"]["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert spec["automountServiceAccountToken"] is False
        container = spec["containers"][0]
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
        assert container["securityContext"]["allowPrivilegeEscalation"] is False


def test_the_app_check_is_clean(app: App) -> None:
    chart = Chart(app, "dns", namespace="dns-check")
    Namespace(chart, "dns-check", labels={"pod-security.kubernetes.io/enforce": "restricted"})
    ClusterDnsProbe(chart, "probe")
    report = app.check()
    assert report.errors == ()
    assert [f.code for f in report.warnings] == []


def test_probe_works_in_a_namespace_that_denies_by_default(app: App) -> None:
    chart = Chart(app, "dns", namespace="dns-check")
    DefaultDenyPolicy(chart, "default-deny")
    probe = ClusterDnsProbe(chart, "probe")
    assert "network/dns-egress-blocked" not in app.check().codes()
    net = Reachability.of(app)
    job = net.pod("dns-probe", namespace="dns-check")
    target = net.pod("dns-target", namespace="dns-check")
    assert net.dns_access(job) == (True, True)
    assert net.check(job, target, port=8080)
    # exactly what it needs, nothing more
    assert net.allowed_ports(job, target).describe() == "TCP 8080"
    assert not net.check(job, "8.8.8.8", port=53, protocol="UDP")
    assert not net.check(target, job, port=8080)
    assert net.allowed_ports(target, net.cluster_dns).is_empty()
    assert not target.uses_cluster_dns()
    assert [p.name for p in probe.policies] == ["dns-probe", "dns-target"]


def test_probe_policies_isolate_even_without_default_deny(app: App) -> None:
    chart = Chart(app, "dns", namespace="dns-check")
    ClusterDnsProbe(chart, "probe")
    net = Reachability.of(app)
    target = net.pod("dns-target", namespace="dns-check")
    assert not net.check("203.0.113.1", target, port=8080)


def test_without_network_policies(chart: Chart) -> None:
    probe = ClusterDnsProbe(chart, "dns", network_policies=False)
    assert probe.policies == []
    assert [o["kind"] for o in objects(chart)] == ["Deployment", "Service", "Job"]


def test_names_namespace_and_cluster_domain(tmp_path: Any) -> None:
    app = App(outdir=tmp_path, cluster_domain="k8s.internal")
    chart = Chart(app, "dns")
    probe = ClusterDnsProbe(
        chart,
        "dns",
        namespace="probe",
        target_name="echo",
        probe_name="lookup",
        backoff_limit=1,
        active_deadline_seconds=60,
    )
    assert probe.target_fqdn == "echo.probe.svc.k8s.internal"
    assert probe.kubernetes_fqdn == "kubernetes.default.svc.k8s.internal"
    objs = by_kind(chart)
    assert {o["metadata"]["namespace"] for o in objs.values()} == {"probe"}
    assert objs[("Service", "echo")]["spec"]["selector"] == {"app.kubernetes.io/name": "echo"}
    assert objs[("Job", "lookup")]["spec"]["backoffLimit"] == 1
    explicit = ClusterDnsProbe(Chart(app, "other"), "dns", namespace="x", cluster_domain="c.l")
    assert explicit.target_fqdn == "dns-target.x.svc.c.l"


def test_a_namespace_is_required(app: App) -> None:
    with pytest.raises(K8sDslError) as exc:
        ClusterDnsProbe(Chart(app, "dns"), "probe")
    finding = exc.value.findings[0]
    assert (finding.code, finding.path) == ("network/probe-namespace", "namespace")
    assert finding.obj.source == "dns/probe"


def test_bad_target_name_names_the_construct(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as exc:
        ClusterDnsProbe(chart, "dns", target_name="DNS_Target")
    assert exc.value.findings[0].obj.source == "test/dns"
    assert exc.value.findings[0].hint == "use 'dns-target'"


def test_probe_synthesizes(app: App) -> None:
    chart = Chart(app, "dns", namespace="dns-check")
    ClusterDnsProbe(chart, "probe")
    app.synth()
    text = (app.outdir / "dns.k8s.yaml").read_text()
    assert "nslookup dns-target.dns-check.svc.cluster.local" in text
