"""RBAC constructs: golden YAML of every construct, the strict schema of 1.28 and 1.37, the
checker at the user's line, and the catalog the checker reads."""

from __future__ import annotations

from typing import Any

import pytest

from k8sdsl import App, Chart, K8sDslError, LabelSelector
from k8sdsl.security import (
    BuiltinClusterRole,
    ClusterRole,
    ClusterRoleBinding,
    Exemption,
    Grant,
    PolicyRule,
    Role,
    RoleBinding,
    RoleRef,
    ServiceAccount,
    Subject,
    rbac_catalog,
)
from k8sdsl.security._rbac_catalog import SUBRESOURCES, plural

from ..conftest import assert_schema_valid

VERSIONS = ("1.28", "1.37")


def _team(app: App) -> Chart:
    return Chart(app, "team", namespace="team-a")


def _objects(chart: Chart) -> list[Any]:
    return [r for r in chart.node.walk() if hasattr(r, "to_k8s") and r is not chart]


def test_role_and_binding_golden_yaml(app: App, yaml_snapshot: Any) -> None:
    chart = _team(app)
    role = Role(
        chart,
        "config-reader",
        rules=[
            PolicyRule.read("configmaps"),
            PolicyRule.of("pods/log", verbs=["get"]),
            PolicyRule.read("secrets", resource_names=["app-tls"]),
        ],
    )
    binding = RoleBinding(
        chart,
        "config-reader-binding",
        role=role,
        subjects=[Subject.user("jane@example.com"), Subject.group("team-a-oncall")],
    )
    assert [role, binding] == yaml_snapshot
    assert_schema_valid([role, binding], VERSIONS)


def test_cluster_role_aggregation_golden_yaml(app: App, yaml_snapshot: Any) -> None:
    chart = _team(app)
    widgets = ClusterRole(
        chart,
        "widgets-view",
        rules=[PolicyRule.read("widgets.example.com")],
        aggregate_to=[BuiltinClusterRole.VIEW, "edit"],
    )
    monitoring = ClusterRole(
        chart,
        "monitoring",
        aggregate_from=[LabelSelector.of({"rbac.example.com/aggregate-to-monitoring": "true"})],
    )
    health = ClusterRole(chart, "health", rules=[PolicyRule.non_resource("/healthz", "/livez")])
    binding = ClusterRoleBinding(
        chart, "health-probes", role=health, subjects=[Subject.group("probes")]
    )
    objects = [widgets, monitoring, health, binding]
    assert objects == yaml_snapshot
    assert_schema_valid(objects, VERSIONS)
    # cluster-scoped: the chart's namespace is never stamped on them
    assert all("namespace" not in o.to_k8s()["metadata"] for o in objects)
    assert "rules" not in monitoring.to_k8s()  # the controller manager writes them


def test_service_account_and_grants_golden_yaml(app: App, yaml_snapshot: Any) -> None:
    chart = _team(app)
    deployer = ServiceAccount(chart, "ci-deployer")
    deployer.grant(write=["deployments.apps", "services", "configmaps"])
    deployer.grant(cluster_role="view", in_namespace="team-b")
    deployer.grant(read=["namespaces"], cluster_wide=True)
    readers = Grant(
        chart,
        "readers",
        subject=Subject.group("team-a-readers"),
        cluster_role=BuiltinClusterRole.VIEW,
    )
    objects = _objects(chart)
    assert objects == yaml_snapshot
    assert_schema_valid(objects, VERSIONS)
    assert deployer.to_k8s()["automountServiceAccountToken"] is False
    assert readers.role is None and readers.binding.namespace == "team-a"
    names = [(o.kind, o.name, o.namespace) for o in objects]
    assert ("ClusterRole", "team-a-ci-deployer", None) in names
    assert ("RoleBinding", "ci-deployer-in-team-b", "team-b") in names


def test_policy_rule_factories_fill_in_the_group() -> None:
    rules = PolicyRule.rules_of("deployments", "pods", "events.events.k8s.io", verbs=["get"])
    assert [(r.api_groups, r.resources) for r in rules] == [
        (("apps",), ("deployments",)),
        (("",), ("pods",)),
        (("events.k8s.io",), ("events",)),
    ]
    assert PolicyRule.read("events").api_groups == ("",)  # core first, as kubectl resolves
    assert PolicyRule.non_resource("/metrics").to_k8s() == {
        "nonResourceURLs": ["/metrics"],
        "verbs": ["get"],
    }


def test_policy_rule_of_refuses_two_groups_and_unknown_names() -> None:
    with pytest.raises(K8sDslError) as err:
        PolicyRule.of("deployments", "pods", verbs=["get"])
    assert [f.code for f in err.value.findings] == ["rbac/invalid-rule"]
    with pytest.raises(K8sDslError) as err:
        PolicyRule.read("confgmaps")
    (finding,) = err.value.findings
    assert finding.code == "rbac/unknown-resource"
    assert finding.hint == "did you mean 'configmaps'?"


