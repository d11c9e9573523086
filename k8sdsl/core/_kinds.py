"""Facts about Kubernetes kinds that every layer needs: which kinds are cluster-scoped."""

from __future__ import annotations

#: Kinds that live outside any namespace (``kubectl api-resources --namespaced=false``).
#: A chart's namespace is never stamped onto these: the API server would reject or ignore it
#: and a reviewer of dist/ would be misled about where the object lives.
CLUSTER_SCOPED_KINDS: frozenset[str] = frozenset(
    {
        "APIService",
        "CertificateSigningRequest",
        "ClusterRole",
        "ClusterRoleBinding",
        "ClusterTrustBundle",
        "ComponentStatus",
        "CSIDriver",
        "CSINode",
        "CustomResourceDefinition",
        "DeviceClass",
        "DeviceTaintRule",
        "FlowSchema",
        "IngressClass",
        "IPAddress",
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PodSecurityPolicy",
        "PriorityClass",
        "PriorityLevelConfiguration",
        "ResourceSlice",
        "RuntimeClass",
        "SelfSubjectAccessReview",
        "SelfSubjectReview",
        "SelfSubjectRulesReview",
        "ServiceCIDR",
        "StorageClass",
        "StorageVersion",
        "StorageVersionMigration",
        "SubjectAccessReview",
        "TokenReview",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
        "VolumeAttributesClass",
        # Calico's cluster-scoped custom resources (their CRDs' scope: Cluster), which
        # k8sdsl validates (k8sdsl/crd_schemas)
        "FelixConfiguration",
        "GlobalNetworkPolicy",
        "IPPool",
        # the External Secrets Operator's store for every namespace
        "ClusterSecretStore",
        # cert-manager's (k8sdsl/crd_schemas)
        "ClusterIssuer",
    }
)


def is_namespaced(kind: str) -> bool:
    """True for kinds that belong in a namespace (custom kinds are assumed namespaced)."""
    return kind not in CLUSTER_SCOPED_KINDS
