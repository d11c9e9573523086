"""Access control for a team namespace: least-privilege service accounts, a read-only group
and a CI deployer that can change its namespace and nothing else.

The notes' authorization chapter, applied: every identity gets a Role with the verbs and
resources it uses (no ``*``, no Secrets beyond the one it needs, no ``create pods``), bound in
the team's namespace only, and service accounts get no API token in their pods unless a pod
asks for one. The readers get the built-in ``view`` ClusterRole through a RoleBinding, so
they see the team's namespace and no other.

The nodes' side of the same chapter: every node pool's kubelet gets a configuration file
(``dist/nodes/<pool>/kubelet-config.yaml``) that refuses anonymous requests, checks bearer
tokens and client certificates, asks the API server to authorize every request and closes the
read-only port. The API server lets anonymous requests reach its health endpoints only
(``dist/control-plane/authentication-config.yaml``), gets its authorization chain (Node, then RBAC:
``dist/control-plane/authorization-config.yaml``) and Pod Security Admission's cluster defaults
(restricted, kube-system exempt: ``dist/control-plane/admission-config.yaml``).
docs/access.md says how each file reaches its node.
"""

from __future__ import annotations

from k8sdsl import App, Chart, ConfigFile, Namespace
from k8sdsl.security import (
    AdmissionConfiguration,
    AuthenticationConfiguration,
    AuthorizationConfiguration,
    BuiltinClusterRole,
    Grant,
    KubeletConfiguration,
    PolicyRule,
    ServiceAccount,
    Subject,
)

NAMESPACE = "team-a"
#: the node pools and what differs between their kubelets: the batch pool runs more,
#: smaller pods
NODE_POOLS: dict[str, int] = {"general": 110, "batch": 250}


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

    # the kubelet of every node pool, hardened by KubeletConfiguration's defaults; the rest
    # is what kubeadm writes for a containerd node with the default service range
    for pool, max_pods in NODE_POOLS.items():
        ConfigFile(
            chart,
            f"kubelet-{pool}",
            path=f"nodes/{pool}/kubelet-config.yaml",
            document=KubeletConfiguration(
                cgroup_driver="systemd",
                cluster_dns=("10.96.0.10",),
                cluster_domain="cluster.local",
                container_runtime_endpoint="unix:///run/containerd/containerd.sock",
                static_pod_path="/etc/kubernetes/manifests",
                max_pods=max_pods,
                seccomp_default=True,
            ),
        )
    # the API server's side: anonymous requests to the health endpoints only, Node then RBAC,
    # and restricted pods wherever a namespace does not say otherwise
    ConfigFile(
        chart,
        "authentication",
        path="control-plane/authentication-config.yaml",
        document=AuthenticationConfiguration(),
    )
    ConfigFile(
        chart,
        "authorization",
        path="control-plane/authorization-config.yaml",
        document=AuthorizationConfiguration(),
    )
    ConfigFile(
        chart,
        "admission",
        path="control-plane/admission-config.yaml",
        document=AdmissionConfiguration(),
    )