def test_misspelt_resources_and_verbs_fail_at_the_users_line(app: App) -> None:
    chart = _team(app)
    with pytest.raises(K8sDslError) as err:
        Role(
            chart,
            "typos",
            rules=[
                PolicyRule(
                    api_groups=[""],
                    resources=["configmap", "pods/exex", "deployments"],
                    verbs=["lsit", "get"],
                )
            ],
        )
    found = {(f.code, f.path): f for f in err.value.findings}
    assert found[("rbac/unknown-resource", "rules[0].resources[0]")].hint == (
        "did you mean 'configmaps'?"
    )
    assert found[("rbac/unknown-resource", "rules[0].resources[1]")].hint == (
        "did you mean 'pods/exec'?"
    )
    assert "it is in 'apps'" in found[("rbac/unknown-resource", "rules[0].resources[2]")].message
    assert found[("rbac/unknown-verb", "rules[0].verbs[0]")].hint == "did you mean 'list'?"
    assert all(f.obj.source == "team/typos" for f in err.value.findings)


def test_refusals_of_the_api_server_are_caught_at_construction(app: App) -> None:
    chart = _team(app)
    with pytest.raises(K8sDslError) as err:
        Role(chart, "urls", rules=[PolicyRule.non_resource("/healthz")])
    assert [f.code for f in err.value.findings] == ["rbac/invalid-rule"]
    with pytest.raises(K8sDslError) as err:
        ClusterRoleBinding(chart, "b", role=RoleRef.role("x"), subjects=[Subject.user("u")])
    assert [(f.code, f.path) for f in err.value.findings] == [
        ("rbac/invalid-binding", "roleRef.kind")
    ]
    other = Role(chart, "elsewhere", rules=[PolicyRule.read("pods")], namespace="team-b")
    with pytest.raises(K8sDslError) as err:
        RoleBinding(chart, "b2", role=other, subjects=[Subject.user("u")])
    assert "namespace='team-b'" in err.value.findings[0].hint
    with pytest.raises(K8sDslError) as err:
        ClusterRole(chart, "agg", rules=[PolicyRule.read("pods")], aggregate_from=[])
    assert err.value.findings[0].code == "rbac/aggregated-rules"
    with pytest.raises(K8sDslError) as err:
        ClusterRole(chart, "agg2", rules=[PolicyRule.read("pods")], aggregate_to=["veiw"])
    assert err.value.findings[0].hint == "did you mean 'view'?"
    with pytest.raises(K8sDslError) as err:
        Grant(chart, "g", subject=Subject.user("u"), read=["pods"], cluster_role="view")
    assert err.value.findings[0].code == "rbac/grant"


def test_the_version_decides_what_exists() -> None:
    old, new = rbac_catalog("1.28"), rbac_catalog("1.37")
    assert not old.has("", "pods/resize") and new.has("", "pods/resize")  # 1.33
    assert not old.has("admissionregistration.k8s.io", "mutatingadmissionpolicies")
    assert new.has("admissionregistration.k8s.io", "mutatingadmissionpolicies")
    app = App(k8s_version="1.28")
    with pytest.raises(K8sDslError) as err:
        Role(
            _team(app),
            "r",
            rules=[PolicyRule(api_groups=[""], resources=["pods/resize"], verbs=["patch"])],
        )
    assert "no subresource 'resize' in Kubernetes 1.28" in err.value.findings[0].message


def test_catalog_facts_come_from_the_schemas() -> None:
    cat = rbac_catalog("1.35")
    assert cat.kind_of("networking.k8s.io", "networkpolicies") == "NetworkPolicy"
    assert cat.kind_of("", "endpoints") == "Endpoints"
    assert cat.groups_of("events") == ["", "events.k8s.io"]
    assert cat.has("apps", "deployments/status") and not cat.has("", "configmaps/status")
    assert cat.has("authorization.k8s.io", "subjectaccessreviews")  # create-only, no List
    assert cat.has("*", "*/scale") and cat.has("", "*")
    assert not cat.has("", "pods/*")  # the authorizer reads it literally
    assert not cat.has("", "statuses") and "apigroups" not in cat.all_resources("")
    # every written subresource belongs to a resource the schemas know
    for sub in SUBRESOURCES:
        assert cat.has(sub.group, sub.resource), sub
    assert [plural(k) for k in ("Ingress", "NetworkPolicy", "StorageClass", "Endpoints")] == [
        "ingresses",
        "networkpolicies",
        "storageclasses",
        "endpoints",
    ]


def test_exemptions_are_written_on_roles_and_bindings(app: App) -> None:
    chart = _team(app)
    sa = ServiceAccount(chart, "operator")
    grant = sa.grant(
        rules=[PolicyRule(api_groups=["example.com"], resources=["*"], verbs=["*"])],
        exemptions=[
            Exemption(control="rbac-wildcard", reason="the operator owns example.com"),
            Exemption(control="rbac-default-service-account", reason="unused here"),
        ],
    )
    assert grant.role is not None
    role_ann = grant.role.to_k8s()["metadata"]["annotations"]
    assert role_ann["k8sdsl.io/exemption.rbac-wildcard"] == "the operator owns example.com"
    assert role_ann["checkov.io/skip1"] == "CKV_K8S_49=the operator owns example.com"
    binding_ann = grant.binding.to_k8s()["metadata"]["annotations"]
    assert list(binding_ann) == ["k8sdsl.io/exemption.rbac-default-service-account"]
    report = app.check()
    assert [f.severity.value for f in report.findings if f.code == "rbac/wildcard"] == [
        "info",
        "info",
    ]
