"""The part of Calico's selector language k8sdsl evaluates exactly, and Calico policies read
from their YAML for the reachability model.

Selectors (projectcalico/calico ``libcalico-go/lib/selector``) are evaluated only in this
subset: ``all()``, ``has(key)``, ``!has(key)``, ``key == 'value'``, ``key != 'value'`` (true
when the label is missing too), joined with ``&&``; an empty selector is ``all()``.
Anything else (``||``, ``in``, ``not in``, ``contains``, ``starts with``, parentheses,
``global()``) is not evaluated: :func:`parse_selector` returns ``None`` and the model says
"not evaluated" rather than guess.

Calico labels every workload endpoint with ``projectcalico.org/namespace`` and
``projectcalico.org/orchestrator: k8s``, and every namespace with ``projectcalico.org/name``
(:func:`calico_pod_labels`, :func:`calico_namespace_labels`).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Matcher = Callable[[Mapping[str, str]], bool]

_KEY = r"[A-Za-z0-9_./-]+"
_VALUE = r"(?:'([^']*)'|\"([^\"]*)\")"
_TERMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"all\(\s*\)"), "all"),
    (re.compile(rf"has\(\s*({_KEY})\s*\)"), "has"),
    (re.compile(rf"!\s*has\(\s*({_KEY})\s*\)"), "not-has"),
    (re.compile(rf"({_KEY})\s*==\s*{_VALUE}"), "eq"),
    (re.compile(rf"({_KEY})\s*!=\s*{_VALUE}"), "ne"),
)
#: the labels Calico adds (projectcalico/calico ``libcalico-go/lib/apis/v3``)
NAMESPACE_LABEL = "projectcalico.org/namespace"
ORCHESTRATOR_LABEL = "projectcalico.org/orchestrator"
NAMESPACE_NAME_LABEL = "projectcalico.org/name"


def _split_and(text: str) -> list[str] | None:
    """``text`` split at each ``&&`` outside quotes; ``None`` for an unterminated quote."""
    parts, current, quote, i = [], [], "", 0
    while i < len(text):
        ch = text[i]
        if quote:
            current.append(ch)
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
            current.append(ch)
        elif text.startswith("&&", i):
            parts.append("".join(current))
            current = []
            i += 1
        else:
            current.append(ch)
        i += 1
    if quote:
        return None
    parts.append("".join(current))
    return [p.strip() for p in parts]


def _term(text: str) -> Matcher | None:
    for pattern, kind in _TERMS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        if kind == "all":
            return lambda labels: True
        key = match[1]
        if kind == "has":
            return lambda labels: key in labels
        if kind == "not-has":
            return lambda labels: key not in labels
        value = match[2] if match[2] is not None else match[3]
        if kind == "eq":
            return lambda labels: labels.get(key) == value
        return lambda labels: labels.get(key) != value
    return None


def parse_selector(text: Any) -> Matcher | None:
    """A matcher for ``text`` in the evaluated subset, else ``None`` (also for a non-string)."""
    if not isinstance(text, str):
        return None
    if not text.strip():
        return lambda labels: True
    parts = _split_and(text)
    if parts is None or any(not p for p in parts):
        return None
    terms = [_term(p) for p in parts]
    if any(t is None for t in terms):
        return None
    checks = [t for t in terms if t is not None]
    return lambda labels: all(t(labels) for t in checks)


def calico_pod_labels(namespace: str, labels: Mapping[str, str]) -> dict[str, str]:
    """A pod's labels as Calico's selectors see them."""
    return {**labels, NAMESPACE_LABEL: namespace, ORCHESTRATOR_LABEL: "k8s"}


def calico_namespace_labels(namespace: str, labels: Mapping[str, str]) -> dict[str, str]:
    """A namespace's labels as Calico's namespace selectors see them."""
    return {**labels, NAMESPACE_NAME_LABEL: namespace}


# -- Calico policies, read leniently -------------------------------------------------------

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: rule fields k8sdsl does not evaluate: a policy using them is "not evaluated"
_RULE_UNEVALUATED = ("notProtocol", "http", "ipVersion", "metadata")
_ENTITY_UNEVALUATED = ("notNets", "notSelector", "notPorts", "serviceAccounts", "services")
_GLOBAL_UNEVALUATED = ("doNotTrack", "preDNAT", "applyOnForward", "serviceAccountSelector")


@dataclass(frozen=True)
class EntityView:
    """A rule's source or destination: selectors as matchers (``None`` when unset), nets,
    ports (``(low, high)`` numbers or names)."""

    selector: Matcher | None = None
    namespace_selector: Matcher | None = None
    nets: tuple[IpNetwork, ...] | None = None
    ports: tuple[tuple[int, int] | str, ...] | None = None


@dataclass(frozen=True)
class CalicoRuleView:
    action: str
    protocol: str | None
    source: EntityView
    destination: EntityView


@dataclass(frozen=True)
class CalicoPolicyView:
    """One Calico NetworkPolicy (``namespace`` set) or GlobalNetworkPolicy (``None``).
    ``unevaluated`` says why it cannot be evaluated exactly (empty when it can)."""

    kind: str
    name: str
    namespace: str | None
    order: float | None
    selector: Matcher | None
    namespace_selector: Matcher | None
    ingress: bool
    egress: bool
    ingress_rules: tuple[CalicoRuleView, ...]
    egress_rules: tuple[CalicoRuleView, ...]
    unevaluated: str = ""
    #: False when the policy's own selectors cannot be evaluated (whom it applies to)
    scope_evaluated: bool = True

    @property
    def id(self) -> str:
        if self.namespace is None:
            return f"GlobalNetworkPolicy {self.name}"
        return f"Calico NetworkPolicy {self.namespace}/{self.name}"

    @property
    def sort_key(self) -> tuple[bool, float, str]:
        """Calico's order: lower first, no order last, equal orders by name."""
        name = self.name if self.namespace is None else f"{self.namespace}/{self.name}"
        return (self.order is None, self.order or 0.0, name)


