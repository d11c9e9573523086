"""API versions that Kubernetes has removed, and what replaced them.

From the Kubernetes deprecated API migration guide (kubernetes.io/docs/reference/using-api/
deprecation-guide/). An object of a removed apiVersion is refused by the API server of that
version and later ("no matches for kind ... in version ..."), so ``k8sdsl check`` reports it
as an error for such a target, with the apiVersion to use.
"""

from __future__ import annotations

from typing import NamedTuple

from k8sdsl.core._versions import K8sVersion


class RemovedApi(NamedTuple):
    api_version: str
    kind: str
    removed_in: str
    #: the apiVersion to use instead ("" when the kind itself is gone)
    replacement: str
    note: str = ""


def _group(
    api_version: str, removed_in: str, replacement: str, *kinds: str, note: str = ""
) -> list[RemovedApi]:
    return [RemovedApi(api_version, kind, removed_in, replacement, note) for kind in kinds]


_TABLE: list[RemovedApi] = [
    # 1.16
    *_group("extensions/v1beta1", "1.16", "apps/v1", "DaemonSet", "Deployment", "ReplicaSet"),
    *_group("extensions/v1beta1", "1.16", "networking.k8s.io/v1", "NetworkPolicy"),
    *_group("apps/v1beta1", "1.16", "apps/v1", "Deployment", "StatefulSet", "ReplicaSet"),
    *_group(
        "apps/v1beta2", "1.16", "apps/v1", "DaemonSet", "Deployment", "StatefulSet", "ReplicaSet"
    ),
    # 1.22
    *_group("extensions/v1beta1", "1.22", "networking.k8s.io/v1", "Ingress"),
    *_group("networking.k8s.io/v1beta1", "1.22", "networking.k8s.io/v1", "Ingress", "IngressClass"),
    *_group(
        "rbac.authorization.k8s.io/v1beta1",
        "1.22",
        "rbac.authorization.k8s.io/v1",
        "ClusterRole",
        "ClusterRoleBinding",
        "Role",
        "RoleBinding",
    ),
    *_group(
        "admissionregistration.k8s.io/v1beta1",
        "1.22",
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
    ),
    *_group(
        "apiextensions.k8s.io/v1beta1",
        "1.22",
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
    ),
    *_group("apiregistration.k8s.io/v1beta1", "1.22", "apiregistration.k8s.io/v1", "APIService"),
    *_group("authentication.k8s.io/v1beta1", "1.22", "authentication.k8s.io/v1", "TokenReview"),
    *_group(
        "authorization.k8s.io/v1beta1",
        "1.22",
        "authorization.k8s.io/v1",
        "LocalSubjectAccessReview",
        "SelfSubjectAccessReview",
        "SelfSubjectRulesReview",
        "SubjectAccessReview",
    ),
    *_group(
        "certificates.k8s.io/v1beta1",
        "1.22",
        "certificates.k8s.io/v1",
        "CertificateSigningRequest",
    ),
    *_group("coordination.k8s.io/v1beta1", "1.22", "coordination.k8s.io/v1", "Lease"),
    *_group(
        "storage.k8s.io/v1beta1",
        "1.22",
        "storage.k8s.io/v1",
        "CSIDriver",
        "CSINode",
        "StorageClass",
        "VolumeAttachment",
    ),
    *_group("scheduling.k8s.io/v1beta1", "1.22", "scheduling.k8s.io/v1", "PriorityClass"),
    # 1.25
    *_group("batch/v1beta1", "1.25", "batch/v1", "CronJob"),
    *_group("discovery.k8s.io/v1beta1", "1.25", "discovery.k8s.io/v1", "EndpointSlice"),
    *_group("events.k8s.io/v1beta1", "1.25", "events.k8s.io/v1", "Event"),
    *_group("autoscaling/v2beta1", "1.25", "autoscaling/v2", "HorizontalPodAutoscaler"),
    *_group("policy/v1beta1", "1.25", "policy/v1", "PodDisruptionBudget"),
    *_group(
        "policy/v1beta1",
        "1.25",
        "",
        "PodSecurityPolicy",
        note="PodSecurityPolicy is gone: label the namespace for Pod Security admission "
        "(pod-security.kubernetes.io/enforce) or use a ValidatingAdmissionPolicy",
    ),
    *_group("node.k8s.io/v1beta1", "1.25", "node.k8s.io/v1", "RuntimeClass"),
    # 1.26
    *_group("autoscaling/v2beta2", "1.26", "autoscaling/v2", "HorizontalPodAutoscaler"),
    *_group(
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "1.26",
        "flowcontrol.apiserver.k8s.io/v1",
        "FlowSchema",
        "PriorityLevelConfiguration",
    ),
    # 1.27
    *_group("storage.k8s.io/v1beta1", "1.27", "storage.k8s.io/v1", "CSIStorageCapacity"),
    # 1.29
    *_group(
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "1.29",
        "flowcontrol.apiserver.k8s.io/v1",
        "FlowSchema",
        "PriorityLevelConfiguration",
    ),
    # 1.32
    *_group(
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "1.32",
        "flowcontrol.apiserver.k8s.io/v1",
        "FlowSchema",
        "PriorityLevelConfiguration",
    ),
]

REMOVED_APIS: dict[tuple[str, str], RemovedApi] = {(r.api_version, r.kind): r for r in _TABLE}


def removed_api(api_version: str, kind: str, target: K8sVersion) -> RemovedApi | None:
    """The removal of ``api_version`` ``kind`` if the ``target`` version no longer serves it."""
    found = REMOVED_APIS.get((api_version, kind))
    if found is None or K8sVersion(found.removed_in) > target:
        return None
    return found
