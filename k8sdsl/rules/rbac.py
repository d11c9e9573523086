"""RBAC rules: roles that grant more than they seem to, bindings to the wrong people, and
names that grant nothing.

The API server checks the shape of a Role, not its sense: it stores ``verbs: ["*"]``, a
binding of ``cluster-admin`` to ``system:authenticated`` and a rule for ``configmap``
(singular) alike. These rules judge the sense. A role or binding that must stay wide records
why with an exemption (``k8sdsl.io/exemption.rbac-wildcard: <reason>``), and the finding
becomes a note that quotes the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from k8sdsl.core._findings import Finding
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._suggest import suggest
from k8sdsl.rules._registry import RuleContext, rule
from k8sdsl.security._exemptions import EXEMPTION_PREFIX, Control, exemption_reason
from k8sdsl.security._rbac_catalog import (
    AGGREGATE_TO_PREFIX,
    AGGREGATION_TARGETS,
    ANONYMOUS_USER,
    PUBLIC_GROUPS,
    BuiltinClusterRole,
    is_builtin_cluster_role,
)
from k8sdsl.security._rbac_checks import binding_problems, policy_rule_problems

_ROLES = ("Role", "ClusterRole")
_BINDINGS = ("RoleBinding", "ClusterRoleBinding")


def _rbac(ctx: RuleContext, kinds: tuple[str, ...]) -> Iterator[Manifest]:
    for m in ctx.of_kind(*kinds):
        if m.api_version.startswith("rbac.authorization.k8s.io/"):
            yield m


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _rules(m: Manifest) -> Iterator[tuple[str, dict[str, Any]]]:
    rules = m.obj.get("rules")
    for i, r in enumerate(rules if isinstance(rules, list) else []):
        if isinstance(r, dict):
            yield f"rules[{i}]", r


def _judged(
    m: Manifest, control: Control, code: str, path: str, message: str, hint: str, severity: str
) -> Finding:
    """An error or warning, or a note quoting the written exemption for ``control``."""
    reason = exemption_reason(control, m.annotations)
    if reason is not None:
        return m.info(code, path, f"exempted from {control.value}: {reason}; {message}")
    hint = (
        f"{hint}, or record why it must stay: exemptions=[Exemption(control="
        f"{control.value!r}, reason=...)] (the annotation {EXEMPTION_PREFIX}{control.value})"
    )
    if severity == "error":
        return m.error(code, path, message, hint)
    return m.warning(code, path, message, hint)


# -- names and shapes ---------------------------------------------------------------------------


@rule("rbac/policy-rules", "role rules the API server refuses, or that name nothing it serves")
def policy_rules(ctx: RuleContext) -> Iterator[Finding]:
    """RBAC rules are not checked against the served API: ``resources: [configmap]`` or
    ``verbs: [lsit]`` is stored and grants nothing, and the workload meets ``forbidden`` at
    run time. The API server does refuse a resource rule without an API group or resource
    and non-resource URLs in a Role. Checked against the target version's resources
    (derived from its official schemas) and verbs; custom resources' groups are not judged."""
    for m in _rbac(ctx, _ROLES):
        if m.resource is not None:
            continue  # the construct ran the same checker when it was built
        for p in policy_rule_problems(m.kind, m.obj.get("rules"), str(m.k8s_version)):
            yield m.error(p.code, p.path, p.message, p.hint)


@rule("rbac/bindings", "bindings the API server refuses")
def bindings(ctx: RuleContext) -> Iterator[Finding]:
    """A ClusterRoleBinding of a Role, a ServiceAccount subject of a ClusterRoleBinding without
    a namespace, a subject in the wrong API group: the API server refuses them."""
    for m in _rbac(ctx, _BINDINGS):
        if m.resource is not None:
            continue
        for p in binding_problems(m.kind, m.obj):
            yield m.error(p.code, p.path, p.message, p.hint)


# -- what roles grant ---------------------------------------------------------------------------


