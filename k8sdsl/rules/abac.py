"""ABAC rules: a legacy authorizer, and policy lines that grant everything.

kube-apiserver's ABAC authorizer (``--authorization-mode=ABAC`` or an ``ABAC`` authorizer,
with ``--authorization-policy-file``) reads one ``abac.authorization.kubernetes.io/v1beta1``
Policy a line. A policy allows every request whose user or group, namespace, API group and
resource (or non-resource path) match; ``"*"`` matches everything, and a request is allowed by
the first line that matches. The file is read at start: a change needs every API server
restarted, and nothing in the API shows who may do what. ``k8sdsl check`` reads such files
(``*.jsonl``), one object per line, with the line of each finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from k8sdsl.core._findings import Finding
from k8sdsl.core._manifest import Manifest
from k8sdsl.rules._registry import RuleContext, rule

ABAC_API_VERSION = "abac.authorization.kubernetes.io/v1beta1"
#: subjects that are everyone: any user, any group, every authenticated user, no credentials
PUBLIC_GROUPS = ("*", "system:authenticated", "system:unauthenticated")


def _policies(ctx: RuleContext) -> Iterator[Manifest]:
    for m in ctx.of_kind("Policy"):
        if m.api_version == ABAC_API_VERSION:
            yield m


def _spec(m: Manifest) -> dict[str, Any]:
    spec = m.obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def _file(m: Manifest) -> str:
    return m.source.rsplit(":", 1)[0] if ":" in m.source else m.source


def everyone(spec: dict[str, Any]) -> str | None:
    """Who the policy names when that is everyone (``user: "*"``, ``group:
    system:authenticated``...), else ``None``."""
    user, group = spec.get("user"), spec.get("group")
    if user in ("*", "system:anonymous"):
        return f"user {user!r}"
    if group in PUBLIC_GROUPS:
        return f"group {group!r}"
    return None


def grants_everything(spec: dict[str, Any]) -> str | None:
    """What the policy opens when it is everything: every resource of every group in every
    namespace, or every non-resource path; ``None`` otherwise."""
    if all(spec.get(k) == "*" for k in ("apiGroup", "resource", "namespace")):
        return "every resource of every API group in every namespace"
    if spec.get("nonResourcePath") == "*":
        return "every non-resource path"
    return None


@rule("abac/legacy", "an ABAC policy file: a legacy authorizer")
def legacy(ctx: RuleContext) -> Iterator[Finding]:
    """One note per policy file: ABAC is legacy. RBAC does the same through the API
    (``kubectl auth can-i``, ``k8sdsl explain rbac``), without restarting API servers."""
    seen: set[str] = set()
    for m in _policies(ctx):
        where = _file(m)
        if where in seen:
            continue
        seen.add(where)
        yield m.warning(
            "abac/legacy",
            "apiVersion",
            "an ABAC policy file: a legacy authorizer, read at start, invisible in the API",
            "move the policies to Roles and bindings (RBAC) and drop --authorization-policy-file",
        )


@rule("abac/grants-everything", "an ABAC policy line that grants everything")
def grants_everything_rule(ctx: RuleContext) -> Iterator[Finding]:
    """A line for everyone (``user: "*"``, ``group: "*"``, ``system:authenticated``,
    ``system:unauthenticated``) on ``*`` resources in ``*`` namespaces of ``*`` groups (or
    ``nonResourcePath: "*"``) opens the cluster to everyone, Secrets included; read-only it
    still hands out every Secret (errors). Read-only on every non-resource path leaks
    ``/metrics``, ``/logs`` and ``/debug`` besides discovery (a warning). For one user or
    group, everything makes a superuser (a warning)."""
    for m in _policies(ctx):
        spec = _spec(m)
        what = grants_everything(spec)
        if what is None:
            continue
        who = everyone(spec)
        verbs = "read" if spec.get("readonly") is True else "do anything to"
        if who is not None:
            message = f"this line lets {who} (everyone) {verbs} {what}"
            hint = "name the user or group it is for, and the namespace and resources it needs"
            if spec.get("readonly") is True and what == "every non-resource path":
                # discovery, /version, but also /metrics, /logs and /debug: a leak, not a takeover
                yield m.warning("abac/grants-everything", "spec", message, hint)
            else:
                yield m.error("abac/grants-everything", "spec", message, hint)
        else:
            subject = spec.get("user") or spec.get("group")
            yield m.warning(
                "abac/grants-everything",
                "spec",
                f"this line lets {subject!r} {verbs} {what} (a superuser)",
                "limit it to the namespace and resources it needs, or use RBAC's cluster-admin "
                "for the few who must",
            )
