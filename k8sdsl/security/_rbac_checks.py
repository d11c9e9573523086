"""One checker for RBAC objects, shared by the constructs (at the user's line) and the
``rbac/...`` rules (on YAML anyone wrote).

It reads Kubernetes dicts only. Two kinds of problem are found:

* what the API server refuses (``rbac/invalid-rule``, ``rbac/invalid-binding``): a resource
  rule without an API group, non-resource URLs in a Role, a ClusterRoleBinding to a Role;
* what the API server stores and that grants nothing (``rbac/unknown-verb``,
  ``rbac/unknown-resource``, ``rbac/unknown-api-group``, ``rbac/non-resource-url``): RBAC
  rules are not validated against the served API, so ``configmap`` or ``lsit`` is accepted
  and the workload meets ``forbidden`` at run time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from k8sdsl.core._suggest import suggest
from k8sdsl.security._rbac_catalog import (
    NON_RESOURCE_VERBS,
    RBAC_GROUP,
    RESOURCE_VERBS,
    SPECIAL_VERBS,
    RbacCatalog,
    rbac_catalog,
)

#: every verb a resource rule may name
KNOWN_VERBS: tuple[str, ...] = (*RESOURCE_VERBS, *SPECIAL_VERBS)


class RbacProblem(NamedTuple):
    code: str
    path: str
    message: str
    hint: str = ""


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _group_text(group: str) -> str:
    return "the core group ('')" if group == "" else repr(group)


def _did_you_mean(guess: str | None, otherwise: str) -> str:
    return f"did you mean {guess!r}?" if guess else otherwise


def policy_rule_problems(kind: str, rules: Any, version: str) -> list[RbacProblem]:
    """Problems of the ``rules`` of a Role or ClusterRole (``kind``) for ``version``."""
    if not isinstance(rules, list):
        return []
    catalog = rbac_catalog(version)
    out: list[RbacProblem] = []
    for i, rule in enumerate(rules):
        if isinstance(rule, dict):
            out.extend(_rule_problems(kind, rule, f"rules[{i}]", catalog))
    return out


def _rule_problems(
    kind: str, rule: dict[str, Any], path: str, catalog: RbacCatalog
) -> Iterator[RbacProblem]:
    verbs = _strings(rule.get("verbs"))
    groups = _strings(rule.get("apiGroups"))
    resources = _strings(rule.get("resources"))
    urls = _strings(rule.get("nonResourceURLs"))
    if not verbs and isinstance(rule.get("verbs"), list):
        yield RbacProblem(
            "rbac/invalid-rule",
            f"{path}.verbs",
            "a rule must name at least one verb (the API server refuses an empty list)",
            "list the verbs it grants: ['get', 'list', 'watch']",
        )
    if urls:
        if kind == "Role":
            yield RbacProblem(
                "rbac/invalid-rule",
                f"{path}.nonResourceURLs",
                "a Role cannot grant non-resource URLs: they are not namespaced (the API "
                "server refuses it)",
                "put the rule in a ClusterRole bound by a ClusterRoleBinding",
            )
        if groups or resources or _strings(rule.get("resourceNames")):
            yield RbacProblem(
                "rbac/invalid-rule",
                f"{path}.nonResourceURLs",
                "a rule names either resources or non-resource URLs, not both (the API server "
                "refuses it)",
                "split it into two rules",
            )
        for j, url in enumerate(urls):
            if url == "*":
                continue
            star = url.find("*")
            if not url.startswith("/") or (star != -1 and star != len(url) - 1):
                stem = url.strip("/").split("*")[0]
                yield RbacProblem(
                    "rbac/non-resource-url",
                    f"{path}.nonResourceURLs[{j}]",
                    f"{url!r} matches no request: a non-resource URL is a path from '/', "
                    "with '*' only as its last character",
                    f"write '/{stem}' or '/{stem}*'",
                )
        for j, verb in enumerate(verbs):
            if verb != "*" and verb not in NON_RESOURCE_VERBS:
                yield RbacProblem(
                    "rbac/unknown-verb",
                    f"{path}.verbs[{j}]",
                    f"{verb!r} is not a verb of non-resource URLs (the lowercase HTTP methods "
                    f"{', '.join(NON_RESOURCE_VERBS)}): the rule grants nothing for it",
                    _did_you_mean(suggest(verb, NON_RESOURCE_VERBS), "use 'get' to read a URL"),
                )
        return
    if not groups:
        yield RbacProblem(
            "rbac/invalid-rule",
            f"{path}.apiGroups",
            "a resource rule must name at least one API group (the API server refuses it)",
            _group_hint(resources, catalog),
        )
    if not resources:
        yield RbacProblem(
            "rbac/invalid-rule",
            f"{path}.resources",
            "a resource rule must name at least one resource (the API server refuses it)",
            "list the resources, e.g. ['configmaps']",
        )
    for j, verb in enumerate(verbs):
        if verb != "*" and verb not in KNOWN_VERBS:
            yield RbacProblem(
                "rbac/unknown-verb",
                f"{path}.verbs[{j}]",
                f"{verb!r} is not a Kubernetes verb: the API server stores it and the rule "
                "grants nothing for it",
                _did_you_mean(suggest(verb, KNOWN_VERBS), "known verbs: " + ", ".join(KNOWN_VERBS)),
            )
    known_groups: list[str] = []
    custom = False
    for j, group in enumerate(groups):
        if group == "*" or group in catalog.groups:
            known_groups.append(group)
            continue
        guess = suggest(group, catalog.groups)
        if guess is not None and abs(len(guess) - len(group)) <= 2:
            yield RbacProblem(
                "rbac/unknown-api-group",
                f"{path}.apiGroups[{j}]",
                f"{group!r} is not an API group of Kubernetes {catalog.version}",
                f"did you mean {guess!r}?",
            )
        else:
            custom = True  # a custom resource's group: its resources are not known here
    if custom or not known_groups:
        return
    for j, resource in enumerate(resources):
        if any(catalog.has(g, resource) for g in known_groups):
            continue
        yield _resource_problem(resource, known_groups, f"{path}.resources[{j}]", catalog)


def _group_hint(resources: list[str], catalog: RbacCatalog) -> str:
    for resource in resources:
        groups = catalog.groups_of(resource.partition("/")[0])
        if groups:
            return f"add apiGroups: [{groups[0]!r}] (where {resource!r} is served)"
    return "add apiGroups: [''] for the core group (pods, configmaps, secrets...)"


def _resource_problem(
    resource: str, groups: list[str], path: str, catalog: RbacCatalog
) -> RbacProblem:
    where = " or ".join(_group_text(g) for g in groups)
    base, _, sub = resource.partition("/")
    elsewhere = [g for g in catalog.groups_of(base) if catalog.has(g, resource)]
    if elsewhere:
        return RbacProblem(
            "rbac/unknown-resource",
            path,
            f"{resource!r} is not served by {where} in Kubernetes {catalog.version}: it is in "
            f"{' and '.join(_group_text(g) for g in elsewhere)}",
            f"add {elsewhere[0]!r} to apiGroups (or move {resource!r} to a rule for it)",
        )
    candidates = [r for g in groups for r in catalog.all_resources(g)]
    if sub == "*" and base != "*":
        return RbacProblem(
            "rbac/unknown-resource",
            path,
            f"{resource!r} matches no request: the authorizer matches '*' and '*/<subresource>'"
            f", not '<resource>/*'",
            f"list the subresources it needs ('{base}/log', ...)",
        )
    if sub and any(catalog.has(g, base) for g in groups):
        subs = [r for r in candidates if r.startswith(f"{base}/")]
        guess = suggest(resource, subs)
        known = ", ".join(s.partition("/")[2] for s in subs) or "none"
        return RbacProblem(
            "rbac/unknown-resource",
            path,
            f"{base!r} has no subresource {sub!r} in Kubernetes {catalog.version} (it has "
            f"{known}): the rule grants nothing for it",
            _did_you_mean(guess, f"name one of {base}'s subresources"),
        )
    guess = suggest(resource, candidates) or suggest(
        resource, [r for g in sorted(catalog.groups) for r in catalog.all_resources(g)]
    )
    hint = _did_you_mean(guess, "resources are lowercase plurals: 'configmaps', 'deployments'")
    if guess is not None and guess not in candidates:
        home = catalog.groups_of(guess.partition("/")[0])[0]
        hint = f"did you mean {guess!r} (in {_group_text(home)})?"
    return RbacProblem(
        "rbac/unknown-resource",
        path,
        f"{resource!r} is not a resource of {where} in Kubernetes {catalog.version}: the "
        "API server stores the rule and it grants nothing",
        hint,
    )


_SUBJECT_KINDS = ("User", "Group", "ServiceAccount")


def binding_problems(kind: str, obj: dict[str, Any]) -> list[RbacProblem]:
    """What the API server refuses in a RoleBinding or ClusterRoleBinding (``kind``)."""
    out: list[RbacProblem] = []
    ref = obj.get("roleRef")
    if isinstance(ref, dict):
        ref_kind = ref.get("kind")
        allowed = ("ClusterRole",) if kind == "ClusterRoleBinding" else ("Role", "ClusterRole")
        if isinstance(ref_kind, str) and ref_kind not in allowed:
            guess = suggest(ref_kind, allowed)
            out.append(
                RbacProblem(
                    "rbac/invalid-binding",
                    "roleRef.kind",
                    f"a {kind} cannot refer to a {ref_kind!r} (it may refer to "
                    f"{' or '.join(allowed)})",
                    _did_you_mean(
                        guess,
                        "a ClusterRoleBinding grants a ClusterRole; bind a "
                        "Role with a RoleBinding in its namespace",
                    )
                    if guess != ref_kind
                    else "",
                )
            )
        group = ref.get("apiGroup")
        if isinstance(group, str) and group != RBAC_GROUP:
            out.append(
                RbacProblem(
                    "rbac/invalid-binding",
                    "roleRef.apiGroup",
                    f"roleRef.apiGroup is {group!r}; roles are in {RBAC_GROUP!r}",
                    f"write apiGroup: {RBAC_GROUP}",
                )
            )
    subjects = obj.get("subjects")
    for i, subject in enumerate(subjects if isinstance(subjects, list) else []):
        if not isinstance(subject, dict):
            continue
        s_kind, group = subject.get("kind"), subject.get("apiGroup")
        path = f"subjects[{i}]"
        if isinstance(s_kind, str) and s_kind not in _SUBJECT_KINDS:
            out.append(
                RbacProblem(
                    "rbac/invalid-binding",
                    f"{path}.kind",
                    f"{s_kind!r} is not a subject kind (User, Group or ServiceAccount)",
                    _did_you_mean(
                        suggest(s_kind, _SUBJECT_KINDS), "use User, Group or ServiceAccount"
                    ),
                )
            )
            continue
        if s_kind == "ServiceAccount":
            if group not in (None, ""):
                out.append(
                    RbacProblem(
                        "rbac/invalid-binding",
                        f"{path}.apiGroup",
                        f"a ServiceAccount subject is in the core group, not {group!r}",
                        "write apiGroup: '' or leave it out",
                    )
                )
            if kind == "ClusterRoleBinding" and not subject.get("namespace"):
                out.append(
                    RbacProblem(
                        "rbac/invalid-binding",
                        f"{path}.namespace",
                        "a ServiceAccount subject of a ClusterRoleBinding must name its "
                        "namespace (the API server refuses it)",
                        "add namespace: <the service account's namespace>",
                    )
                )
        elif s_kind in ("User", "Group") and group not in (None, "", RBAC_GROUP):
            out.append(
                RbacProblem(
                    "rbac/invalid-binding",
                    f"{path}.apiGroup",
                    f"a {s_kind} subject needs apiGroup {RBAC_GROUP!r} (the API server "
                    f"refuses {group!r})",
                    f"write apiGroup: {RBAC_GROUP}",
                )
            )
    return out


__all__ = ["KNOWN_VERBS", "RbacProblem", "binding_problems", "policy_rule_problems"]