@rule("rbac/wildcard", "roles with '*' in API groups, resources, verbs or URLs")
def wildcard(ctx: RuleContext) -> Iterator[Finding]:
    """``*`` grants everything that exists and everything added later: a new CRD, a new
    subresource, a new verb (checkov CKV_K8S_49). A role that needs it (an operator managing
    its own group) says so in writing."""
    fields = (
        ("apiGroups", "API groups"),
        ("resources", "resources"),
        ("verbs", "verbs"),
        ("nonResourceURLs", "non-resource URLs"),
    )
    for m in _rbac(ctx, _ROLES):
        for path, r in _rules(m):
            for field, what in fields:
                values = _strings(r.get(field))
                if "*" in values:
                    yield _judged(
                        m,
                        Control.RBAC_WILDCARD,
                        "rbac/wildcard",
                        f"{path}.{field}[{values.index('*')}]",
                        f"'*' in {what} grants every one, including those added later",
                        f"list the {what} it needs",
                        "error",
                    )


def _grants(r: dict[str, Any], resource: str, verbs: tuple[str, ...], group: str = "") -> bool:
    """Whether rule ``r`` grants one of ``verbs`` on ``resource`` by name (not by ``*``,
    which rbac/wildcard reports)."""
    groups = _strings(r.get("apiGroups"))
    return (
        (group in groups or "*" in groups)
        and resource in _strings(r.get("resources"))
        and any(v in verbs or v == "*" for v in _strings(r.get("verbs")))
    )


_ESCALATION: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    (
        "escalate",
        ("roles", "clusterroles"),
        "rbac.authorization.k8s.io",
        "write roles with permissions it does not hold",
    ),
    (
        "bind",
        ("roles", "clusterroles"),
        "rbac.authorization.k8s.io",
        "bind any role, cluster-admin included, without holding it",
    ),
    (
        "impersonate",
        ("users", "groups", "serviceaccounts"),
        "",
        "act as any user, group or service account",
    ),
    ("impersonate", ("uids", "userextras"), "authentication.k8s.io", "act as any identity"),
)


@rule("rbac/escalation", "roles that grant escalate, bind or impersonate")
def escalation(ctx: RuleContext) -> Iterator[Finding]:
    """The RBAC API prevents privilege escalation: a user can only write a role, or bind one,
    with permissions they hold. ``escalate`` and ``bind`` switch that check off, and
    ``impersonate`` lets the holder act as anyone (system:masters included): each is a way
    to cluster-admin (checkov CKV_K8S_157, CKV_K8S_158)."""
    for m in _rbac(ctx, _ROLES):
        for path, r in _rules(m):
            verbs = _strings(r.get("verbs"))
            for verb, resources, group, why in _ESCALATION:
                groups = _strings(r.get("apiGroups"))
                if verb not in verbs or (group not in groups and "*" not in groups):
                    continue
                named = [x for x in _strings(r.get("resources")) if x in resources]
                if named:
                    yield _judged(
                        m,
                        Control.RBAC_ESCALATION,
                        "rbac/escalation",
                        f"{path}.verbs[{verbs.index(verb)}]",
                        f"{verb!r} on {', '.join(named)} lets the holder {why}",
                        f"drop {verb!r}",
                        "error",
                    )


_READS = ("get", "list", "watch")


@rule("rbac/secrets-read", "roles that read Secrets")
def secrets_read(ctx: RuleContext) -> Iterator[Finding]:
    """Reading Secrets is reading every password, token and key of the namespace, the
    service-account tokens of older clusters included. ``list`` and ``watch`` return the
    contents too, not only names. A rule narrowed to ``resourceNames`` is fine."""
    for m in _rbac(ctx, _ROLES):
        for path, r in _rules(m):
            if _strings(r.get("resourceNames")) or not _grants(r, "secrets", _READS):
                continue
            verbs = [v for v in _strings(r.get("verbs")) if v in _READS or v == "*"]
            scope = "every namespace it is bound in" if m.kind == "ClusterRole" else "the namespace"
            yield _judged(
                m,
                Control.RBAC_SECRETS,
                "rbac/secrets-read",
                f"{path}.resources[{_strings(r.get('resources')).index('secrets')}]",
                f"{'/'.join(verbs)} on secrets reads every Secret of {scope}",
                "name the Secrets it needs with resourceNames (get only)",
                "warning",
            )


