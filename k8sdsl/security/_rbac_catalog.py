"""What RBAC rules may name in a target version: API groups, resources, subresources, verbs.

The API server takes any string in a Role's ``resources`` and ``verbs``: a rule for
``configmap`` (singular) or ``lsit`` is stored and grants nothing, and the workload fails at
run time with ``forbidden``. So k8sdsl knows the names of the target version and turns a
misspelling into a finding with a "did you mean".

Where each fact comes from:

* **Resources per API group** are derived from the official OpenAPI schemas of the target
  version that ship in the ``kubernetes-validate`` package (the same files the strict schema
  check loads): every kind with an ``x-kubernetes-group-version-kind`` that has a ``<Kind>List``
  is a listable resource; its resource name is the lowercase plural of the kind (the API
  server's rule: ``+s``, ``+es`` after s/x/ch/sh, ``y`` -> ``ies`` after a consonant; the only
  irregular built-in kind is ``Endpoints``). The create-only review kinds (TokenReview,
  SubjectAccessReview...), which have no list, are added from the same schemas.
* **``<resource>/status``** is derived from the same schemas: a resource kind whose schema has
  a ``status`` field serves the status subresource.
* **The other subresources** and the **virtual resources** RBAC names (``users`` to
  impersonate, ``signers`` to approve, the kubelet API's ``nodes/metrics``) are not in the
  schemas; they are written out below (:data:`SUBRESOURCES`, :data:`VIRTUAL_RESOURCES`) from
  the API server's discovery documents (``kubectl get --raw /api/v1``, ``/apis/apps/v1``),
  the RBAC reference ("Referring to resources", "Privilege escalation prevention"), the
  kubelet authorization page and the certificate-signing page, with the version that added
  each.
* **Verbs** come from the authorization overview ("Determine the request verb") and the RBAC
  page (``use``, ``bind``, ``escalate``, ``impersonate``, ``approve``, ``sign``, ``attest``).
* **Built-in ClusterRoles** come from the RBAC page ("Default roles and role bindings"):
  ``cluster-admin``, ``admin``, ``edit``, ``view``, and every ``system:`` role, a prefix the
  API server reserves for its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from k8sdsl._schema import schemas_for

#: the verbs of requests to resources (``get``, ``list``...), in the documented order
RESOURCE_VERBS: tuple[str, ...] = (
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
)

#: verbs the authorizer checks for special purposes, and what they guard
SPECIAL_VERBS: Mapping[str, str] = {
    "use": "podsecuritypolicies (removed in 1.25) and other admission-checked use",
    "bind": "binding a role without holding its permissions (roles, clusterroles)",
    "escalate": "writing a role with permissions one does not hold (roles, clusterroles)",
    "impersonate": "acting as another user, group or service account",
    "approve": "approving CertificateSigningRequests for a signer (signers)",
    "sign": "signing CertificateSigningRequests for a signer (signers)",
    "attest": "ClusterTrustBundles for a signer (signers)",
}

#: verbs of requests to non-resource URLs: the lowercase HTTP method
NON_RESOURCE_VERBS: tuple[str, ...] = ("get", "head", "options", "post", "put", "patch", "delete")

#: the verbs a read grant gives: what ``kubectl get -w`` needs and no more
READ_VERBS: tuple[str, ...] = ("get", "list", "watch")
#: the verbs a write grant gives (reading too: an update without a get is unusable)
WRITE_VERBS: tuple[str, ...] = (*READ_VERBS, "create", "update", "patch", "delete")

#: the API group of RBAC (Role, ClusterRole and their bindings)
RBAC_GROUP = "rbac.authorization.k8s.io"
RBAC_API_VERSION = f"{RBAC_GROUP}/v1"
#: a ClusterRole with this label set to "true" is aggregated into the built-in role ``<name>``
AGGREGATE_TO_PREFIX = f"{RBAC_GROUP}/aggregate-to-"

#: the groups that mean "everyone": binding to them grants the whole world (or every account)
PUBLIC_GROUPS: tuple[str, ...] = (
    "system:anonymous",
    "system:unauthenticated",
    "system:authenticated",
)
#: the user of requests without credentials (when anonymous auth is on)
ANONYMOUS_USER = "system:anonymous"


class BuiltinClusterRole(StrEnum):
    """The user-facing ClusterRoles every cluster has (RBAC "Default roles").

    ``view`` reads most objects in a namespace but not Secrets, Roles or bindings; ``edit``
    also writes them and reads Secrets (so it can run pods as any service account there);
    ``admin`` also manages Roles and RoleBindings of the namespace; ``cluster-admin`` is
    everything, everywhere (a superuser).
    """

    VIEW = "view"
    EDIT = "edit"
    ADMIN = "admin"
    CLUSTER_ADMIN = "cluster-admin"


#: roles whose names the aggregation labels may name (``aggregate-to-view: "true"``)
AGGREGATION_TARGETS: tuple[str, ...] = ("view", "edit", "admin")


def is_builtin_cluster_role(name: str) -> bool:
    """A ClusterRole every cluster has: the four user-facing ones and every ``system:`` one."""
    return name in {r.value for r in BuiltinClusterRole} or name.startswith("system:")


@dataclass(frozen=True, slots=True)
class Subresource:
    """A subresource RBAC can name (``pods/exec``), where the fact comes from and since when."""

    resource: str
    name: str
    group: str = ""
    since: int = 0  # minor version; 0: older than every supported version
    source: str = "API discovery"


_CORE = "API discovery (kubectl get --raw /api/v1)"
_APPS = "API discovery (kubectl get --raw /apis/apps/v1)"
_KUBELET = "kubelet authentication/authorization (resource nodes, subresource by path)"

#: subresources beyond ``/status`` (which the schemas tell), written out from discovery
SUBRESOURCES: tuple[Subresource, ...] = (
    Subresource("pods", "attach", source=_CORE),
    Subresource("pods", "binding", source=_CORE),
    Subresource("pods", "ephemeralcontainers", source=_CORE),
    Subresource("pods", "eviction", source=_CORE),
    Subresource("pods", "exec", source=_CORE),
    Subresource("pods", "log", source=_CORE),
    Subresource("pods", "portforward", source=_CORE),
    Subresource("pods", "proxy", source=_CORE),
    Subresource("pods", "resize", since=33, source=f"{_CORE}; in-place pod resize, 1.33"),
    Subresource("nodes", "proxy", source=_CORE),
    Subresource("services", "proxy", source=_CORE),
    Subresource("serviceaccounts", "token", source=_CORE),
    Subresource("namespaces", "finalize", source=_CORE),
    Subresource("replicationcontrollers", "scale", source=_CORE),
    Subresource("deployments", "scale", "apps", source=_APPS),
    Subresource("replicasets", "scale", "apps", source=_APPS),
    Subresource("statefulsets", "scale", "apps", source=_APPS),
    Subresource(
        "certificatesigningrequests",
        "approval",
        "certificates.k8s.io",
        source="API discovery (kubectl get --raw /apis/certificates.k8s.io/v1)",
    ),
    # the kubelet API authorizes its paths as subresources of nodes
    *(
        Subresource("nodes", name, source=_KUBELET)
        for name in ("configz", "healthz", "log", "metrics", "pods", "spec", "stats")
    ),
)


@dataclass(frozen=True, slots=True)
class VirtualResource:
    """A resource RBAC rules name that is not an object kind (``users`` to impersonate)."""

    group: str
    name: str
    source: str


_IMPERSONATE = "RBAC reference, 'User impersonation' (authentication page)"
VIRTUAL_RESOURCES: tuple[VirtualResource, ...] = (
    VirtualResource("", "users", _IMPERSONATE),
    VirtualResource("", "groups", _IMPERSONATE),
    VirtualResource("authentication.k8s.io", "uids", _IMPERSONATE),
    VirtualResource("authentication.k8s.io", "userextras", _IMPERSONATE),
    VirtualResource(
        "certificates.k8s.io", "signers", "certificate signing requests page, 'Authorization'"
    ),
)

#: kinds in the schemas that are not resources of their own (subresource bodies, meta kinds)
_NOT_RESOURCES = frozenset(
    {"APIGroup", "APIVersions", "DeleteOptions", "Eviction", "Scale", "Status", "TokenRequest"}
)
#: create-only kinds without a List (reviews): resources all the same
_REVIEW = re.compile(r".*(Review)$")
_IRREGULAR_PLURALS = {"Endpoints": "endpoints"}


def plural(kind: str) -> str:
    """The resource name of a kind, as the API server derives it (``NetworkPolicy`` ->
    ``networkpolicies``, ``Ingress`` -> ``ingresses``, ``Endpoints`` -> ``endpoints``)."""
    if kind in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[kind]
    lower = kind.lower()
    if lower.endswith(("s", "x", "ch", "sh")):
        return lower + "es"
    if lower.endswith("y") and lower[-2:-1] not in ("a", "e", "i", "o", "u"):
        return lower[:-1] + "ies"
    return lower + "s"


@dataclass(frozen=True)
class RbacCatalog:
    """The groups, resources and subresources of one Kubernetes version."""

    version: str
    #: group -> resource -> the kind it serves ("" for virtual resources)
    resources: Mapping[str, Mapping[str, str]]
    #: (group, resource) -> its subresources
    subresources: Mapping[tuple[str, str], frozenset[str]]

    @property
    def groups(self) -> frozenset[str]:
        return frozenset(self.resources)

    def groups_of(self, resource: str) -> list[str]:
        """The groups that serve ``resource`` (``events`` is in ``""`` and ``events.k8s.io``)."""
        return sorted(g for g, names in self.resources.items() if resource in names)

    def has(self, group: str, resource: str) -> bool:
        """Whether ``group`` serves ``resource`` (``pods``, ``pods/exec``). ``*`` and
        ``*/<subresource>`` match as the authorizer matches them; ``pods/*`` is no pattern to
        the authorizer (it matches only a subresource named ``*``), so it is not served."""
        base, _, sub = resource.partition("/")
        if resource == "*":
            return True
        groups = sorted(self.resources) if group == "*" else [group]
        for g in groups:
            names = self.resources.get(g, {})
            bases = list(names) if base == "*" else [base] if base in names else []
            for b in bases:
                if not sub or sub in self.subresources.get((g, b), frozenset()):
                    return True
        return False

    def all_resources(self, group: str) -> list[str]:
        """Every resource and subresource of ``group`` (or of every group, for ``*``)."""
        groups = sorted(self.resources) if group == "*" else [group]
        out: set[str] = set()
        for g in groups:
            for name in self.resources.get(g, {}):
                out.add(name)
                out.update(f"{name}/{s}" for s in self.subresources.get((g, name), ()))
        return sorted(out)

    def kind_of(self, group: str, resource: str) -> str | None:
        return self.resources.get(group, {}).get(resource) or None


@cache
def rbac_catalog(version: str) -> RbacCatalog:
    """The catalog of ``version`` (``1.35``), built once from its official schemas."""
    defs = schemas_for(version).defs["$defs"]
    minor = int(version.split(".")[1])
    kinds: dict[tuple[str, str], dict[str, object]] = {}
    for schema in defs.values():
        for gvk in schema.get("x-kubernetes-group-version-kind") or ():
            kinds.setdefault((gvk["group"], gvk["kind"]), schema)
    resources: dict[str, dict[str, str]] = {}
    subresources: dict[tuple[str, str], set[str]] = {}
    for (group, kind), schema in sorted(kinds.items()):
        if kind in _NOT_RESOURCES or kind.endswith("List") and (group, kind[:-4]) in kinds:
            continue
        listable = (group, f"{kind}List") in kinds
        if not (listable or _REVIEW.match(kind) or (group, kind) == ("", "Binding")):
            continue
        name = plural(kind)
        resources.setdefault(group, {})[name] = kind
        properties = schema.get("properties")
        if listable and isinstance(properties, dict) and "status" in properties:
            subresources.setdefault((group, name), set()).add("status")
    for sub in SUBRESOURCES:
        if minor >= sub.since and sub.resource in resources.get(sub.group, {}):
            subresources.setdefault((sub.group, sub.resource), set()).add(sub.name)
    for virtual in VIRTUAL_RESOURCES:
        resources.setdefault(virtual.group, {}).setdefault(virtual.name, "")
    return RbacCatalog(
        version,
        {g: dict(sorted(r.items())) for g, r in sorted(resources.items())},
        {k: frozenset(v) for k, v in sorted(subresources.items())},
    )


__all__ = [
    "AGGREGATE_TO_PREFIX",
    "AGGREGATION_TARGETS",
    "ANONYMOUS_USER",
    "BuiltinClusterRole",
    "NON_RESOURCE_VERBS",
    "PUBLIC_GROUPS",
    "RBAC_API_VERSION",
    "RBAC_GROUP",
    "READ_VERBS",
    "RESOURCE_VERBS",
    "RbacCatalog",
    "SPECIAL_VERBS",
    "SUBRESOURCES",
    "Subresource",
    "VIRTUAL_RESOURCES",
    "VirtualResource",
    "WRITE_VERBS",
    "is_builtin_cluster_role",
    "plural",
    "rbac_catalog",
]
