"""Access control for a team namespace: least-privilege service accounts, a read-only group
and a CI deployer that can change its namespace and nothing else.

The notes' authorization chapter, applied: every identity gets a Role with the verbs and
resources it uses (no ``*``, no Secrets beyond the one it needs, no ``create pods``), bound in
the team's namespace only, and service accounts get no API token in their pods unless a pod
asks for one. The readers get the built-in ``view`` ClusterRole through a RoleBinding, so
they see the team's namespace and no other.
"""

from __future__ import annotations

from k8sdsl import App, Chart, Namespace
from k8sdsl.security import BuiltinClusterRole, Grant, PolicyRule, ServiceAccount, Subject

NAMESPACE = "team-a"


def build(app: App) -> None:
    chart = Chart(
        app, "access-control", namespace=NAMESPACE, labels={"app.kubernetes.io/part-of": "team-a"}
    )
    Namespace(
        chart,
        NAMESPACE,
        labels={
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": f"v{chart.k8s_version}",
        },
    )
    # the team's API server reads its settings and its own TLS Secret, nothing else
    api = ServiceAccount(chart, "api")
    api.grant(
        read=["configmaps"],
        rules=[PolicyRule.of("secrets", verbs=["get"], resource_names=["api-tls"])],
    )
    # CI rolls out the team's workloads: it writes Deployments, Services and ConfigMaps and
    # reads what ``kubectl rollout status`` and its logs need; it cannot create pods itself,
    # exec into them, read Secrets or touch RBAC, and it has no rights in other namespaces
    deployer = ServiceAccount(chart, "ci-deployer")
    deployer.grant(
        write=["deployments.apps", "services", "configmaps"],
        read=["replicasets.apps", "pods", "pods/log", "events"],
    )
    # people who may look but not touch: the built-in view role, in this namespace only
    Grant(
        chart,
        "readers",
        subject=Subject.group("team-a-readers"),
        cluster_role=BuiltinClusterRole.VIEW,
    )
