"""Ingress rules: backends that do not exist, ports a Service does not have, hosts and paths
the API server refuses, TLS that does not cover the hosts served, and classes no controller
implements.

An Ingress that names a missing Service or port is accepted by the API server; the
controller then answers 503 for those paths, and nothing reports why. As with the
``references/*`` rules, a dangling name is an error where the objects are the whole app
(synth, ``k8sdsl check --complete``) and a warning otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from k8sdsl.core._findings import Finding
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._suggest import suggest
from k8sdsl.network._ingress import (
    DEFAULT_INGRESS_CLASS_ANNOTATION,
    LEGACY_INGRESS_CLASS_ANNOTATION,
    host_matches,
    ingress_host_problem,
    ingress_path_problem,
)
from k8sdsl.rules._registry import RuleContext, rule
from k8sdsl.rules.references import _secret_makers

#: annotations with which cert-manager's ingress-shim makes an Ingress's TLS Secrets
_CERT_MANAGER_ANNOTATIONS = ("cert-manager.io/cluster-issuer", "cert-manager.io/issuer")


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _ingresses(ctx: RuleContext) -> Iterator[Manifest]:
    for m in ctx.of_kind("Ingress"):
        if m.api_version.startswith("networking.k8s.io/"):
            yield m


def _all_backends(m: Manifest) -> Iterator[tuple[str, dict[str, Any]]]:
    """(JSON path, backend dict) of the default backend and of every path's backend."""
    spec = _d(m.obj.get("spec"))
    if "defaultBackend" in spec:
        yield "spec.defaultBackend", _d(spec.get("defaultBackend"))
    for i, item in enumerate(_l(spec.get("rules"))):
        for j, path in enumerate(_l(_d(_d(item).get("http")).get("paths"))):
            if "backend" in _d(path):
                yield f"spec.rules[{i}].http.paths[{j}].backend", _d(_d(path).get("backend"))


def _backends(m: Manifest) -> Iterator[tuple[str, dict[str, Any]]]:
    """(JSON path, ``service`` dict) of every Service backend of an Ingress (a ``resource``
    backend names no Service: the Service rules leave it alone)."""
    for path, backend in _all_backends(m):
        service = _d(backend.get("service"))
        if service:
            yield f"{path}.service", service


def _missing(ctx: RuleContext, m: Manifest, code: str, path: str, text: str, hint: str) -> Finding:
    """An error where the objects are the whole app, else a warning that says so."""
    if ctx.settings.get("complete"):
        return m.error(code, path, text + " in the app or the declared cluster", hint)
    return m.warning(
        code, path, text + " among the files checked nor in the declared cluster", hint
    )


@rule("network/ingress-backend", "an Ingress backend names a Service no one has")
def ingress_backend(ctx: RuleContext) -> Iterator[Finding]:
    """An Ingress routes to Services of its own namespace. The API server takes a backend
    that names no Service; the controller answers 503 (ingress-nginx logs ``service
    ... does not exist``) for every path that uses it."""
    cluster = ctx.cluster
    for m in _ingresses(ctx):
        for path, service in _backends(m):
            name = service.get("name")
            if not isinstance(name, str) or not name:
                continue  # the schema reports it
            if ctx.find("Service", name, m.namespace) is not None:
                continue
            if cluster.find_object("Service", name, m.namespace) is not None:
                continue
            guess = ctx.suggest_name("Service", name, m.namespace)
            where = m.namespace or "its namespace"
            yield _missing(
                ctx,
                m,
                "network/ingress-backend",
                f"{path}.name",
                f"Ingress {m.name!r} routes to Service {name!r}, which is not in {where}",
                f"did you mean {guess!r}?"
                if guess
                else "add the Service to the Ingress's namespace (an Ingress reaches Services "
                "of its own namespace only), or declare it in the cluster",
            )


