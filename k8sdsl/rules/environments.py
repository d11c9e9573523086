"""Production is not weaker than the defaults. Objects labelled ``k8sdsl.io/production:
"true"`` (every object of a chart of a production :class:`~k8sdsl.Environment`, or
hand-written YAML labelled so) are held to the minimums a dev environment may skip:

* ``environments/production-replicas`` (error): a Deployment or StatefulSet with fewer than
  2 replicas (unset is 1): one node drain or one crash is an outage.
* ``environments/production-pdb`` (error): no PodDisruptionBudget in its namespace selects
  its pods: a node drain may evict every replica at once.
* ``environments/production-image`` (error): an image without a tag or with ``latest``: what
  runs in production changes without a change in git, and a rollback does not roll back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from k8sdsl.core._environment import PRODUCTION_LABEL
from k8sdsl.core._findings import Finding, K8sDslError
from k8sdsl.core._images import ImageReference, ImageReferenceError
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._podspecs import pod_specs
from k8sdsl.core._selectors import LabelSelector
from k8sdsl.rules._registry import RuleContext, rule

#: the workloads whose replica count and budget production checks
_REPLICATED = ("Deployment", "StatefulSet")
MIN_PRODUCTION_REPLICAS = 2


def is_production(m: Manifest) -> bool:
    return str(m.labels.get(PRODUCTION_LABEL, "")).lower() == "true"


def _spec(m: Manifest) -> dict[str, Any]:
    spec = m.obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def _production_workloads(ctx: RuleContext) -> Iterator[Manifest]:
    for m in ctx.of_kind(*_REPLICATED):
        if is_production(m):
            yield m


@rule("environments/production-replicas", "production workloads run at least 2 replicas")
def production_replicas(ctx: RuleContext) -> Iterator[Finding]:
    """A single replica goes down with its node: a drain for an upgrade, a crash, an
    eviction. Production runs at least two, so one can go while the other serves."""
    for m in _production_workloads(ctx):
        raw = _spec(m).get("replicas", 1)
        if not isinstance(raw, int) or isinstance(raw, bool) or raw >= MIN_PRODUCTION_REPLICAS:
            continue
        yield m.error(
            "environments/production-replicas",
            "spec.replicas",
            f"{m.kind} {m.name!r} is production ({PRODUCTION_LABEL}=true) and runs {raw} "
            f"replica(s): one node drain or crash is an outage",
            f"give the production environment's values replicas >= {MIN_PRODUCTION_REPLICAS}",
        )


def _budgets(ctx: RuleContext) -> dict[str | None, list[LabelSelector]]:
    def build() -> dict[str | None, list[LabelSelector]]:
        out: dict[str | None, list[LabelSelector]] = {}
        for pdb in ctx.of_kind("PodDisruptionBudget"):
            raw = _spec(pdb).get("selector")
            if not isinstance(raw, dict):
                continue  # policy/v1: no selector selects no pod
            try:
                selector = LabelSelector.from_k8s(raw)
            except (ValueError, TypeError, K8sDslError):
                continue  # the schema reports a malformed selector
            out.setdefault(pdb.namespace, []).append(selector)
        return out

    return ctx.memo("environments/budgets", build)


@rule("environments/production-pdb", "production workloads have a PodDisruptionBudget")
def production_pdb(ctx: RuleContext) -> Iterator[Finding]:
    """``kubectl drain`` (node upgrades, autoscaler scale-down) evicts pods through the
    eviction API, which only a PodDisruptionBudget slows down: without one every replica
    of a production workload may be evicted at the same moment."""
    budgets = _budgets(ctx)
    for m in _production_workloads(ctx):
        refs = list(pod_specs(m))
        if not refs:
            continue
        labels = refs[0].labels
        if any(s.matches(labels) for s in budgets.get(m.namespace, [])):
            continue
        yield m.error(
            "environments/production-pdb",
            "spec.template.metadata.labels",
            f"{m.kind} {m.name!r} is production and no PodDisruptionBudget in namespace "
            f"{m.namespace or 'default'!r} selects its pods: a drain may evict all at once",
            "add a PodDisruptionBudget selecting its pods: "
            "PodDisruptionBudget.for_workload(workload, max_unavailable=1)",
        )


@rule("environments/production-image", "production images name a fixed tag or digest")
def production_image(ctx: RuleContext) -> Iterator[Finding]:
    """In production a floating image (no tag, ``latest``) is an error, not the warning of
    ``images/tag``: a restart may pull code nobody reviewed, and git cannot roll it back."""
    for m in ctx.manifests:
        if not is_production(m):
            continue
        for ref in pod_specs(m):
            for path, c in ref.containers():
                image = c.get("image")
                if not isinstance(image, str):
                    continue
                try:
                    parsed = ImageReference.parse(image)
                except ImageReferenceError:
                    continue  # images/invalid-reference reports it
                if not parsed.floating:
                    continue
                what = "has no tag" if parsed.tag is None else "uses the latest tag"
                yield m.error(
                    "environments/production-image",
                    f"{path}.image",
                    f"production image {image!r} {what}: what runs can change without a "
                    "change in git",
                    "give the production environment's values a version tag or a digest",
                )