_PORT_RANGE = re.compile(r"([0-9]+):([0-9]+)")


def _ports(value: Any) -> tuple[tuple[int, int] | str, ...] | None:
    if value is None:
        return None
    out: list[tuple[int, int] | str] = []
    for port in value if isinstance(value, list) else []:
        if isinstance(port, int) and not isinstance(port, bool):
            out.append((port, port))
        elif isinstance(port, str):
            match = _PORT_RANGE.fullmatch(port)
            out.append((int(match[1]), int(match[2])) if match else port)
    return tuple(out)


def _entity(data: Any, why: list[str], where: str) -> EntityView:
    if not isinstance(data, dict):
        return EntityView()
    for key in _ENTITY_UNEVALUATED:
        if data.get(key) not in (None, [], ""):
            why.append(f"{where}.{key} is not evaluated")
    selectors: dict[str, Matcher | None] = {}
    for key in ("selector", "namespaceSelector"):
        text = data.get(key)
        if text is None:
            selectors[key] = None
            continue
        matcher = parse_selector(text)
        if matcher is None:
            why.append(f"{where}.{key} {text!r} is outside the evaluated selector subset")
        selectors[key] = matcher
    nets: tuple[IpNetwork, ...] | None = None
    if data.get("nets") is not None:
        parsed = []
        for net in data.get("nets") or []:
            try:
                parsed.append(ipaddress.ip_network(str(net), strict=False))
            except ValueError:
                continue
        nets = tuple(parsed)
    return EntityView(
        selectors["selector"], selectors["namespaceSelector"], nets, _ports(data.get("ports"))
    )


def _rules(items: Any, direction: str, why: list[str]) -> tuple[CalicoRuleView, ...]:
    out = []
    for i, rule in enumerate(items if isinstance(items, list) else []):
        if not isinstance(rule, dict):
            continue
        where = f"{direction}[{i}]"
        for key in _RULE_UNEVALUATED:
            if rule.get(key) is not None:
                why.append(f"{where}.{key} is not evaluated")
        action = rule.get("action")
        if action not in ("Allow", "Deny", "Log", "Pass"):
            why.append(f"{where}.action {action!r} is not Allow, Deny, Log or Pass")
        protocol = rule.get("protocol")
        source = _entity(rule.get("source"), why, f"{where}.source")
        if source.ports is not None:
            why.append(f"{where}.source.ports (the peer's source ports) are not evaluated")
        out.append(
            CalicoRuleView(
                str(action),
                None if protocol is None else str(protocol),
                source,
                _entity(rule.get("destination"), why, f"{where}.destination"),
            )
        )
    return tuple(out)


def read_calico_policy(obj: Mapping[str, Any], namespace: str | None) -> CalicoPolicyView:
    """The view of a Calico policy object (``namespace`` ``None`` for a global one)."""
    metadata = obj.get("metadata")
    name = str(metadata.get("name", "")) if isinstance(metadata, dict) else ""
    spec = obj.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    why: list[str] = []
    tier = spec.get("tier")
    if tier not in (None, "", "default"):
        why.append(f"tier {tier!r}: only the default tier is evaluated")
    if namespace is None:
        for key in _GLOBAL_UNEVALUATED:
            if spec.get(key) not in (None, False, ""):
                why.append(f"{key} is not evaluated")
    selector = parse_selector(spec.get("selector", ""))
    if selector is None:
        why.append(f"selector {spec.get('selector')!r} is outside the evaluated selector subset")
    namespace_selector = None
    scope_evaluated = selector is not None
    if namespace is None and spec.get("namespaceSelector") is not None:
        namespace_selector = parse_selector(spec.get("namespaceSelector"))
        if namespace_selector is None:
            scope_evaluated = False
            why.append(
                f"namespaceSelector {spec.get('namespaceSelector')!r} is outside the "
                "evaluated selector subset"
            )
    ingress_rules = _rules(spec.get("ingress"), "ingress", why)
    egress_rules = _rules(spec.get("egress"), "egress", why)
    types = spec.get("types")
    if isinstance(types, list) and types:
        ingress, egress = "Ingress" in types, "Egress" in types
    else:
        # Calico's default: Egress alone for egress rules only, else Ingress (+ Egress)
        ingress = bool(ingress_rules) or not egress_rules
        egress = bool(egress_rules)
    order = spec.get("order")
    number = (
        float(order) if isinstance(order, (int, float)) and not isinstance(order, bool) else None
    )
    return CalicoPolicyView(
        kind="GlobalNetworkPolicy" if namespace is None else "NetworkPolicy",
        name=name,
        namespace=namespace,
        order=number,
        selector=selector,
        namespace_selector=namespace_selector,
        ingress=ingress,
        egress=egress,
        ingress_rules=ingress_rules,
        egress_rules=egress_rules,
        unevaluated="; ".join(why),
        scope_evaluated=scope_evaluated,
    )
