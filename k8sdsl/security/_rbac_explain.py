"""Who can do what: RBAC's authorizer applied to Kubernetes dicts, for ``k8sdsl explain rbac``.

The semantics are the RBAC authorizer's (``rbac.authorization.k8s.io/v1``):

* permissions only add up; there are no deny rules;
* a RoleBinding grants its role's rules in the binding's namespace (a Role of that namespace,
  or a ClusterRole); a ClusterRoleBinding grants a ClusterRole's rules in every namespace and
  on cluster-scoped objects;
* a rule matches when its verbs hold the verb or ``*``, its apiGroups the group or ``*``, and
  its resources the resource (``pods/exec`` for a subresource), ``*``, or ``*/<subresource>``
  (``pods/*`` matches nothing: the authorizer does not read it as a pattern);
  ``resourceNames`` narrow a rule to requests for those names (so never to ``list`` or
  ``create`` of a collection);
* an aggregated ClusterRole has the rules of every ClusterRole its selectors match;
* a ServiceAccount ``ns/name`` is the user ``system:serviceaccount:ns:name`` in the groups
  ``system:serviceaccounts``, ``system:serviceaccounts:ns`` and ``system:authenticated``;
  every authenticated user is in ``system:authenticated``.

``cluster-admin`` is known to grant everything. The rules of the other built-in roles
(``view``, ``edit``, ``admin``, ``system:*``) are not in the files, so a grant through them
is listed as not evaluated, with any rules the files aggregate into them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from k8sdsl.core._manifest import Manifest
from k8sdsl.core._selectors import LabelSelector
from k8sdsl.security._rbac_catalog import (
    AGGREGATE_TO_PREFIX,
    AGGREGATION_TARGETS,
    BuiltinClusterRole,
    is_builtin_cluster_role,
)

_RBAC = "rbac.authorization.k8s.io/"


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


@dataclass(frozen=True)
class Request:
    """What is asked: ``verb`` on ``resource`` (``pods``, ``pods/exec``) of ``group``,
    optionally one object ``name`` and a ``namespace`` (None: any namespace)."""

    verb: str
    group: str
    resource: str
    name: str | None = None
    namespace: str | None = None

    @classmethod
    def parse(cls, verb: str, resource: str, *, namespace: str | None = None) -> Request:
        """``deployments.apps``, ``pods/exec``, ``deployments.apps/scale``, ``secrets/app-tls``
        is not a name (use ``name=``): the part after ``/`` is a subresource, as in RBAC."""
        base, slash, sub = resource.partition("/")
        plain, _, group = base.partition(".")
        return cls(verb, group, f"{plain}{slash}{sub}", None, namespace)

    @property
    def text(self) -> str:
        base, slash, sub = self.resource.partition("/")
        group = f".{self.group}" if self.group else ""
        return f"{self.verb} {base}{group}{slash}{sub}"


@dataclass(frozen=True)
class Identity:
    kind: str
    name: str
    namespace: str | None = None

    @classmethod
    def parse(cls, text: str) -> Identity:
        """``User:jane``, ``Group:team``, ``ServiceAccount:ns:name``, or the user name of a
        service account, ``system:serviceaccount:ns:name``; a bare name is a User."""
        if text.startswith("system:serviceaccount:") and text.count(":") == 3:
            _, _, ns, name = text.split(":")
            return cls("ServiceAccount", name, ns)
        kind, sep, rest = text.partition(":")
        if sep and kind in ("User", "Group"):
            return cls(kind, rest)
        if sep and kind == "ServiceAccount" and ":" in rest:
            ns, _, name = rest.partition(":")
            return cls("ServiceAccount", name, ns)
        return cls("User", text)

    @property
    def text(self) -> str:
        if self.kind == "ServiceAccount":
            return f"ServiceAccount {self.namespace}/{self.name}"
        return f"{self.kind} {self.name}"

    def identities(self) -> set[tuple[str, str, str | None]]:
        """Every subject entry of a binding that applies to this subject."""
        out: set[tuple[str, str, str | None]] = {(self.kind, self.name, self.namespace)}
        if self.kind == "ServiceAccount":
            out |= {
                ("User", f"system:serviceaccount:{self.namespace}:{self.name}", None),
                ("Group", "system:serviceaccounts", None),
                ("Group", f"system:serviceaccounts:{self.namespace}", None),
            }
        if self.kind != "Group" and self.name != "system:anonymous":
            out.add(("Group", "system:authenticated", None))
        return out


@dataclass(frozen=True)
class Access:
    """One way a subject holds the permission: the binding, the role, the rule."""

    subject: Identity
    scope: str  # a namespace, or "*" for every namespace
    binding: str
    role: str
    rule: str  # "rules[2]", "every rule (built-in)" or "not evaluated"
    only_names: tuple[str, ...] = ()
    evaluated: bool = True

    def line(self) -> str:
        where = "in every namespace" if self.scope == "*" else f"in {self.scope}"
        names = f" (only {', '.join(self.only_names)})" if self.only_names else ""
        return f"{self.subject.text}  {where}{names}  via {self.binding} -> {self.role} {self.rule}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": {
                "kind": self.subject.kind,
                "name": self.subject.name,
                "namespace": self.subject.namespace,
            },
            "scope": self.scope,
            "binding": self.binding,
            "role": self.role,
            "rule": self.rule,
            "onlyNames": list(self.only_names),
            "evaluated": self.evaluated,
        }


def rule_matches(rule: dict[str, Any], request: Request) -> tuple[bool, tuple[str, ...]]:
    """Whether ``rule`` grants ``request`` (and, when it holds only for some names, which)."""
    verbs = _strings(rule.get("verbs"))
    if request.verb not in verbs and "*" not in verbs:
        return False, ()
    groups = _strings(rule.get("apiGroups"))
    if request.group not in groups and "*" not in groups:
        return False, ()
    sub = request.resource.partition("/")[2]
    matched = False
    for r in _strings(rule.get("resources")):
        if r in ("*", request.resource) or (sub and r == f"*/{sub}"):
            matched = True
            break
    if not matched:
        return False, ()
    names = tuple(_strings(rule.get("resourceNames")))
    if names:
        if request.name is not None:
            return request.name in names, ()
        return True, names
    return True, ()


class RbacModel:
    """The roles and bindings of a set of objects."""

    def __init__(self, manifests: Sequence[Manifest]) -> None:
        self.roles: dict[tuple[str, str | None, str], Manifest] = {}
        self.bindings: list[Manifest] = []
        for m in manifests:
            if not m.api_version.startswith(_RBAC):
                continue
            if m.kind == "Role":
                self.roles[("Role", m.namespace, m.name)] = m
            elif m.kind == "ClusterRole":
                self.roles[("ClusterRole", None, m.name)] = m
            elif m.kind in ("RoleBinding", "ClusterRoleBinding"):
                self.bindings.append(m)
        self.bindings.sort(key=lambda b: (b.kind, b.namespace or "", b.name))

    def _cluster_roles(self) -> Iterator[Manifest]:
        for (kind, _, _), m in sorted(self.roles.items(), key=lambda i: i[0][2]):
            if kind == "ClusterRole":
                yield m

    def rules_of(self, role: Manifest) -> list[tuple[str, dict[str, Any]]]:
        """The role's rules with where each comes from (aggregated ones included)."""
        out = [
            (f"rules[{i}]", r)
            for i, r in enumerate(role.obj.get("rules") or [])
            if isinstance(r, dict)
        ]
        selectors = _d(role.obj.get("aggregationRule")).get("clusterRoleSelectors")
        for selector in selectors if isinstance(selectors, list) else []:
            try:
                sel = LabelSelector.from_k8s(_d(selector))
            except Exception:  # noqa: BLE001 - a malformed selector matches nothing
                continue
            for other in self._cluster_roles():
                if other is not role and sel.matches(other.labels):
                    out.extend(
                        (f"ClusterRole {other.name} rules[{i}] (aggregated)", r)
                        for i, r in enumerate(other.obj.get("rules") or [])
                        if isinstance(r, dict)
                    )
        return out

    def _aggregated_into(self, builtin: str) -> list[tuple[str, dict[str, Any]]]:
        label = f"{AGGREGATE_TO_PREFIX}{builtin}"
        out: list[tuple[str, dict[str, Any]]] = []
        for other in self._cluster_roles():
            if other.labels.get(label) == "true":
                out.extend(
                    (f"ClusterRole {other.name} rules[{i}] (aggregated)", r)
                    for i, r in enumerate(other.obj.get("rules") or [])
                    if isinstance(r, dict)
                )
        return out

    def who_can(self, request: Request, subject: Identity | None = None) -> list[Access]:
        """Every grant of ``request`` (to ``subject``, when given), in a stable order."""
        wanted = subject.identities() if subject is not None else None
        grants: list[Access] = []
        for b in self.bindings:
            scope = "*" if b.kind == "ClusterRoleBinding" else (b.namespace or "default")
            if request.namespace is not None and scope not in ("*", request.namespace):
                continue
            ref = _d(b.obj.get("roleRef"))
            ref_kind, ref_name = ref.get("kind"), ref.get("name")
            if ref_kind not in ("Role", "ClusterRole") or not isinstance(ref_name, str):
                continue
            if ref_kind == "Role" and b.kind == "ClusterRoleBinding":
                continue  # the API server refuses it
            binding = f"{b.kind} {b.namespace + '/' if b.namespace else ''}{b.name}"
            role_text = f"{ref_kind} {ref_name}"
            role = self.roles.get((ref_kind, b.namespace if ref_kind == "Role" else None, ref_name))
            matches: list[tuple[str, tuple[str, ...], bool]] = []
            if role is not None:
                for where, r in self.rules_of(role):
                    ok, names = rule_matches(r, request)
                    if ok:
                        matches.append((where, names, True))
            elif ref_kind == "ClusterRole" and ref_name == BuiltinClusterRole.CLUSTER_ADMIN:
                matches.append(("(built-in: every verb on everything)", (), True))
            elif ref_kind == "ClusterRole" and is_builtin_cluster_role(ref_name):
                extra = self._aggregated_into(ref_name) if ref_name in AGGREGATION_TARGETS else []
                for where, r in extra:
                    ok, names = rule_matches(r, request)
                    if ok:
                        matches.append((where, names, True))
                if not matches:
                    matches.append(("(built-in: rules not in the files, not evaluated)", (), False))
            for s in b.obj.get("subjects") or []:
                s = _d(s)
                kind, name = s.get("kind"), s.get("name")
                if not isinstance(kind, str) or not isinstance(name, str):
                    continue
                ns = s.get("namespace") or (b.namespace if kind == "ServiceAccount" else None)
                subj = Identity(kind, name, ns if kind == "ServiceAccount" else None)
                if wanted is not None and (subj.kind, subj.name, subj.namespace) not in wanted:
                    continue
                shown = subject if subject is not None else subj
                for where, names, evaluated in matches:
                    grants.append(Access(shown, scope, binding, role_text, where, names, evaluated))
        return grants


def explain_text(request: Request, grants: list[Access], subject: Identity | None) -> str:
    where = f"in {request.namespace}" if request.namespace else "in any namespace"
    granted = [g for g in grants if g.evaluated]
    unknown = [g for g in grants if not g.evaluated]
    lines: list[str] = []
    if subject is not None:
        verdict = (
            "yes"
            if granted
            else "unknown: only through built-in roles whose rules are not in the files"
            if unknown
            else "no"
        )
        lines.append(f"Can {subject.text} {request.text} ({where})? {verdict}")
    else:
        lines.append(f"Who can {request.text} ({where}):")
        if not granted:
            lines.append("  nobody, by the roles and bindings in the files")
    lines.extend(f"  {g.line()}" for g in granted)
    if unknown:
        lines.append("Not evaluated (bound to built-in roles whose rules are not in the files):")
        lines.extend(f"  {g.line()}" for g in unknown)
    return "\n".join(lines)


__all__ = ["Access", "Identity", "RbacModel", "Request", "explain_text", "rule_matches"]