@rule(
    "network/ingress-backend-source",
    "an Ingress backend with both or neither of service and resource",
)
def ingress_backend_source(ctx: RuleContext) -> Iterator[Finding]:
    """A backend is a ``service`` or a ``resource`` (an object of the Ingress's namespace
    that the controller serves, such as a storage bucket), exactly one: the API server
    refuses both (``cannot set both resource and service backends``) and neither
    (``resource or service backend is required``). The schema allows either."""
    for m in _ingresses(ctx):
        for path, backend in _all_backends(m):
            has = [k for k in ("service", "resource") if backend.get(k)]
            if len(has) == 1:
                continue
            yield m.error(
                "network/ingress-backend-source",
                path,
                f"a backend of Ingress {m.name!r} sets both service and resource: the API "
                "server refuses it"
                if has
                else f"a backend of Ingress {m.name!r} has neither a service nor a resource: "
                "the API server refuses it",
                "keep one: service: {name: ..., port: {...}} or resource: {apiGroup: ..., "
                "kind: ..., name: ...}",
            )


@rule("network/ingress-port", "an Ingress backend port the Service does not have")
def ingress_port(ctx: RuleContext) -> Iterator[Finding]:
    """A backend port is a Service port, by ``name`` or ``number`` (the Service's ``port``,
    not the container's ``targetPort``). One the Service does not have gives 503 for every
    path that uses it."""
    for m in _ingresses(ctx):
        for path, service in _backends(m):
            name = service.get("name")
            target = ctx.find("Service", name, m.namespace) if isinstance(name, str) else None
            if target is None:
                continue
            ports = [_d(p) for p in _l(_d(target.obj.get("spec")).get("ports"))]
            if _d(target.obj.get("spec")).get("type") == "ExternalName":
                continue
            port = _d(service.get("port"))
            wanted_name, wanted_number = port.get("name"), port.get("number")
            if isinstance(wanted_name, str) and wanted_name:
                names = [str(p["name"]) for p in ports if isinstance(p.get("name"), str)]
                if wanted_name in names:
                    continue
                guess = suggest(wanted_name, names)
                yield m.error(
                    "network/ingress-port",
                    f"{path}.port.name",
                    f"Service {name!r} has no port named {wanted_name!r} (it names: "
                    f"{', '.join(names) or 'none'})",
                    f"did you mean {guess!r}?" if guess else "name one of its ports",
                )
            elif isinstance(wanted_number, int) and not isinstance(wanted_number, bool):
                numbers = [p.get("port") for p in ports]
                if wanted_number in numbers:
                    continue
                shown = ", ".join(str(n) for n in numbers) or "none"
                named = [p for p in ports if p.get("targetPort") == wanted_number]
                hint = (
                    f"{wanted_number} is the targetPort of its port {named[0].get('port')}; "
                    f"use number: {named[0].get('port')}"
                    if named
                    else f"use one of its ports ({shown})"
                )
                yield m.error(
                    "network/ingress-port",
                    f"{path}.port.number",
                    f"Service {name!r} has no port {wanted_number} (it has: {shown})",
                    hint,
                )


def _hosts(m: Manifest) -> Iterator[tuple[str, Any]]:
    spec = _d(m.obj.get("spec"))
    for i, item in enumerate(_l(spec.get("rules"))):
        if "host" in _d(item):
            yield f"spec.rules[{i}].host", _d(item)["host"]
    for i, tls in enumerate(_l(spec.get("tls"))):
        for j, host in enumerate(_l(_d(tls).get("hosts"))):
            yield f"spec.tls[{i}].hosts[{j}]", host


@rule("network/ingress-host", "Ingress hosts are DNS names, a wildcard only as the first label")
def ingress_host(ctx: RuleContext) -> Iterator[Finding]:
    """``spec.rules[].host`` and ``spec.tls[].hosts[]`` must be DNS-1123 subdomains, with
    ``*`` only as the whole first label; an IP address or a port is refused (``must be a
    DNS name, not an IP address``)."""
    for m in _ingresses(ctx):
        for path, host in _hosts(m):
            problem = ingress_host_problem(host)
            if problem is not None:
                yield m.error("network/ingress-host", path, *problem)


