"""The rule registry: small functions registered by id, run over every object of an app.

A rule reads the objects (Kubernetes dicts with their provenance) through a
:class:`RuleContext` and yields findings. The same rules run at synth and in
``k8sdsl check`` over YAML k8sdsl did not write.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from k8sdsl.core._cluster import Cluster
from k8sdsl.core._findings import Finding, ObjectRef, Severity
from k8sdsl.core._manifest import Manifest

RuleFunc = Callable[["RuleContext"], Iterable[Finding]]
T = TypeVar("T")


@dataclass(frozen=True)
class RuleInfo:
    """A registered rule: its stable id (``storage/unbound-claim``), summary and function."""

    id: str
    summary: str
    func: RuleFunc
    topic: str


_RULES: dict[str, RuleInfo] = {}
_DEFAULT_CLUSTER = Cluster()

#: the key of "any namespace" in the find() index (not a valid namespace name)
_ANY_NAMESPACE = "*"

#: modules that register rules when imported; each topic adds itself here
RULE_MODULES: tuple[str, ...] = (
    "k8sdsl.rules.volumes",
    "k8sdsl.rules.storage",
    "k8sdsl.rules.pod_security",
    "k8sdsl.rules.images",
    "k8sdsl.rules.network",
    "k8sdsl.rules.ingress",
    "k8sdsl.rules.metadata",
    "k8sdsl.rules.workloads",
    "k8sdsl.rules.controllers",
    "k8sdsl.rules.scheduling",
    "k8sdsl.rules.references",
    "k8sdsl.rules.rbac",
    "k8sdsl.rules.admission",
    "k8sdsl.rules.node_config",
    "k8sdsl.rules.control_plane",
    "k8sdsl.rules.abac",
    "k8sdsl.rules.kubeconfig",
    "k8sdsl.rules.cni",
    "k8sdsl.rules.calico",
    "k8sdsl.rules.secrets",
    "k8sdsl.rules.environments",
    "k8sdsl.rules.kustomize",
    "k8sdsl.rules.gitops",
    "k8sdsl.rules.tls",
)


def rule(id: str, summary: str) -> Callable[[RuleFunc], RuleFunc]:
    """Register a rule under a stable id; its docstring cites the behaviour it guards."""
    if "/" not in id:
        raise ValueError(f"rule id {id!r} must be 'topic/name'")

    def register(func: RuleFunc) -> RuleFunc:
        if id in _RULES and _RULES[id].func is not func:
            raise ValueError(f"rule {id!r} is registered twice")
        _RULES[id] = RuleInfo(id, summary, func, id.split("/", 1)[0])
        return func

    return register


_loaded = False


def load_rules() -> None:
    """Import every rule module once (they register themselves)."""
    global _loaded
    if _loaded:
        return
    for module in RULE_MODULES:
        # a missing rule module is a broken install, not an empty topic: fail loudly
        importlib.import_module(module)
    _loaded = True


def registered_rules() -> list[RuleInfo]:
    load_rules()
    return [_RULES[k] for k in sorted(_RULES)]


@dataclass
class RuleContext:
    """What a rule sees: every object of the app (or of the files checked) and the settings."""

    manifests: Sequence[Manifest]
    settings: dict[str, Any] = field(default_factory=dict)
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def cluster(self) -> Cluster:
        """The declared cluster (``App(cluster=...)``, ``k8sdsl check --cluster FILE``), or
        the default one: kubeadm's ranges, ``cluster.local``, nothing installed."""
        declared = self.settings.get("cluster")
        return declared if isinstance(declared, Cluster) else _DEFAULT_CLUSTER

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per run, shared by every rule that asks for ``key`` (a model
        several rules read, such as the network reachability model). Nothing is stored when
        ``compute`` raises, so each rule that asks sees the error itself."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]

    def of_kind(self, *kinds: str) -> list[Manifest]:
        """The objects of these kinds, in input order, from an index built once per run
        (every rule asks: one pass over the objects serves them all)."""

        def build() -> dict[str, list[tuple[int, Manifest]]]:
            index: dict[str, list[tuple[int, Manifest]]] = {}
            for i, m in enumerate(self.manifests):
                index.setdefault(m.kind, []).append((i, m))
            return index

        index = self.memo("k8sdsl.by-kind", build)
        if len(kinds) == 1:
            return [m for _, m in index.get(kinds[0], ())]
        found = [entry for kind in set(kinds) for entry in index.get(kind, ())]
        return [m for _, m in sorted(found, key=lambda entry: entry[0])]

    def find(self, kind: str, name: str, namespace: str | None = None) -> Manifest | None:
        """The first object of ``kind`` named ``name`` (in ``namespace``, when given).

        Looked up in an index built once per run: a rule that calls ``find`` for every
        object stays linear over a fleet, not quadratic."""

        def build() -> dict[tuple[str, str, str | None], Manifest]:
            index: dict[tuple[str, str, str | None], Manifest] = {}
            for m in self.manifests:
                index.setdefault((m.kind, m.name, m.namespace), m)
                index.setdefault((m.kind, m.name, _ANY_NAMESPACE), m)
            return index

        key = (kind, name, _ANY_NAMESPACE if namespace is None else namespace)
        return self.memo("k8sdsl.rules:find-index", build).get(key)


def run_rules(
    manifests: Sequence[Manifest],
    settings: dict[str, Any] | None = None,
    only: Iterable[str] | None = None,
    *,
    well_formed: Sequence[Manifest] | None = None,
) -> list[Finding]:
    """Run every registered rule (or the ``only`` ids) and collect their findings.

    ``k8sdsl check`` reads YAML anyone wrote, so a rule may meet a list where a map belongs.
    A rule that fails on the whole input is run again over ``well_formed`` (the objects that
    passed the strict schema, whose types are known); only a failure there too is reported,
    as ``internal/rule-failed``, and never hides the other rules' findings.
    """
    ctx = RuleContext(manifests, settings or {})
    retry_ctx: RuleContext | None = None
    wanted = set(only) if only is not None else None
    findings: list[Finding] = []
    for info in registered_rules():
        if wanted is not None and info.id not in wanted:
            continue
        try:
            findings.extend(list(info.func(ctx)))
            continue
        except Exception as exc:  # noqa: BLE001 - reported below, with the rule's id
            error: Exception = exc
        if well_formed is not None and len(well_formed) < len(manifests):
            retry_ctx = retry_ctx or RuleContext(well_formed, settings or {})
            try:
                findings.extend(list(info.func(retry_ctx)))
                continue
            except Exception as exc:  # noqa: BLE001
                error = exc
        findings.append(
            Finding(
                Severity.ERROR,
                "internal/rule-failed",
                f"rule {info.id} failed: {type(error).__name__}: {error}",
                ObjectRef(source=info.id),
                hint="this is a k8sdsl bug; please report it with the input",
            )
        )
    return findings
