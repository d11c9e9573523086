"""``workloads/probe-port``: a probe on a port name its container does not declare fails
every time (error); on an undeclared number, while the container declares others, it may
(warning). Judged on the manifests of constructs' escape hatch and on YAML through check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from k8sdsl.cli import main
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._versions import DEFAULT_VERSION, K8sVersion
from k8sdsl.rules._registry import run_rules


def deployment(probe_key: str, handler: dict[str, Any]) -> dict[str, Any]:
    container = {
        "name": "web",
        "image": "registry.example.com/web:1.0",
        "ports": [{"containerPort": 8080, "name": "http"}],
        probe_key: handler,
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [container]},
            },
        },
    }


def findings(obj: dict[str, Any]) -> list[tuple[str, str, str]]:
    m = Manifest(obj, "test", K8sVersion.supported(DEFAULT_VERSION))
    return [
        (f.severity.value, f.path, f.hint) for f in run_rules([m], only=["workloads/probe-port"])
    ]


def test_named_port_not_declared_is_an_error() -> None:
    got = findings(deployment("readinessProbe", {"httpGet": {"path": "/", "port": "htp"}}))
    assert got == [
        (
            "error",
            "spec.template.spec.containers[0].readinessProbe.httpGet.port",
            "did you mean 'http'?",
        )
    ]


def test_declared_name_and_port_pass() -> None:
    assert findings(deployment("livenessProbe", {"tcpSocket": {"port": "http"}})) == []
    assert findings(deployment("livenessProbe", {"tcpSocket": {"port": 8080}})) == []


def test_undeclared_number_is_a_warning() -> None:
    got = findings(deployment("startupProbe", {"httpGet": {"path": "/", "port": 9090}}))
    assert [(s, p) for s, p, _ in got] == [
        ("warning", "spec.template.spec.containers[0].startupProbe.httpGet.port")
    ]


def test_yaml_through_check(tmp_path: Path, capsys: Any) -> None:
    import yaml

    path = tmp_path / "web.yaml"
    path.write_text(yaml.safe_dump(deployment("livenessProbe", {"tcpSocket": {"port": "metrics"}})))
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "error[workloads/probe-port] Deployment shop/web" in out
    assert "the kubelet restarts the container until CrashLoopBackOff" in out
