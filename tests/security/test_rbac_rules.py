"""Every rbac/* rule on YAML through ``k8sdsl check`` and on constructs through the app's
check: what it finds, where, how severe, and the written exemption that turns it into a note."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, Chart, Cluster, ExistingObject
from k8sdsl.cli import main
from k8sdsl.security import (
    ClusterRole,
    ClusterRoleBinding,
    Exemption,
    PolicyRule,
    Role,
    RoleBinding,
    RoleRef,
    ServiceAccount,
    Subject,
)

ROLE = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata:
  name: r
  {namespace}
  annotations: {annotations}
rules:
  - apiGroups: {groups}
    resources: {resources}
    verbs: {verbs}
"""
BINDING = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata:
  name: b
  {namespace}
  annotations: {annotations}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {ref_kind}, name: {ref_name}}}
subjects:
  - {subject}
"""
SA = """\
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: team-a}
automountServiceAccountToken: false
"""


def role_yaml(
    *,
    groups: str = '[""]',
    resources: str = "[configmaps]",
    verbs: str = "[get]",
    kind: str = "Role",
    annotations: str = "{}",
) -> str:
    namespace = "namespace: team-a" if kind == "Role" else ""
    return ROLE.format(
        kind=kind,
        namespace=namespace,
        annotations=annotations,
        groups=groups,
        resources=resources,
        verbs=verbs,
    )


def binding_yaml(
    *,
    kind: str = "RoleBinding",
    ref_kind: str = "ClusterRole",
    ref_name: str = "view",
    subject: str = "{kind: ServiceAccount, name: app, namespace: team-a}",
    annotations: str = "{}",
) -> str:
    namespace = "namespace: team-a" if kind == "RoleBinding" else ""
    return BINDING.format(
        kind=kind,
        namespace=namespace,
        annotations=annotations,
        ref_kind=ref_kind,
        ref_name=ref_name,
        subject=subject,
    )


def check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, *flags: str
) -> tuple[int, list[dict[str, Any]]]:
    path = tmp_path / "rbac.yaml"
    path.write_text(text)
    code = main(["check", "--format", "json", *flags, str(path)])
    found = json.loads(capsys.readouterr().out)["findings"]
    return code, [f for f in found if f["code"].startswith("rbac/")]


def _chart(app: App) -> Chart:
    return Chart(app, "team", namespace="team-a")


def _sa(app: App) -> ServiceAccount:
    return ServiceAccount(_chart(app), "app")


# code -> (YAML, the path of the finding, severity, the construct that does the same)
Case = tuple[str, str, str, Callable[[App], Any]]
CASES: dict[str, Case] = {
    "rbac/wildcard": (
        role_yaml(verbs='["*"]'),
        "rules[0].verbs[0]",
        "error",
        lambda app: Role(
            _chart(app),
            "r",
            rules=[PolicyRule(api_groups=[""], resources=["configmaps"], verbs=["*"])],
        ),
    ),
    "rbac/escalation": (
        role_yaml(
            kind="ClusterRole",
            groups="[rbac.authorization.k8s.io]",
            resources="[clusterroles]",
            verbs="[get, escalate]",
        ),
        "rules[0].verbs[1]",
        "error",
        lambda app: ClusterRole(
            _chart(app),
            "r",
            rules=[
                PolicyRule.of("clusterroles.rbac.authorization.k8s.io", verbs=["get", "escalate"])
            ],
        ),
    ),
    "rbac/secrets-read": (
        role_yaml(resources="[configmaps, secrets]", verbs="[get, list]"),
        "rules[0].resources[1]",
        "warning",
        lambda app: Role(
            _chart(app), "r", rules=[PolicyRule.of("configmaps", "secrets", verbs=["get", "list"])]
        ),
    ),
    "rbac/privilege-path": (
        role_yaml(resources="[configmaps, pods/exec]", verbs="[create]"),
        "rules[0].resources[1]",
        "warning",
        lambda app: Role(
            _chart(app), "r", rules=[PolicyRule.of("configmaps", "pods/exec", verbs=["create"])]
        ),
    ),
    "rbac/cluster-admin-binding": (
        binding_yaml(kind="ClusterRoleBinding", ref_name="cluster-admin") + SA,
        "roleRef.name",
        "error",
        lambda app: ClusterRoleBinding(
            _chart(app), "b", role="cluster-admin", subjects=[Subject.group("ops")]
        ),
    ),
    "rbac/public-subject": (
        binding_yaml(
            subject="{kind: Group, name: system:authenticated, apiGroup: rbac.authorization.k8s.io}"
        ),
        "subjects[0].name",
        "error",
        lambda app: RoleBinding(
            _chart(app), "b", role="view", subjects=[Subject.group("system:unauthenticated")]
        ),
    ),
    "rbac/default-service-account": (
        binding_yaml(subject="{kind: ServiceAccount, name: default, namespace: team-a}"),
        "subjects[0].name",
        "warning",
        lambda app: RoleBinding(
            _chart(app),
            "b",
            role="view",
            subjects=[Subject.service_account("default", namespace="team-a")],
        ),
    ),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_on_yaml(code: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text, path, severity, _ = CASES[code]
    exit_code, found = check(capsys, tmp_path, text)
    hits = [f for f in found if f["code"] == code]
    assert [(f["path"], f["severity"]) for f in hits] == [(path, severity)], found
    assert exit_code == (1 if severity == "error" else 0)
    assert "Exemption(control=" in hits[0]["hint"]


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_on_constructs(code: str, app: App) -> None:
    _, path, severity, build = CASES[code]
    build(app)
    hits = [f for f in app.check().findings if f.code == code]
    assert [(f.path, f.severity.value) for f in hits] == [(path, severity)]
    assert hits[0].obj.source.startswith("team/")


_CONTROLS = {
    "rbac/wildcard": "rbac-wildcard",
    "rbac/escalation": "rbac-escalation",
    "rbac/secrets-read": "rbac-secrets",
    "rbac/privilege-path": "rbac-privilege-path",
    "rbac/cluster-admin-binding": "rbac-cluster-admin",
    "rbac/public-subject": "rbac-public-subject",
    "rbac/default-service-account": "rbac-default-service-account",
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_a_written_exemption_makes_a_note(
    code: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = CASES[code][0].replace(
        "annotations: {}",
        f"annotations: {{k8sdsl.io/exemption.{_CONTROLS[code]}: the reason in writing}}",
        1,
    )
    exit_code, found = check(capsys, tmp_path, text)
    hits = [f for f in found if f["code"] == code]
    assert [f["severity"] for f in hits] == ["info"]
    assert "the reason in writing" in hits[0]["message"]
    assert exit_code == 0


def test_exemption_on_a_construct(app: App) -> None:
    Role(
        _chart(app),
        "r",
        rules=[PolicyRule(api_groups=[""], resources=["configmaps"], verbs=["*"])],
        exemptions=[Exemption(control="rbac-wildcard", reason="a legacy tool")],
    )
    (hit,) = [f for f in app.check().findings if f.code == "rbac/wildcard"]
    assert hit.severity.value == "info" and "a legacy tool" in hit.message


def test_least_privilege_grants_find_nothing(app: App) -> None:
    sa = _sa(app)
    sa.grant(read=["configmaps"], write=["deployments.apps"])
    sa.grant(rules=[PolicyRule.read("secrets", resource_names=["app-tls"])], name="app-tls")
    assert [f for f in app.check().findings if f.code.startswith("rbac/")] == []


def test_each_privilege_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = role_yaml(resources="[pods, pods/attach, pods/log]", verbs="[create, get]")
    text += "---\n" + role_yaml(
        kind="ClusterRole", resources="[nodes/proxy, pods/ephemeralcontainers]", verbs="[patch]"
    )
    _, found = check(capsys, tmp_path, text)
    assert sorted((f["obj"]["kind"], f["path"]) for f in found) == [
        ("ClusterRole", "rules[0].resources[1]"),  # patch on ephemeral containers
        ("Role", "rules[0].resources[0]"),  # create pods
        ("Role", "rules[0].resources[1]"),  # pods/attach
    ]  # reading logs is no privilege path, nor patching nodes/proxy


def test_a_wildcard_group_does_not_hide_secrets_or_escalation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = role_yaml(
        kind="ClusterRole",
        groups='["*"]',
        resources="[secrets, clusterroles]",
        verbs="[list, bind]",
    )
    _, found = check(capsys, tmp_path, text)
    assert sorted((f["code"], f["path"]) for f in found) == [
        ("rbac/escalation", "rules[0].verbs[1]"),
        ("rbac/secrets-read", "rules[0].resources[0]"),
        ("rbac/wildcard", "rules[0].apiGroups[0]"),
    ]


# -- names that grant nothing, and what the API server refuses ---------------------------------


@pytest.mark.parametrize(
    ("text", "code", "path", "hint"),
    [
        (
            role_yaml(resources="[configmap]"),
            "rbac/unknown-resource",
            "rules[0].resources[0]",
            "did you mean 'configmaps'?",
        ),
        (
            role_yaml(resources="[pods/exex]"),
            "rbac/unknown-resource",
            "rules[0].resources[0]",
            "did you mean 'pods/exec'?",
        ),
        (
            role_yaml(resources="[deployments]"),
            "rbac/unknown-resource",
            "rules[0].resources[0]",
            "add 'apps' to apiGroups (or move 'deployments' to a rule for it)",
        ),
        (
            role_yaml(verbs="[lsit]"),
            "rbac/unknown-verb",
            "rules[0].verbs[0]",
            "did you mean 'list'?",
        ),
        (
            role_yaml(groups="[app]", resources="[deployments]"),
            "rbac/unknown-api-group",
            "rules[0].apiGroups[0]",
            "did you mean 'apps'?",
        ),
        (
            role_yaml(groups="[]"),
            "rbac/invalid-rule",
            "rules[0].apiGroups",
            "add apiGroups: [''] (where 'configmaps' is served)",
        ),
    ],
)
def test_names_that_grant_nothing_on_yaml(
    text: str,
    code: str,
    path: str,
    hint: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    exit_code, found = check(capsys, tmp_path, text)
    assert exit_code == 1
    assert [(f["code"], f["path"], f["hint"]) for f in found] == [(code, path, hint)]
    assert f"{tmp_path / 'rbac.yaml'}:" in found[0]["obj"]["source"]


def test_custom_groups_are_not_judged(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = role_yaml(
        groups="[gateway.networking.k8s.io, example.com]", resources="[httproutes, widgets]"
    )
    assert check(capsys, tmp_path, text) == (0, [])


def test_non_resource_urls_on_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = (
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n"
        "metadata: {name: r, namespace: team-a}\n"
        "rules: [{nonResourceURLs: ['/healthz'], verbs: [get]}]\n---\n"
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: c}\n"
        "rules: [{nonResourceURLs: ['healthz', '/api/*/x'], verbs: [gets]}]\n"
    )
    _, found = check(capsys, tmp_path, text)
    assert sorted((f["obj"]["kind"], f["code"], f["path"]) for f in found) == [
        ("ClusterRole", "rbac/non-resource-url", "rules[0].nonResourceURLs[0]"),
        ("ClusterRole", "rbac/non-resource-url", "rules[0].nonResourceURLs[1]"),
        ("ClusterRole", "rbac/unknown-verb", "rules[0].verbs[0]"),
        ("Role", "rbac/invalid-rule", "rules[0].nonResourceURLs"),
    ]


def test_bindings_the_api_server_refuses(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = binding_yaml(
        kind="ClusterRoleBinding",
        ref_kind="Role",
        ref_name="r",
        subject="{kind: ServiceAccount, name: app}",
    )
    _, found = check(capsys, tmp_path, text)
    assert {(f["code"], f["path"]) for f in found} >= {
        ("rbac/invalid-binding", "roleRef.kind"),
        ("rbac/invalid-binding", "subjects[0].namespace"),
    }


def test_the_target_version_decides(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = role_yaml(resources="[pods/resize]", verbs="[patch]")
    assert check(capsys, tmp_path, text, "--k8s-version", "1.33")[1] == []
    _, found = check(capsys, tmp_path, text, "--k8s-version", "1.32")
    assert [f["code"] for f in found] == ["rbac/unknown-resource"]


# -- what bindings name -------------------------------------------------------------------------


def test_missing_role_and_subject_warn_then_error_with_complete(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = binding_yaml(
        ref_kind="Role",
        ref_name="deployr",
        subject="{kind: ServiceAccount, name: ci, namespace: team-a}",
    )
    text += "---\n" + role_yaml().replace("name: r", "name: deployer")
    code, found = check(capsys, tmp_path, text)
    assert code == 0
    by_code = {f["code"]: f for f in found}
    assert by_code["rbac/missing-role"]["severity"] == "warning"
    assert by_code["rbac/missing-role"]["hint"] == "did you mean 'deployer'?"
    assert by_code["rbac/missing-subject"]["path"] == "subjects[0].name"
    code, found = check(capsys, tmp_path, text, "--complete")
    assert code == 1
    assert {f["severity"] for f in found if f["code"].startswith("rbac/missing")} == {"error"}
    (tmp_path / "cluster.yaml").write_text(
        "objects:\n"
        "  - {kind: Role, name: deployr, namespace: team-a}\n"
        "  - {kind: ServiceAccount, name: ci, namespace: team-a}\n"
    )
    code, found = check(
        capsys, tmp_path, text, "--complete", "--cluster", str(tmp_path / "cluster.yaml")
    )
    assert (code, found) == (0, [])


def test_builtin_roles_and_the_default_account_always_exist(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = binding_yaml(ref_name="system:aggregate-to-view") + SA
    text += "---\n" + binding_yaml(ref_name="edit").replace("name: b", "name: b2")
    assert check(capsys, tmp_path, text, "--complete") == (0, [])


def test_missing_role_at_synth_is_an_error(app: App) -> None:
    chart = _chart(app)
    RoleBinding(chart, "b", role=RoleRef.role("nobody"), subjects=[Subject.user("u")])
    RoleBinding(chart, "b2", role="veiw", subjects=[Subject.user("u")])
    hits = {f.obj.name: f for f in app.check().findings if f.code == "rbac/missing-role"}
    assert {n: f.severity.value for n, f in hits.items()} == {"b": "error", "b2": "error"}
    assert hits["b2"].hint == "did you mean 'view'?"
    app2 = App(
        cluster=Cluster(objects=[ExistingObject(kind="Role", name="nobody", namespace="team-a")])
    )
    RoleBinding(_chart(app2), "b", role=RoleRef.role("nobody"), subjects=[Subject.user("u")])
    assert [f for f in app2.check().findings if f.code.startswith("rbac/")] == []
