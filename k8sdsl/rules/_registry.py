"""The rule registry: small functions registered by id, run over every object of an app.

A rule reads the objects (Kubernetes dicts with their provenance) through a
:class:`RuleContext` and yields findings. The same rules run at synth and in
``k8sdsl check`` over YAML k8sdsl did not write.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from k8sdsl.core._cluster import Cluster
from k8sdsl.core._findings import Finding, ObjectRef, Severity
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._podspecs import PodSpecRef, pod_specs
from k8sdsl.core._suggest import Suggester

RuleFunc = Callable[["RuleContext"], Iterable[Finding]]
T = TypeVar("T")
#: ``object``: a rule whose findings for an object depend on that object and the settings
#: alone, so it may run over any part of the objects (one file, a shard, a worker) and the
#: parts' findings add up to the whole run's; ``set``: it looks across objects (references,
#: selectors, namespaces' labels, duplicates) and must see them all
RuleScope = Literal["object", "set"]


@dataclass(frozen=True)
class RuleInfo:
    """A registered rule: its stable id (``storage/unbound-claim``), summary and function."""

    id: str
    summary: str
    func: RuleFunc
    topic: str
    scope: RuleScope = "set"


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


#: the rules of the rule book that judge one object at a time (scope ``object``); every
#: other rule is ``set``, the safe default. tests/test_rule_scope.py holds each of these to
#: it: over every fixture, the findings of the objects one by one add up to the whole run's
OBJECT_RULES: frozenset[str] = frozenset(
    {
        *(f"abac/{n}" for n in ("grants-everything", "legacy")),
        *(
            f"apiserver/{n}"
            for n in (
                "abac-authorizer",
                "always-allow",
                "anonymous-auth",
                "invalid-authorization",
                "jwt-authenticator",
                "node-authorizer",
                "psa-enforce-privileged",
                "webhook-failure-policy",
            )
        ),
        "cni/config",
        "cni/unknown-plugin",
        "environments/production-image",
        "environments/production-replicas",
        "flannel/net-conf",
        *(f"images/{n}" for n in ("digest", "invalid-reference", "registry", "tag")),
        "kubeconfig/inline-credentials",
        "kubeconfig/insecure",
        *(
            f"kubelet/{n}"
            for n in (
                "always-allow",
                "anonymous-auth",
                "certificate-rotation",
                "client-ca",
                "event-qps",
                "kernel-defaults",
                "read-only-port",
                "serving-certificate",
                "tls-cipher-suites",
                "tls-version",
                "webhook-authentication",
            )
        ),
        "metadata/config-data",
        "metadata/names",
        *(
            f"network/{n}"
            for n in (
                "end-port-range",
                "except-outside-cidr",
                "ignored-rules",
                "implicit-policy-types",
                "ingress-empty",
                "ingress-host",
                "ingress-path",
                "invalid-cidr",
                "invalid-peer",
                "invalid-port",
                "policy-type",
            )
        ),
        "secret/sealed-data",
        *(
            f"storage/{n}"
            for n in (
                "access-mode-unsupported",
                "class-reclaim-policy",
                "delete-unsupported",
                "mount-options-unsupported",
                "read-write-once-pod-exclusive",
                "recycle-deprecated",
                "recycle-unsupported",
                "required-field",
                "volume-attributes-class-gate",
            )
        ),
        *(
            f"volumes/{n}"
            for n in (
                "bidirectional-unprivileged",
                "deprecated-plugin",
                "duplicate-mount-path",
                "duplicate-volume",
                "feature-gate",
                "git-repo",
                "image-subpath",
                "missing-source",
                "mount-path-whitespace",
                "multiple-sources",
                "read-only-source",
                "recursive-read-only",
                "removed-plugin",
                "required-field",
                "subpath-conflict",
                "subpath-no-updates",
                "unbounded-memory",
                "unknown-mount",
                "unused-volume",
            )
        ),
        *(
            f"workloads/{n}"
            for n in (
                "claim-template-storage",
                "claim-template-volume",
                "cron-limits",
                "cron-name-length",
                "cron-schedule",
                "cron-time-zone",
                "hpa-range",
                "port-range",
                "quantity",
                "replicas",
                "restart-policy",
                "selector-mismatch",
                "toleration",
            )
        ),
    }
)


def rule(
    id: str, summary: str, *, scope: RuleScope | None = None
) -> Callable[[RuleFunc], RuleFunc]:
    """Register a rule under a stable id; its docstring cites the behaviour it guards.

    ``scope`` (default: ``object`` for the ids in :data:`OBJECT_RULES`, else ``set``) says
    whether the rule judges one object at a time, so ``k8sdsl check --jobs/--shard/--cache``
    may run it over a part of the objects."""
    if "/" not in id:
        raise ValueError(f"rule id {id!r} must be 'topic/name'")
    resolved: RuleScope = scope or ("object" if id in OBJECT_RULES else "set")

    def register(func: RuleFunc) -> RuleFunc:
        if id in _RULES and _RULES[id].func is not func:
            raise ValueError(f"rule {id!r} is registered twice")
        _RULES[id] = RuleInfo(id, summary, func, id.split("/", 1)[0], resolved)
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

    def pod_specs(self) -> Iterator[tuple[Manifest, PodSpecRef]]:
        """(object, pod spec) for every pod spec of the objects (a Pod's, a workload's
        template), in input order, listed once per run: the pod rules walk these, not
        every object of the fleet."""

        def build() -> list[tuple[Manifest, PodSpecRef]]:
            return [(m, ref) for m in self.manifests for ref in pod_specs(m)]

        return iter(self.memo("k8sdsl.pod-specs", build))

    def names(self, kind: str, namespace: str | None = None) -> list[str]:
        """The names of the objects of ``kind`` in ``namespace`` (``None``: cluster-scoped
        objects, or every namespace's for a namespaced kind asked without one), in input
        order, from an index built once per run."""

        def build() -> dict[str | None, list[str]]:
            index: dict[str | None, list[str]] = {}
            for m in self.of_kind(kind):
                index.setdefault(m.namespace, []).append(m.name)
            return index

        return list(self.memo(f"k8sdsl.names:{kind}", build).get(namespace, ()))

    def suggest_name(
        self,
        kind: str,
        name: str,
        namespace: str | None = None,
        *,
        also: tuple[str, ...] = (),
    ) -> str | None:
        """'Did you mean': the name of an object of ``kind`` in ``namespace`` (or one of
        ``also``) closest to ``name``, from a :class:`Suggester` built once per kind,
        namespace and ``also`` for the whole run: a rule that asks for every object of a
        fleet stays linear."""
        key = f"k8sdsl.suggest:{kind}:{namespace}:{also!r}"
        found = self.memo(key, lambda: Suggester([*self.names(kind, namespace), *also]))
        return found.suggest(name)

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
    scope: RuleScope | None = None,
    context: RuleContext | None = None,
) -> list[Finding]:
    """Run every registered rule (or the ``only`` ids; or the rules of one ``scope``) and
    collect their findings.

    ``context``: a :class:`RuleContext` over ``manifests`` to run in, so several calls (a
    topic's rules at a time) share its indexes and models instead of building them again.

    ``k8sdsl check`` reads YAML anyone wrote, so a rule may meet a list where a map belongs.
    A rule that fails on the whole input is run again over ``well_formed`` (the objects that
    passed the strict schema, whose types are known); only a failure there too is reported,
    as ``internal/rule-failed``, and never hides the other rules' findings.
    """
    # The cyclic collector is paused while rules run: their indexes are many small,
    # long-lived containers that make no garbage cycles, and a collector walking them again
    # on every few hundred allocations makes a linear rule look quadratic over a fleet.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run_rules(
            manifests, settings, only, well_formed=well_formed, scope=scope, context=context
        )
    finally:
        if collecting:
            gc.enable()


def _run_rules(
    manifests: Sequence[Manifest],
    settings: dict[str, Any] | None,
    only: Iterable[str] | None,
    *,
    well_formed: Sequence[Manifest] | None,
    scope: RuleScope | None,
    context: RuleContext | None = None,
) -> list[Finding]:
    if context is not None and context.manifests is not manifests:
        raise ValueError("run_rules: the context given is over other objects")
    ctx = context if context is not None else RuleContext(manifests, settings or {})
    retry_ctx: RuleContext | None = None
    wanted = set(only) if only is not None else None
    findings: list[Finding] = []
    for info in registered_rules():
        if wanted is not None and info.id not in wanted:
            continue
        if scope is not None and info.scope != scope:
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
