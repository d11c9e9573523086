"""``k8sdsl explain network PATH...``: the reachability of anyone's YAML, exit codes 0/2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from k8sdsl.cli import main

FIXTURES = Path(__file__).parent / "fixtures"

PODS = """\
apiVersion: v1
kind: Pod
metadata: {name: db, labels: {role: db}}
spec:
  containers: [{name: redis, image: redis, ports: [{containerPort: 6379, name: redis}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: frontend, labels: {role: frontend}}
spec:
  containers: [{name: web, image: nginx}]
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def pods(tmp_path: Path) -> Path:
    path = tmp_path / "pods.yaml"
    path.write_text(PODS)
    return path


def test_explain_network_prints_the_matrix(capsys: pytest.CaptureFixture[str], pods: Path) -> None:
    policies = FIXTURES / "notes-policies.yaml"
    code, out, err = run(capsys, "explain", "network", str(policies), str(pods))
    assert code == 0, err
    assert "Pod to pod (row may connect to column on these ports)" in out
    assert "[1] default/db (Pod)" in out
    assert "default/db ingress from: 172.17.0.0/16 except 172.17.1.0/24: TCP 6379" in out
    # applied in order, the samples named alike replace each other: the last "default-deny"
    # isolates both directions, the last "allow-all" (egress {} without policyTypes) allows
    # all egress and adds ingress isolation; only the example's rule lets anything in
    assert "  [1]        none      none" in out
    assert "  [2]        TCP 6379  none" in out
    assert "default/db: reachable" in out
    assert (
        "ingress: isolated by default/test-network-policy, default/allow-all, "
        "default/default-deny\n" in out
    )


def test_explain_network_json(capsys: pytest.CaptureFixture[str], pods: Path) -> None:
    code, out, _ = run(capsys, "explain", "network", "--format", "json", str(pods))
    assert code == 0
    data = json.loads(out)
    assert [p["id"] for p in data["pods"]] == ["default/db", "default/frontend"]
    assert {"from": "default/frontend", "ports": "all", "to": "default/db"} in data["connections"]


def test_explain_network_folder(capsys: pytest.CaptureFixture[str], pods: Path) -> None:
    code, out, _ = run(capsys, "explain", "network", str(pods.parent))
    assert code == 0
    assert "Pods (2)" in out


def test_explain_network_unreadable_input_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "explain", "network", str(tmp_path / "missing.yaml"))
    assert code == 2
    assert "error[yaml/unreadable]" in err and "missing.yaml" in err
    assert out == ""


def test_explain_without_topic_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["explain"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["explain", "storage", "x.yaml"])
    assert exc.value.code == 2


def test_check_still_judges_the_notes_samples(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(FIXTURES / "notes-policies.yaml"))
    assert code == 1  # three objects named like earlier ones would overwrite them
    assert out.count("error[app/duplicate-object]") == 3
    assert "warning[network/implicit-policy-types] NetworkPolicy allow-all" in out