_PRIVILEGE_PATHS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "pods",
        ("create",),
        "run a pod as any service account of the namespace, and so hold "
        "its permissions and mount its Secrets",
    ),
    ("pods/exec", ("create", "get"), "run commands in running pods, with their tokens and Secrets"),
    ("pods/attach", ("create", "get"), "attach to running pods' processes"),
    ("pods/ephemeralcontainers", ("update", "patch"), "add a container to a running pod"),
    (
        "nodes/proxy",
        ("create", "get"),
        "call the kubelet API, which can run commands in any pod of the node",
    ),
)


@rule("rbac/privilege-path", "roles that can run code as someone else (create pods, exec)")
def privilege_path(ctx: RuleContext) -> Iterator[Finding]:
    """Whoever can create a pod can name any service account of the namespace and mount
    any Secret in it; whoever can exec into a pod holds what the pod holds. These are the
    common paths from a small role to a large one (the RBAC good-practices page,
    "Workload creation")."""
    for m in _rbac(ctx, _ROLES):
        for path, r in _rules(m):
            resources = _strings(r.get("resources"))
            for resource, verbs, why in _PRIVILEGE_PATHS:
                if not _grants(r, resource, verbs):
                    continue
                yield _judged(
                    m,
                    Control.RBAC_PRIVILEGE_PATH,
                    "rbac/privilege-path",
                    f"{path}.resources[{resources.index(resource)}]",
                    f"{'/'.join(v for v in _strings(r.get('verbs')) if v in verbs or v == '*')}"
                    f" on {resource} lets the holder {why}",
                    "grant it only to identities that may hold every permission in the namespace",
                    "warning",
                )


# -- who bindings grant to ----------------------------------------------------------------------


def _subjects(m: Manifest) -> Iterator[tuple[str, dict[str, Any]]]:
    subjects = m.obj.get("subjects")
    for i, s in enumerate(subjects if isinstance(subjects, list) else []):
        if isinstance(s, dict) and isinstance(s.get("name"), str):
            yield f"subjects[{i}]", s


def _role_ref(m: Manifest) -> dict[str, Any]:
    ref = m.obj.get("roleRef")
    return ref if isinstance(ref, dict) else {}


@rule("rbac/cluster-admin-binding", "bindings of cluster-admin")
def cluster_admin(ctx: RuleContext) -> Iterator[Finding]:
    """``cluster-admin`` is every verb on every resource: a superuser. Bound with a
    ClusterRoleBinding it is the whole cluster; with a RoleBinding, the whole namespace,
    Roles and RoleBindings included."""
    for m in _rbac(ctx, _BINDINGS):
        ref = _role_ref(m)
        if ref.get("kind") == "ClusterRole" and ref.get("name") == BuiltinClusterRole.CLUSTER_ADMIN:
            where = "the cluster" if m.kind == "ClusterRoleBinding" else "the namespace"
            yield _judged(
                m,
                Control.RBAC_CLUSTER_ADMIN,
                "rbac/cluster-admin-binding",
                "roleRef.name",
                f"binds cluster-admin: every verb on everything in {where}",
                "bind a role with the permissions needed ('admin' for one namespace, or a "
                "Grant of its own)",
                "error",
            )


@rule("rbac/public-subject", "bindings to everyone: anonymous, unauthenticated, authenticated")
def public_subject(ctx: RuleContext) -> Iterator[Finding]:
    """``system:anonymous`` and ``system:unauthenticated`` are requests without credentials;
    ``system:authenticated`` is every user and every service account of every namespace. A
    binding to them grants the role to the world, or to every pod of the cluster."""
    for m in _rbac(ctx, _BINDINGS):
        for path, s in _subjects(m):
            name, kind = s["name"], s.get("kind")
            if (kind == "Group" and name in PUBLIC_GROUPS) or (
                kind == "User" and name == ANONYMOUS_USER
            ):
                who = (
                    "every authenticated user and service account"
                    if name == "system:authenticated"
                    else "anyone who can reach the API server, without credentials"
                )
                yield _judged(
                    m,
                    Control.RBAC_PUBLIC_SUBJECT,
                    "rbac/public-subject",
                    f"{path}.name",
                    f"binds {_role_ref(m).get('name')!r} to {name}: {who}",
                    "bind the groups or service accounts that need it",
                    "error",
                )


