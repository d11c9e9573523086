"""Workload field rules: values the API server's validation refuses although the OpenAPI
schema only types them (negative replicas, ports out of range, quantities it cannot parse),
and a controller whose selector does not select its own pods."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from k8sdsl.core._findings import Finding, K8sDslError
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._podspecs import pod_specs
from k8sdsl.core._quantity import Quantity, QuantityError
from k8sdsl.core._restart_policy import restart_policy_problem
from k8sdsl.core._selectors import LabelSelector
from k8sdsl.core._suggest import suggest
from k8sdsl.rules._registry import RuleContext, rule

_REPLICATED = ("Deployment", "ReplicaSet", "StatefulSet", "ReplicationController")
_SELECTING = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@rule("workloads/replicas", "a negative replica count")
def replicas(ctx: RuleContext) -> Iterator[Finding]:
    """``spec.replicas: Invalid value: -3: must be greater than or equal to 0``."""
    for m in ctx.of_kind(*_REPLICATED):
        spec = m.obj.get("spec")
        count = _int(spec.get("replicas")) if isinstance(spec, dict) else None
        if count is not None and count < 0:
            yield m.error(
                "workloads/replicas",
                "spec.replicas",
                f"{m.kind} {m.name!r} asks for {count} replicas; the API server refuses a "
                "negative count",
                "use 0 to stop every pod, or a positive count",
            )


def _port_findings(
    m: Manifest, path: str, value: Any, *, low: int = 1, what: str = "port"
) -> Iterator[Finding]:
    port = _int(value)
    if port is not None and not low <= port <= 65535:
        yield m.error(
            "workloads/port-range",
            path,
            f"{what} {port} is outside {low}-65535",
            "use a port number from 1 to 65535",
        )


@rule("workloads/port-range", "a port number outside 1-65535")
def port_range(ctx: RuleContext) -> Iterator[Finding]:
    """Container ports, host ports and Service ports are TCP/UDP port numbers: the API server
    refuses 0 and anything over 65535 (``must be between 1 and 65535, inclusive``)."""
    for m in ctx.manifests:
        for ps in pod_specs(m):
            for cpath, container in ps.containers():
                ports = container.get("ports")
                for i, port in enumerate(ports if isinstance(ports, list) else []):
                    if not isinstance(port, dict):
                        continue
                    base = f"{cpath}.ports[{i}]"
                    yield from _port_findings(m, f"{base}.containerPort", port.get("containerPort"))
                    if port.get("hostPort") not in (None, 0):
                        yield from _port_findings(
                            m, f"{base}.hostPort", port.get("hostPort"), what="host port"
                        )
        if m.kind == "Service":
            spec = m.obj.get("spec")
            ports = spec.get("ports") if isinstance(spec, dict) else None
            for i, port in enumerate(ports if isinstance(ports, list) else []):
                if not isinstance(port, dict):
                    continue
                base = f"spec.ports[{i}]"
                yield from _port_findings(m, f"{base}.port", port.get("port"))
                if not isinstance(port.get("targetPort"), str):
                    yield from _port_findings(
                        m, f"{base}.targetPort", port.get("targetPort"), what="target port"
                    )
                if port.get("nodePort") not in (None, 0):
                    yield from _port_findings(
                        m, f"{base}.nodePort", port.get("nodePort"), what="node port"
                    )


def _quantities(m: Manifest) -> Iterator[tuple[str, Any]]:
    for ps in pod_specs(m):
        for cpath, container in ps.containers():
            resources = container.get("resources")
            if not isinstance(resources, dict):
                continue
            for part in ("requests", "limits"):
                values = resources.get(part)
                if isinstance(values, dict):
                    for name, value in values.items():
                        yield f"{cpath}.resources.{part}.{name}", value
    spec = m.obj.get("spec")
    if not isinstance(spec, dict):
        return
    if m.kind == "PersistentVolumeClaim":
        resources = spec.get("resources")
        for part in ("requests", "limits"):
            values = resources.get(part) if isinstance(resources, dict) else None
            if isinstance(values, dict):
                for name, value in values.items():
                    yield f"spec.resources.{part}.{name}", value
    if m.kind == "PersistentVolume":
        capacity = spec.get("capacity")
        if isinstance(capacity, dict):
            for name, value in capacity.items():
                yield f"spec.capacity.{name}", value


@rule("workloads/quantity", "a resource quantity Kubernetes cannot parse")
def quantity(ctx: RuleContext) -> Iterator[Finding]:
    """Quantities use Kubernetes suffixes (``1Gi``, ``1G``, ``500m``); ``1GB`` or ``1 Gi`` is
    refused (``quantities must match the regular expression ...``). Same check and hint as
    the Python values (``value/quantity``)."""
    for m in ctx.manifests:
        for path, value in _quantities(m):
            if not isinstance(value, str | int) or isinstance(value, bool):
                continue  # the schema reports the type
            try:
                Quantity(value)
            except QuantityError as exc:
                yield m.error(
                    "value/quantity",
                    path,
                    f"{value!r} is not a Kubernetes quantity",
                    exc.hint,
                )


def _selects_by_labels(selector: dict[Any, Any], labels: dict[Any, Any]) -> bool:
    """Whether ``selector`` is a non-empty ``matchLabels`` alone that every label of
    ``labels`` satisfies: then the rule has nothing to say, whether or not the selector
    would parse (a malformed one is the schema's to report)."""
    wanted = selector.get("matchLabels")
    if len(selector) != 1 or not isinstance(wanted, dict) or not wanted:
        return False
    have = {str(k): str(v) for k, v in labels.items()}
    return all(have.get(str(k)) == str(v) for k, v in wanted.items())


@rule("workloads/selector-mismatch", "a controller whose selector does not select its pods")
def selector_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    """A Deployment, ReplicaSet, StatefulSet or DaemonSet must select the pods of its own
    template: ``spec.template.metadata.labels: Invalid value: ... `selector` does not match
    template `labels```."""
    for m in ctx.of_kind(*_SELECTING):
        spec = m.obj.get("spec")
        if not isinstance(spec, dict) or not isinstance(spec.get("selector"), dict):
            continue
        template = spec.get("template")
        meta = template.get("metadata") if isinstance(template, dict) else None
        labels = meta.get("labels") if isinstance(meta, dict) else None
        labels = labels if isinstance(labels, dict) else {}
        if _selects_by_labels(spec["selector"], labels):
            continue  # the common case, decided without building the selector
        try:
            selector = LabelSelector.from_k8s(spec["selector"])
        except (K8sDslError, ValueError, TypeError):
            continue  # the schema reports a malformed selector
        if selector.is_empty() or selector.matches({str(k): str(v) for k, v in labels.items()}):
            continue
        shown = ", ".join(f"{k}={v}" for k, v in sorted(labels.items())) or "none"
        yield m.error(
            "workloads/selector-mismatch",
            "spec.selector",
            f"{m.kind} {m.name!r} selects {_selector_text(spec['selector'])} but its pods are "
            f"labelled {shown}: the API server refuses it",
            "give the pod template the labels the selector asks for (or select the template's "
            "labels)",
        )


def _selector_text(selector: dict[str, Any]) -> str:
    labels = selector.get("matchLabels")
    parts = [f"{k}={v}" for k, v in sorted(labels.items())] if isinstance(labels, dict) else []
    exprs = selector.get("matchExpressions")
    if isinstance(exprs, list) and exprs:
        parts.append(f"{len(exprs)} expression(s)")
    return ", ".join(parts) or "nothing"


@rule("workloads/restart-policy", "a restartPolicy the workload's controller refuses")
def restart_policy(ctx: RuleContext) -> Iterator[Finding]:
    """A Deployment, ReplicaSet, StatefulSet or DaemonSet keeps its pods running, so the API
    server accepts only ``Always``; a Job or CronJob runs them to completion and refuses
    ``Always``. The schema allows any of the three, so only the apply fails."""
    for m, ps in ctx.pod_specs():
        if ps.manifest is not m or m.kind == "Pod":
            continue
        problem = restart_policy_problem(m.kind, ps.spec.get("restartPolicy"))
        if problem is not None:
            yield m.error(
                "workloads/restart-policy", f"{ps.path}.restartPolicy", problem[0], problem[1]
            )


_PROBES = ("readinessProbe", "livenessProbe", "startupProbe")


def _declared_container_ports(container: dict[str, Any]) -> tuple[set[str], set[int]]:
    names: set[str] = set()
    numbers: set[int] = set()
    ports = container.get("ports")
    for port in ports if isinstance(ports, list) else []:
        if not isinstance(port, dict):
            continue
        if isinstance(port.get("name"), str) and port["name"]:
            names.add(port["name"])
        number = _int(port.get("containerPort"))
        if number is not None:
            numbers.add(number)
    return names, numbers


@rule("workloads/probe-port", "a probe on a port its container does not declare")
def probe_port(ctx: RuleContext) -> Iterator[Finding]:
    """The kubelet resolves a named probe port among the ports of the probed container only
    (``findPortByName`` in pkg/kubelet/prober): a name it does not declare makes every probe
    fail, so a readiness probe keeps the pod not Ready for ever and a liveness or startup
    probe restarts it until CrashLoopBackOff. The API server does not check the name. A
    numeric port needs no declaration, but when the container declares its ports and the
    probe targets another one, nothing may listen there: a warning."""
    for m, ps in ctx.pod_specs():
        for cpath, container in ps.containers(init=False, ephemeral=False):
            names, numbers = _declared_container_ports(container)
            cname = container.get("name")
            for probe_key in _PROBES:
                probe = container.get(probe_key)
                if not isinstance(probe, dict):
                    continue
                for how in ("httpGet", "tcpSocket"):
                    handler = probe.get(how)
                    port = handler.get("port") if isinstance(handler, dict) else None
                    path = f"{cpath}.{probe_key}.{how}.port"
                    effect = (
                        "the pod is never Ready"
                        if probe_key == "readinessProbe"
                        else "the kubelet restarts the container until CrashLoopBackOff"
                    )
                    if isinstance(port, str) and port and not port.isdigit():
                        if port in names:
                            continue
                        guess = suggest(port, sorted(names))
                        yield m.error(
                            "workloads/probe-port",
                            path,
                            f"the {probe_key} of container {cname!r} targets port "
                            f"{port!r}, which the container does not declare (it names: "
                            f"{', '.join(sorted(names)) or 'none'}): every probe fails and "
                            f"{effect}",
                            f"did you mean {guess!r}?"
                            if guess
                            else f"name a container port {port!r}, or probe a port number",
                        )
                    elif _int(port) is not None and numbers and _int(port) not in numbers:
                        yield m.warning(
                            "workloads/probe-port",
                            path,
                            f"the {probe_key} of container {cname!r} targets port {port}, "
                            "but the container declares only "
                            f"{', '.join(str(n) for n in sorted(numbers))}: if nothing "
                            f"listens on {port}, {effect}",
                            "probe a declared port, or declare the one the process listens on",
                        )