@rule("network/ingress-path", "Exact and Prefix Ingress paths start with '/'")
def ingress_path(ctx: RuleContext) -> Iterator[Finding]:
    """The API server refuses a path of pathType ``Exact`` or ``Prefix`` that is not absolute
    (``must be an absolute path``); ``ImplementationSpecific`` paths are the controller's."""
    for m in _ingresses(ctx):
        for i, item in enumerate(_l(_d(m.obj.get("spec")).get("rules"))):
            for j, entry in enumerate(_l(_d(_d(item).get("http")).get("paths"))):
                e = _d(entry)
                problem = ingress_path_problem(e.get("path"), e.get("pathType"))
                if problem is not None:
                    yield m.error(
                        "network/ingress-path", f"spec.rules[{i}].http.paths[{j}].path", *problem
                    )


@rule(
    "network/ingress-tls-host", "TLS hosts have rules, and rule hosts of a TLS Ingress are covered"
)
def ingress_tls_host(ctx: RuleContext) -> Iterator[Finding]:
    """A TLS host that no rule serves gets a certificate and nothing behind it (a typo, most
    often). A rule host that no TLS entry covers, on an Ingress that has TLS, is served over
    plain HTTP only, or with the controller's default (self-signed) certificate."""
    for m in _ingresses(ctx):
        spec = _d(m.obj.get("spec"))
        tls_entries = [_d(t) for t in _l(spec.get("tls"))]
        if not tls_entries:
            continue
        rule_hosts: list[tuple[int, str]] = [
            (i, str(_d(r)["host"]))
            for i, r in enumerate(_l(spec.get("rules")))
            if isinstance(_d(r).get("host"), str)
        ]
        tls_hosts = [
            (f"spec.tls[{i}].hosts[{j}]", h)
            for i, t in enumerate(tls_entries)
            for j, h in enumerate(_l(t.get("hosts")))
            if isinstance(h, str)
        ]
        catch_all = any("host" not in _d(r) for r in _l(spec.get("rules")))
        served = [h for _, h in rule_hosts]
        for path, host in tls_hosts:
            if catch_all or any(host_matches(host, h) or host_matches(h, host) for h in served):
                continue
            guess = suggest(host, served)
            yield m.warning(
                "network/ingress-tls-host",
                path,
                f"TLS host {host!r} of Ingress {m.name!r} has no rule: nothing is served there",
                f"did you mean {guess!r}?" if guess else "add a rule for it, or drop the host",
            )
        if any(not _l(t.get("hosts")) for t in tls_entries):
            continue  # an entry without hosts: the controller's choice (often every host)
        for i, host in rule_hosts:
            if any(host_matches(h, host) for _, h in tls_hosts):
                continue
            yield m.warning(
                "network/ingress-tls-host",
                f"spec.rules[{i}].host",
                f"host {host!r} of Ingress {m.name!r} is in no TLS entry: it is served over "
                "plain HTTP (or with the controller's default certificate)",
                f"add {host!r} to spec.tls[].hosts",
            )


@rule("network/ingress-tls-secret", "an Ingress TLS Secret no one has or makes")
def ingress_tls_secret(ctx: RuleContext) -> Iterator[Finding]:
    """A TLS entry names a ``kubernetes.io/tls`` Secret of the Ingress's namespace. One that
    is missing makes the controller serve its default (self-signed) certificate. The Secret
    may exist (in the files, in the declared cluster) or be made: by a cert-manager
    ``Certificate`` (``spec.secretName``), by cert-manager's ingress-shim (an
    ``cert-manager.io/issuer`` or ``cluster-issuer`` annotation on the Ingress), by an
    ExternalSecret or a SealedSecret."""
    cluster = ctx.cluster
    made: set[tuple[str | None, str]] = set(_secret_makers(ctx))
    for m in ctx.of_kind("Certificate"):
        name = _d(m.obj.get("spec")).get("secretName")
        if m.api_version.startswith("cert-manager.io/") and isinstance(name, str):
            made.add((m.namespace, name))
    for m in _ingresses(ctx):
        if any(a in m.annotations for a in _CERT_MANAGER_ANNOTATIONS):
            continue
        for i, tls in enumerate(_l(_d(m.obj.get("spec")).get("tls"))):
            name = _d(tls).get("secretName")
            if not isinstance(name, str) or not name:
                continue
            if (
                ctx.find("Secret", name, m.namespace) is not None
                or cluster.find_object("Secret", name, m.namespace) is not None
                or (m.namespace, name) in made
            ):
                continue
            yield _missing(
                ctx,
                m,
                "network/ingress-tls-secret",
                f"spec.tls[{i}].secretName",
                f"TLS Secret {name!r} of Ingress {m.name!r} is not made",
                "request it with a cert-manager Certificate (or the cert-manager.io/cluster-issuer "
                "annotation), make it with an ExternalSecret, or declare it in the cluster",
            )