@rule("rbac/default-service-account", "bindings to a namespace's default ServiceAccount")
def default_service_account(ctx: RuleContext) -> Iterator[Finding]:
    """Every pod that names no service account runs as ``default``: a grant to it is a grant
    to every such pod of the namespace, today's and tomorrow's (checkov CKV_K8S_42)."""
    for m in _rbac(ctx, _BINDINGS):
        for path, s in _subjects(m):
            if s.get("kind") == "ServiceAccount" and s["name"] == "default":
                ns = s.get("namespace") or m.namespace or "its namespace"
                yield _judged(
                    m,
                    Control.RBAC_DEFAULT_SERVICE_ACCOUNT,
                    "rbac/default-service-account",
                    f"{path}.name",
                    f"binds {_role_ref(m).get('name')!r} to the default ServiceAccount of "
                    f"{ns}: every pod there that names no account gets it",
                    "create a ServiceAccount for the workload and bind that",
                    "warning",
                )


# -- what bindings name -------------------------------------------------------------------------


def _missing(ctx: RuleContext, m: Manifest, path: str, text: str, hint: str, code: str) -> Finding:
    if ctx.settings.get("complete"):
        return m.error(code, path, f"{text} by the app or the declared cluster", hint)
    return m.warning(
        code, path, f"{text} among the files checked nor in the declared cluster", hint
    )


@rule("rbac/missing-role", "bindings of a role that does not exist")
def missing_role(ctx: RuleContext) -> Iterator[Finding]:
    """A binding of a missing role is accepted and grants nothing; when the role appears
    later (someone else's, with other rules), the binding grants that. Built-in ClusterRoles
    (``view``, ``edit``, ``admin``, ``cluster-admin``, ``system:*``) always exist."""
    cluster = ctx.cluster
    for m in _rbac(ctx, _BINDINGS):
        ref = _role_ref(m)
        kind, name = ref.get("kind"), ref.get("name")
        if kind not in _ROLES or not isinstance(name, str) or not name:
            continue
        namespace = m.namespace if kind == "Role" else None
        if kind == "ClusterRole" and is_builtin_cluster_role(name):
            continue
        if ctx.find(kind, name, namespace) is not None or cluster.has_object(kind, name, namespace):
            continue
        builtin = tuple(r.value for r in BuiltinClusterRole) if kind == "ClusterRole" else ()
        guess = ctx.suggest_name(kind, name, namespace, also=builtin)
        where = f" in {namespace}" if namespace else ""
        yield _missing(
            ctx,
            m,
            "roleRef.name",
            f"{kind} {name!r}{where} is not defined",
            f"did you mean {guess!r}?"
            if guess
            else f"add the {kind}, or declare it in the cluster (Cluster(objects=["
            f"ExistingObject(kind={kind!r}, name={name!r}...)]), --cluster FILE)",
            "rbac/missing-role",
        )


@rule("rbac/missing-subject", "bindings to a ServiceAccount that does not exist")
def missing_subject(ctx: RuleContext) -> Iterator[Finding]:
    """A binding to a missing ServiceAccount grants nothing now, and everything to whoever
    creates an account of that name later. Users and groups are not objects (the
    authenticator names them), so only ServiceAccounts are checked; ``default`` always
    exists."""
    cluster = ctx.cluster
    for m in _rbac(ctx, _BINDINGS):
        for path, s in _subjects(m):
            if s.get("kind") != "ServiceAccount" or s["name"] == "default":
                continue
            namespace = s.get("namespace") or m.namespace
            if not isinstance(namespace, str):
                continue
            name = s["name"]
            if ctx.find("ServiceAccount", name, namespace) or cluster.has_object(
                "ServiceAccount", name, namespace
            ):
                continue
            guess = ctx.suggest_name("ServiceAccount", name, namespace)
            yield _missing(
                ctx,
                m,
                f"{path}.name",
                f"ServiceAccount {name!r} in {namespace} is not defined",
                f"did you mean {guess!r}?"
                if guess
                else "add the ServiceAccount, or declare it in the cluster (Cluster(objects="
                f"[ExistingObject(kind='ServiceAccount', name={name!r}, namespace="
                f"{namespace!r})]))",
                "rbac/missing-subject",
            )


