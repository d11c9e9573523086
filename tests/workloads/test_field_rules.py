"""Workload values the API server refuses, found in YAML by ``k8sdsl check``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl.cli import main

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers:
        - name: web
          image: nginx:1.27.3
          ports: [{containerPort: 8080}]
          resources: {requests: {memory: 64Mi, cpu: 100m}}
"""


def errors(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str) -> list[Any]:
    path = tmp_path / "objects.yaml"
    path.write_text(text)
    main(["check", "--format", "json", str(path)])
    return [f for f in json.loads(capsys.readouterr().out)["findings"] if f["severity"] == "error"]


def test_the_valid_deployment_has_no_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert errors(capsys, tmp_path, DEPLOYMENT) == []


@pytest.mark.parametrize(
    ("old", "new", "code", "path"),
    [
        ("replicas: 3", "replicas: -3", "workloads/replicas", "spec.replicas"),
        (
            "containerPort: 8080",
            "containerPort: 70000",
            "workloads/port-range",
            "spec.template.spec.containers[0].ports[0].containerPort",
        ),
        (
            "containerPort: 8080",
            "containerPort: 0",
            "workloads/port-range",
            "spec.template.spec.containers[0].ports[0].containerPort",
        ),
        (
            "memory: 64Mi",
            "memory: 1GB",
            "value/quantity",
            "spec.template.spec.containers[0].resources.requests.memory",
        ),
        (
            "{app: web, tier: front}",
            "{app: website}",
            "workloads/selector-mismatch",
            "spec.selector",
        ),
    ],
)
def test_a_refused_value_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, old: str, new: str, code: str, path: str
) -> None:
    (found,) = errors(capsys, tmp_path, DEPLOYMENT.replace(old, new))
    assert (found["code"], found["path"]) == (code, path)


def test_the_quantity_hint_is_the_python_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    claim = (
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\n"
        "spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1GB}}}\n"
    )
    (found,) = [f for f in errors(capsys, tmp_path, claim) if f["code"] == "value/quantity"]
    assert found["path"] == "spec.resources.requests.storage"
    assert "'1G'" in found["hint"]


def test_service_ports_out_of_range(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    service = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
        "spec: {selector: {app: web}, ports: [{port: 80, targetPort: 70000}, "
        "{port: 443, targetPort: https}]}\n"
    )
    found = [f for f in errors(capsys, tmp_path, service) if f["code"] == "workloads/port-range"]
    assert [f["path"] for f in found] == ["spec.ports[0].targetPort"]


def test_a_matching_selector_by_expression_is_fine(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = DEPLOYMENT.replace(
        "selector: {matchLabels: {app: web}}",
        "selector: {matchExpressions: [{key: tier, operator: In, values: [front, back]}]}",
    )
    assert errors(capsys, tmp_path, text) == []
