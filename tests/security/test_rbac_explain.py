"""``k8sdsl explain rbac PATH... --who-can VERB RESOURCE [--as SUBJECT]``: the RBAC
authorizer's answers over anyone's YAML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl.cli import main

OBJECTS = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: team-a}
rules:
  - {apiGroups: [apps], resources: [deployments, "*/scale"], verbs: [get, update]}
  - {apiGroups: [""], resources: [secrets], resourceNames: [app-tls], verbs: [get]}
  - {apiGroups: [""], resources: ["pods/*"], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects:
  - {kind: ServiceAccount, name: ci, namespace: team-a}
  - {kind: Group, name: "system:serviceaccounts:team-b", apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: monitoring}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {example.com/aggregate-to-monitoring: "true"}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-reader, labels: {example.com/aggregate-to-monitoring: "true"}}
rules: [{apiGroups: [""], resources: [pods, pods/log], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: monitoring}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: monitoring}
subjects: [{kind: User, name: prometheus, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: ops, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: readers, namespace: team-b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: Group, name: readers, apiGroup: rbac.authorization.k8s.io}]
"""


@pytest.fixture
def objects(tmp_path: Path) -> Path:
    path = tmp_path / "rbac.yaml"
    path.write_text(OBJECTS)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["explain", "rbac", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out


def grants(capsys: pytest.CaptureFixture[str], objects: Path, *args: str) -> dict[str, Any]:
    code, out = run(capsys, str(objects), "--format", "json", *args)
    assert code in (0, 1)
    data: dict[str, Any] = json.loads(out)
    return data


def who(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (g["subject"]["kind"], g["subject"]["name"], g["scope"])
        for g in data["grants"]
        if g["evaluated"]
    ]


def test_who_can_lists_every_grant_with_its_path(
    capsys: pytest.CaptureFixture[str], objects: Path
) -> None:
    code, out = run(capsys, str(objects), "--who-can", "update", "deployments.apps")
    assert code == 0
    assert out.splitlines()[:4] == [
        "Who can update deployments.apps (in any namespace):",
        "  Group ops  in every namespace  via ClusterRoleBinding admins -> ClusterRole "
        "cluster-admin (built-in: every verb on everything)",
        "  ServiceAccount team-a/ci  in team-a  via RoleBinding team-a/deployer -> Role "
        "deployer rules[0]",
        "  Group system:serviceaccounts:team-b  in team-a  via RoleBinding team-a/deployer -> "
        "Role deployer rules[0]",
    ]
    assert "Not evaluated" in out and "Group readers  in team-b" in out


def test_namespaces_subresources_and_names(
    capsys: pytest.CaptureFixture[str], objects: Path
) -> None:
    # a RoleBinding grants in its namespace only
    assert who(grants(capsys, objects, "--who-can", "update", "deployments.apps", "-n", "x")) == [
        ("Group", "ops", "*")
    ]
    # '*/scale' matches every scale subresource; 'pods/*' matches nothing
    scale = who(grants(capsys, objects, "--who-can", "update", "deployments.apps/scale"))
    assert ("ServiceAccount", "ci", "team-a") in scale
    assert ("ServiceAccount", "ci", "team-a") not in who(
        grants(capsys, objects, "--who-can", "get", "pods/log")
    )
    # resourceNames narrow a rule to the objects named
    data = grants(capsys, objects, "--who-can", "get", "secrets")
    (ci,) = [g for g in data["grants"] if g["subject"]["name"] == "ci"]
    assert ci["onlyNames"] == ["app-tls"]
    assert "ci" not in [
        g["subject"]["name"]
        for g in grants(capsys, objects, "--who-can", "list", "secrets")["grants"]
    ]


def test_aggregated_roles_have_the_rules_they_select(
    capsys: pytest.CaptureFixture[str], objects: Path
) -> None:
    data = grants(capsys, objects, "--who-can", "list", "pods")
    (prom,) = [g for g in data["grants"] if g["subject"]["name"] == "prometheus"]
    assert prom["rule"] == "ClusterRole pod-reader rules[0] (aggregated)"


@pytest.mark.parametrize(
    ("subject", "verdict", "exit_code"),
    [
        ("ServiceAccount:team-a:ci", "yes", 0),
        ("system:serviceaccount:team-b:anyone", "yes", 0),  # in system:serviceaccounts:team-b
        ("User:prometheus", "no", 1),
        ("Group:readers", "unknown", 1),  # only through view, whose rules are not in the files
    ],
)
def test_as_answers_for_one_subject(
    subject: str,
    verdict: str,
    exit_code: int,
    capsys: pytest.CaptureFixture[str],
    objects: Path,
) -> None:
    code, out = run(capsys, str(objects), "--who-can", "get", "deployments.apps", "--as", subject)
    assert code == exit_code
    assert out.splitlines()[0].split("? ")[1].startswith(verdict)


def test_unreadable_input_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["explain", "rbac", str(tmp_path / "missing.yaml"), "--who-can", "get", "pods"])
    assert code == 2