__all__ = [
    "bindings",
    "cluster_admin",
    "default_service_account",
    "escalation",
    "missing_role",
    "missing_subject",
    "policy_rules",
    "privilege_path",
    "public_subject",
    "secrets_read",
    "wildcard",
]


# -- aggregation --------------------------------------------------------------------------------


def _aggregation_selectors(m: Manifest) -> list[dict[str, Any]]:
    rule_ = m.obj.get("aggregationRule")
    selectors = rule_.get("clusterRoleSelectors") if isinstance(rule_, dict) else None
    return [s for s in selectors if isinstance(s, dict)] if isinstance(selectors, list) else []


@rule("rbac/aggregated-rules", "an aggregated ClusterRole that also lists rules")
def aggregated_rules(ctx: RuleContext) -> Iterator[Finding]:
    """The controller manager writes an aggregated ClusterRole's ``rules`` from the roles its
    selectors match: rules written by hand are overwritten, and a GitOps tool that applies
    them again fights the controller for ever."""
    for m in _rbac(ctx, ("ClusterRole",)):
        if m.resource is not None or not isinstance(m.obj.get("aggregationRule"), dict):
            continue
        if isinstance(m.obj.get("rules"), list) and m.obj["rules"]:
            yield m.error(
                "rbac/aggregated-rules",
                "rules",
                "an aggregated ClusterRole's rules are written by the controller manager from "
                "the roles its selectors match: the rules given here are overwritten",
                "drop rules (or set rules: []), and put them in a ClusterRole whose labels the "
                "selectors match",
            )


@rule("rbac/aggregate-to", "an aggregation label no aggregated role selects")
def aggregate_to(ctx: RuleContext) -> Iterator[Finding]:
    """``rbac.authorization.k8s.io/aggregate-to-<role>: "true"`` adds a ClusterRole's rules to
    the built-in ``view``, ``edit`` or ``admin`` role. Any other ``<role>`` aggregates into
    nothing unless an aggregated ClusterRole of the app selects that label (a misspelt
    ``aggregate-to-veiw`` grants nothing, silently)."""
    selected: set[tuple[str, str]] = set()
    for m in _rbac(ctx, ("ClusterRole",)):
        for selector in _aggregation_selectors(m):
            labels = selector.get("matchLabels")
            if isinstance(labels, dict):
                selected |= {(str(k), str(v)) for k, v in labels.items()}
    for m in _rbac(ctx, ("ClusterRole",)):
        if m.resource is not None:
            continue
        for key, value in m.labels.items():
            if not key.startswith(AGGREGATE_TO_PREFIX):
                continue
            target = key[len(AGGREGATE_TO_PREFIX) :]
            if target in AGGREGATION_TARGETS or (key, str(value)) in selected:
                continue
            if ctx.cluster.has_object("ClusterRole", target, None):
                continue
            guess = suggest(target, AGGREGATION_TARGETS)
            yield m.warning(
                "rbac/aggregate-to",
                f"metadata.labels[{key!r}]",
                f"{target!r} is not a built-in aggregated role ({', '.join(AGGREGATION_TARGETS)})"
                " and no aggregated ClusterRole among the files selects this label: the role's "
                "rules are aggregated into nothing",
                f"did you mean {AGGREGATE_TO_PREFIX}{guess}?"
                if guess
                else "select the label from your aggregated ClusterRole's aggregationRule",
            )
