"""Finding the pod specs inside any workload object, for rules that judge pods."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from k8sdsl.core._manifest import Manifest

#: kind -> path of the pod template's spec inside the object
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "PodTemplate": ("template", "spec"),
}


@dataclass(frozen=True, slots=True)
class PodSpecRef:
    """A pod spec found in a manifest: the spec dict, its JSON path and its pod metadata."""

    manifest: Manifest
    spec: dict[str, Any]
    path: str
    labels: dict[str, str]
    annotations: dict[str, str]
    namespace: str | None

    def containers(
        self, *, init: bool = True, ephemeral: bool = True
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """(JSON path, container) for every container, init and ephemeral ones included."""
        keys = ["containers"]
        if init:
            keys.append("initContainers")
        if ephemeral:
            keys.append("ephemeralContainers")
        for key in keys:
            items = self.spec.get(key)
            if not isinstance(items, list):  # YAML from anyone: skip what is not a list
                continue
            for i, c in enumerate(items):
                if isinstance(c, dict):
                    yield f"{self.path}.{key}[{i}]", c


def pod_specs(manifest: Manifest) -> Iterator[PodSpecRef]:
    """The pod spec of a Pod or of any workload's pod template (nothing for other kinds).

    Computed once per manifest: every pod rule asks for it.
    """
    found = manifest.cache.get("pod_specs")
    if found is None:
        found = manifest.cache["pod_specs"] = tuple(_find_pod_specs(manifest))
    return iter(found)


def _find_pod_specs(manifest: Manifest) -> Iterator[PodSpecRef]:
    route = POD_SPEC_PATHS.get(manifest.kind)
    if route is None:
        return
    node: Any = manifest.obj
    meta: Any = manifest.metadata
    for i, key in enumerate(route):
        if not isinstance(node, dict):
            return
        if key == "spec" and i == len(route) - 1 and route != ("spec",):
            meta = node.get("metadata") or {}
        node = node.get(key)
    if not isinstance(node, dict):
        return
    if not isinstance(meta, dict):
        meta = {}
    yield PodSpecRef(
        manifest=manifest,
        spec=node,
        path=".".join(route),
        labels=_string_map(meta.get("labels")),
        annotations=_string_map(meta.get("annotations")),
        namespace=manifest.namespace,
    )


def _string_map(value: Any) -> dict[str, str]:
    """A labels/annotations map as rules may read it: only string keys and values kept."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}
