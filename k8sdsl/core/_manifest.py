"""A Kubernetes object as rules see it: the dict plus where it came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from k8sdsl.core._findings import Finding, ObjectRef, Severity
from k8sdsl.core._versions import K8sVersion


@dataclass(slots=True)
class Manifest:
    """One object of an app or of a YAML file.

    Rules read ``obj`` (the Kubernetes dict, camelCase), so the same rules judge objects
    k8sdsl built and YAML someone else wrote. ``resource`` is the k8sdsl construct that built
    the object, when there is one; ``source`` is its construct path or ``file:line``.
    """

    obj: dict[str, Any]
    source: str
    k8s_version: K8sVersion
    chart: str = ""
    resource: Any = None
    #: set on objects read from YAML: JSON path -> line, for findings that point at a line
    lines: Mapping[str, int] = field(default_factory=dict)
    #: where the object sits in its document's ``lines`` (``items[3].`` for an item of a List)
    line_prefix: str = ""
    #: set on a copy read "through a typo": corrected path -> the path as written
    #: (``spec.persistentVolumeReclaimPolicy`` -> ``spec.PersistentVolumeReclaimPolicy``)
    renamed: Mapping[str, str] = field(default_factory=dict)
    #: derived facts computed once and shared by rules (for example the pod specs)
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def api_version(self) -> str:
        return str(self.obj.get("apiVersion", ""))

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind", ""))

    @property
    def metadata(self) -> dict[str, Any]:
        meta = self.obj.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def name(self) -> str:
        return str(self.metadata.get("name", ""))

    @property
    def namespace(self) -> str | None:
        ns = self.metadata.get("namespace")
        return str(ns) if ns else None

    @property
    def labels(self) -> dict[str, str]:
        labels = self.metadata.get("labels")
        return labels if isinstance(labels, dict) else {}

    @property
    def annotations(self) -> dict[str, str]:
        ann = self.metadata.get("annotations")
        return ann if isinstance(ann, dict) else {}

    def ref(self, path: str = "") -> ObjectRef:
        source = self.source
        if path and self.lines:
            line = self.lines.get(self.line_prefix + path)
            if line is not None and ":" in source:
                source = f"{source.rsplit(':', 1)[0]}:{line}"
        return ObjectRef(self.api_version, self.kind, self.name, self.namespace, source)

    def finding(
        self,
        severity: Severity,
        code: str,
        path: str,
        message: str,
        hint: str = "",
    ) -> Finding:
        """A finding about this object at ``path`` (``spec.volumes[0].nfs.server``)."""
        for corrected, written in self.renamed.items():
            if path == corrected or path.startswith((corrected + ".", corrected + "[")):
                path = written + path[len(corrected) :]
                old_key = written.rsplit(".", 1)[-1]
                new_key = corrected.rsplit(".", 1)[-1]
                message += f" (read as if {old_key!r} were {new_key!r}; see schema/unknown-field)"
                break
        return Finding(severity, code, message, self.ref(path), path, hint)

    def error(self, code: str, path: str, message: str, hint: str = "") -> Finding:
        return self.finding(Severity.ERROR, code, path, message, hint)

    def warning(self, code: str, path: str, message: str, hint: str = "") -> Finding:
        return self.finding(Severity.WARNING, code, path, message, hint)

    def info(self, code: str, path: str, message: str, hint: str = "") -> Finding:
        return self.finding(Severity.INFO, code, path, message, hint)