@rule("network/ingress-class", "an Ingress names a class that is not installed")
def ingress_class(ctx: RuleContext) -> Iterator[Finding]:
    """Controllers only serve Ingresses of their own class; one whose class does not exist
    (or, without ``ingressClassName``, in a cluster with no default class) is served by no
    one, and its status stays empty. Judged only when classes are known: IngressClasses among
    the objects, or ``ingressClasses`` declared in the cluster."""
    cluster = ctx.cluster
    classes = {m.name: m for m in ctx.of_kind("IngressClass")}
    known = sorted(
        {*classes, *cluster.ingress_classes, *filter(None, [cluster.default_ingress_class])}
    )
    if not known:
        return
    default = cluster.default_ingress_class or next(
        (
            n
            for n, c in sorted(classes.items())
            if c.annotations.get(DEFAULT_INGRESS_CLASS_ANNOTATION) == "true"
        ),
        None,
    )
    for m in _ingresses(ctx):
        name = _d(m.obj.get("spec")).get("ingressClassName")
        path = "spec.ingressClassName"
        if name is None and isinstance(m.annotations.get(LEGACY_INGRESS_CLASS_ANNOTATION), str):
            name = m.annotations[LEGACY_INGRESS_CLASS_ANNOTATION]
            path = f"metadata.annotations[{LEGACY_INGRESS_CLASS_ANNOTATION!r}]"
        if name is None:
            if default is None:
                yield m.warning(
                    "network/ingress-class",
                    "spec",
                    f"Ingress {m.name!r} names no ingressClassName and no class is the "
                    f"default (classes: {', '.join(known)}): no controller may serve it",
                    f"set ingressClassName to one of {', '.join(known)}, or mark one "
                    f"default ({DEFAULT_INGRESS_CLASS_ANNOTATION}: 'true', or "
                    "defaultIngressClass in the cluster)",
                )
            continue
        if not isinstance(name, str) or name in known:
            continue
        guess = suggest(name, known)
        hint = f"did you mean {guess!r}?" if guess else f"use one of {', '.join(known)}"
        text = (
            f"Ingress {m.name!r} names class {name!r}, which is not installed "
            f"(classes: {', '.join(known)})"
        )
        if ctx.settings.get("complete") or cluster.ingress_classes or cluster.default_ingress_class:
            yield m.error("network/ingress-class", path, text + ": no controller serves it", hint)
        else:
            yield m.warning("network/ingress-class", path, text + " among the files checked", hint)


@rule("network/ingress-empty", "an Ingress with neither rules nor a default backend")
def ingress_empty(ctx: RuleContext) -> Iterator[Finding]:
    """The API server refuses an Ingress that has neither ``rules`` nor a
    ``defaultBackend``: it would route nothing. (The schema lets both be left out.)"""
    for m in _ingresses(ctx):
        if m.resource is not None:
            continue  # the construct refused it when it was built
        spec = _d(m.obj.get("spec"))
        if not spec.get("rules") and not spec.get("defaultBackend"):
            yield m.error(
                "network/ingress-empty",
                "spec",
                "an Ingress needs rules or a defaultBackend: the API server refuses one with "
                "neither",
                "add rules: [{host: ..., http: {paths: [...]}}] or a defaultBackend",
            )
