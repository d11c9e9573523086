"""Control-plane configuration rules: an API server that authorizes everything, trusts its
kubelets too much, or admits any pod.

They judge the API server's configuration files, from
:mod:`k8sdsl.security` values or anyone's YAML: ``AuthenticationConfiguration``
(``--authentication-config``), ``AuthorizationConfiguration``
(``apiserver.config.k8s.io/v1`` or ``v1beta1``, the ``--authorization-config`` file),
``AdmissionConfiguration`` (``--admission-control-config-file``) and the PodSecurity plugin's
``PodSecurityConfiguration``, standalone or embedded in an AdmissionConfiguration. A
configuration file has no metadata, so there is no written exemption: fix the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from k8sdsl.core._findings import Finding
from k8sdsl.core._manifest import Manifest
from k8sdsl.rules._registry import RuleContext, rule
from k8sdsl.security._apiserver import HEALTH_PATHS

AUTHORIZATION_API_VERSIONS = ("apiserver.config.k8s.io/v1", "apiserver.config.k8s.io/v1beta1")
PSA_API_VERSION = "pod-security.admission.config.k8s.io/v1"
_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ns|us|\u00b5s|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def go_duration_seconds(text: Any) -> float | None:
    """Seconds of a Go duration string (``1m30s`` -> 90.0); ``None`` when it is not one."""
    if not isinstance(text, str):
        return None
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("-")
    if body == "0":
        return 0.0
    parts = _DURATION_PART.findall(body)
    if not parts or "".join(n + u for n, u in parts) != body:
        return None
    return sign * sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)


def _authorizations(ctx: RuleContext) -> Iterator[Manifest]:
    for m in ctx.of_kind("AuthorizationConfiguration"):
        if m.api_version in AUTHORIZATION_API_VERSIONS:
            yield m


def _authorizers(m: Manifest) -> list[tuple[str, dict[str, Any]]]:
    raw = m.obj.get("authorizers")
    return [
        (f"authorizers[{i}]", a)
        for i, a in enumerate(raw if isinstance(raw, list) else [])
        if isinstance(a, dict)
    ]


@rule("apiserver/always-allow", "an API server that authorizes every request")
def always_allow(ctx: RuleContext) -> Iterator[Finding]:
    """An ``AlwaysAllow`` authorizer allows every request that reaches it, anonymous ones
    included when anonymous authentication is on; the authorizers after it are never asked."""
    for m in _authorizations(ctx):
        for path, a in _authorizers(m):
            if a.get("type") == "AlwaysAllow":
                yield m.error(
                    "apiserver/always-allow",
                    f"{path}.type",
                    f"authorizer {a.get('name')!r} allows every request that reaches it "
                    "(AlwaysAllow)",
                    "remove it: Node and RBAC (and webhooks) decide, and what none allows is "
                    "denied",
                )


@rule("apiserver/node-authorizer", "RBAC without the Node authorizer before it")
def node_authorizer(ctx: RuleContext) -> Iterator[Finding]:
    """Kubelets authenticate as ``system:node:<name>`` in ``system:nodes``. The Node
    authorizer lets each read only the Secrets, ConfigMaps and volumes of the pods bound to
    its node (with the NodeRestriction admission plugin, write only its own Node and pods).
    Without it, the kubelets are refused, or someone binds ``system:node`` to
    ``system:nodes`` and every node can read every Secret of the cluster."""
    for m in _authorizations(ctx):
        types = [(p, a.get("type")) for p, a in _authorizers(m)]
        rbac = next((i for i, (_, t) in enumerate(types) if t == "RBAC"), None)
        if rbac is None:
            continue
        if not any(t == "Node" for _, t in types[:rbac]):
            yield m.error(
                "apiserver/node-authorizer",
                f"{types[rbac][0]}.type",
                "RBAC is not preceded by the Node authorizer: kubelets' requests are left to "
                "RBAC alone",
                "put {type: Node, name: node} before RBAC (kubeadm's "
                "--authorization-mode=Node,RBAC), with the NodeRestriction admission plugin",
            )


@rule("apiserver/invalid-authorization", "an AuthorizationConfiguration the API server refuses")
def invalid_authorization(ctx: RuleContext) -> Iterator[Finding]:
    """kube-apiserver refuses to start on these (its validation of the file, beyond the
    schema): two authorizers with one name, Node or RBAC twice, a webhook section missing for
    a Webhook or given for another type, a webhook timeout not above 0 or above 30s, a
    KubeConfigFile connection without ``kubeConfigFile``, and InClusterConfig (not allowed
    for kube-apiserver)."""
    for m in _authorizations(ctx):
        names: dict[str, str] = {}
        once: dict[str, str] = {}
        for path, a in _authorizers(m):
            name, kind, hook = a.get("name"), a.get("type"), a.get("webhook")
            if isinstance(name, str):
                if name in names:
                    yield m.error(
                        "apiserver/invalid-authorization",
                        f"{path}.name",
                        f"authorizer name {name!r} is also used by {names[name]}",
                        "give each authorizer its own name",
                    )
                names.setdefault(name, path)
            if kind in ("Node", "RBAC"):
                if kind in once:
                    yield m.error(
                        "apiserver/invalid-authorization",
                        f"{path}.type",
                        f"{kind} is configured twice (also {once[kind]})",
                        "keep one",
                    )
                once.setdefault(str(kind), path)
            if kind == "Webhook" and not isinstance(hook, dict):
                yield m.error(
                    "apiserver/invalid-authorization",
                    f"{path}.webhook",
                    "a Webhook authorizer needs its webhook section",
                    "add webhook: {timeout: 3s, failurePolicy: ..., subjectAccessReviewVersion: "
                    "v1, connectionInfo: {type: KubeConfigFile, kubeConfigFile: ...}}",
                )
            if kind != "Webhook" and hook is not None:
                yield m.error(
                    "apiserver/invalid-authorization",
                    f"{path}.webhook",
                    f"a webhook section is given for a {kind} authorizer",
                    "remove it, or make the authorizer type Webhook",
                )
            if not isinstance(hook, dict) or kind != "Webhook":
                continue
            seconds = go_duration_seconds(hook.get("timeout"))
            if seconds is not None and not 0 < seconds <= 30:
                yield m.error(
                    "apiserver/invalid-authorization",
                    f"{path}.webhook.timeout",
                    f"the webhook timeout {hook.get('timeout')} is not above 0s and at most 30s",
                    "use a short timeout such as 3s (every request waits for it)",
                )
            conn = hook.get("connectionInfo")
            if isinstance(conn, dict):
                if conn.get("type") == "InClusterConfig":
                    yield m.error(
                        "apiserver/invalid-authorization",
                        f"{path}.webhook.connectionInfo.type",
                        "InClusterConfig is not allowed for kube-apiserver",
                        "use type: KubeConfigFile with kubeConfigFile",
                    )
                elif conn.get("type") == "KubeConfigFile" and not conn.get("kubeConfigFile"):
                    yield m.error(
                        "apiserver/invalid-authorization",
                        f"{path}.webhook.connectionInfo.kubeConfigFile",
                        "a KubeConfigFile connection without kubeConfigFile",
                        "give the path of the webhook's kubeconfig on the control-plane node",
                    )


@rule("apiserver/webhook-failure-policy", "what a webhook authorizer's failure does")
def webhook_failure_policy(ctx: RuleContext) -> Iterator[Finding]:
    """``NoOpinion`` fails open: when the webhook times out or errs, the next authorizers
    decide, so a webhook that exists to deny stops denying (a note). ``Deny`` fails closed:
    a webhook outage refuses every request it would have seen; ahead of Node and RBAC and
    with no matchConditions that is every request, the kubelets' and controllers' too, so
    the cluster stops (a warning)."""
    for m in _authorizations(ctx):
        seen: set[Any] = set()
        for path, a in _authorizers(m):
            hook = a.get("webhook")
            if a.get("type") == "Webhook" and isinstance(hook, dict):
                policy = hook.get("failurePolicy")
                conditions = hook.get("matchConditions")
                if policy == "NoOpinion":
                    yield m.info(
                        "apiserver/webhook-failure-policy",
                        f"{path}.webhook.failurePolicy",
                        f"when webhook {a.get('name')!r} fails, the authorizers after it "
                        "decide (NoOpinion fails open)",
                        "right for a webhook that grants; a webhook that must deny needs Deny",
                    )
                elif policy == "Deny" and not conditions and not {"Node", "RBAC"} & seen:
                    yield m.warning(
                        "apiserver/webhook-failure-policy",
                        f"{path}.webhook.failurePolicy",
                        f"webhook {a.get('name')!r} comes before Node and RBAC with "
                        "failurePolicy Deny and no matchConditions: when it is down, every "
                        "request is refused, the kubelets' and controllers' too",
                        "add matchConditions that leave out system users (request.user "
                        "starting with 'system:'), or put the webhook after Node and RBAC",
                    )
            seen.add(a.get("type"))


@rule("apiserver/abac-authorizer", "the legacy ABAC authorizer in the chain")
def abac_authorizer(ctx: RuleContext) -> Iterator[Finding]:
    """ABAC reads a policy file on the control-plane node: every change needs a restart of
    every API server, nothing in the API shows who may do what, and its wildcards grant
    everything. RBAC (or a webhook) does the same through the API."""
    for m in _authorizations(ctx):
        for path, a in _authorizers(m):
            if a.get("type") == "ABAC":
                yield m.warning(
                    "apiserver/abac-authorizer",
                    f"{path}.type",
                    "ABAC is a legacy authorizer: a policy file on the node, read at start",
                    "move its policies to Roles and bindings (RBAC) and remove it",
                )


def _pod_security_configs(ctx: RuleContext) -> Iterator[tuple[Manifest, str, dict[str, Any]]]:
    """Every PodSecurityConfiguration: standalone, or embedded in an AdmissionConfiguration."""
    for m in ctx.of_kind("PodSecurityConfiguration"):
        if m.api_version == PSA_API_VERSION:
            yield m, "", m.obj
    for m in ctx.of_kind("AdmissionConfiguration"):
        if m.api_version != "apiserver.config.k8s.io/v1":
            continue
        plugins = m.obj.get("plugins")
        for i, p in enumerate(plugins if isinstance(plugins, list) else []):
            inner = p.get("configuration") if isinstance(p, dict) else None
            if (
                isinstance(inner, dict)
                and p.get("name") == "PodSecurity"
                and inner.get("kind") == "PodSecurityConfiguration"
            ):
                yield m, f"plugins[{i}].configuration.", inner


@rule("apiserver/psa-enforce-privileged", "Pod Security Admission that enforces nothing")
def psa_enforce_privileged(ctx: RuleContext) -> Iterator[Finding]:
    """Without ``defaults.enforce`` (or with ``privileged``), a namespace without a
    ``pod-security.kubernetes.io/enforce`` label admits any pod: privileged, host
    namespaces, hostPath. Audit and warn only report."""
    for m, prefix, config in _pod_security_configs(ctx):
        defaults = config.get("defaults")
        enforce = defaults.get("enforce") if isinstance(defaults, dict) else None
        if enforce in (None, "", "privileged"):
            yield m.warning(
                "apiserver/psa-enforce-privileged",
                f"{prefix}defaults.enforce",
                "Pod Security Admission enforces privileged (nothing) in namespaces without "
                "an enforce label",
                "set defaults.enforce: restricted (or baseline), and exempt the namespaces "
                "that need more (kube-system) in exemptions.namespaces",
            )


def _authentications(ctx: RuleContext) -> Iterator[Manifest]:
    for m in ctx.of_kind("AuthenticationConfiguration"):
        if m.api_version in AUTHORIZATION_API_VERSIONS:  # the same group versions
            yield m


@rule("apiserver/anonymous-auth", "anonymous requests allowed to every path of the API server")
def anonymous_auth(ctx: RuleContext) -> Iterator[Finding]:
    """Anonymous requests are ``system:anonymous`` in ``system:unauthenticated``: whatever
    RBAC grants those (``system:public-info-viewer`` by default; any binding someone adds
    later) is open to the network. ``conditions`` limit them to exact paths; the health
    endpoints are what load balancers and probes need."""
    for m in _authentications(ctx):
        anonymous = m.obj.get("anonymous")
        if not isinstance(anonymous, dict) or anonymous.get("enabled") is not True:
            continue
        conditions = anonymous.get("conditions")
        if not conditions:
            yield m.warning(
                "apiserver/anonymous-auth",
                "anonymous.enabled",
                "anonymous requests are allowed to every path (no conditions)",
                "limit them to the health endpoints: conditions: [{path: /livez}, "
                "{path: /readyz}, {path: /healthz}] (or enabled: false)",
            )
            continue
        for i, c in enumerate(conditions if isinstance(conditions, list) else []):
            path = c.get("path") if isinstance(c, dict) else None
            if isinstance(path, str) and path not in HEALTH_PATHS:
                yield m.warning(
                    "apiserver/anonymous-auth",
                    f"anonymous.conditions[{i}].path",
                    f"anonymous requests are allowed to {path}, not a health endpoint",
                    "keep /livez, /readyz and /healthz only",
                )


@rule("apiserver/jwt-authenticator", "a JWT authenticator that is refused or names system users")
def jwt_authenticator(ctx: RuleContext) -> Iterator[Finding]:
    """The API server refuses an issuer URL that is not ``https://`` and a claim mapping with
    a claim but no ``prefix``. An empty prefix lets the token issuer name any user or group:
    ``system:masters`` (cluster-admin, which RBAC cannot take away) as a group, or
    ``system:kube-scheduler`` as a user, unless userValidationRules forbid ``system:``."""
    for m in _authentications(ctx):
        jwts = m.obj.get("jwt")
        for i, j in enumerate(jwts if isinstance(jwts, list) else []):
            if not isinstance(j, dict):
                continue
            base = f"jwt[{i}]"
            url = j.get("issuer", {}).get("url") if isinstance(j.get("issuer"), dict) else None
            if isinstance(url, str) and not url.startswith("https://"):
                yield m.error(
                    "apiserver/jwt-authenticator",
                    f"{base}.issuer.url",
                    f"the issuer URL {url!r} is not https:// (the API server refuses it)",
                    "use the issuer's https:// URL, as its tokens' iss claim names it",
                )
            mappings = j.get("claimMappings")
            guarded = bool(j.get("userValidationRules"))
            for field in ("username", "groups"):
                mapping = mappings.get(field) if isinstance(mappings, dict) else None
                if not isinstance(mapping, dict) or not mapping.get("claim"):
                    continue
                path = f"{base}.claimMappings.{field}.prefix"
                prefix = mapping.get("prefix")
                if prefix is None:
                    yield m.error(
                        "apiserver/jwt-authenticator",
                        path,
                        f"claimMappings.{field} has a claim and no prefix (the API server "
                        "refuses it)",
                        "set prefix, such as 'oidc:'",
                    )
                elif prefix == "" and not guarded:
                    message = (
                        f"the issuer's {field} claim is used without a prefix: its tokens can "
                        + (
                            "put anyone in system:masters (cluster-admin)"
                            if field == "groups"
                            else "name system users such as system:kube-scheduler"
                        )
                    )
                    hint = (
                        "set a prefix such as 'oidc:', or add userValidationRules that refuse "
                        "names starting with 'system:'"
                    )
                    if field == "groups":
                        yield m.error("apiserver/jwt-authenticator", path, message, hint)
                    else:
                        yield m.warning("apiserver/jwt-authenticator", path, message, hint)
