"""Namespaces and ConfigMaps: the plainest objects, used by every app."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from k8sdsl.core._config_data import config_data_problems
from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._findings import Finding, K8sDslError, Severity


class Namespace(Resource):
    """A Namespace. ``labels`` carry, for example, ``pod-security.kubernetes.io/enforce``."""

    api_version: ClassVar[str] = "v1"
    kind: ClassVar[str] = "Namespace"


class ConfigMap(Resource):
    """A ConfigMap with string ``data`` (keys: letters, digits, ``-``, ``_`` and ``.``)."""

    api_version: ClassVar[str] = "v1"
    kind: ClassVar[str] = "ConfigMap"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        data: Mapping[str, str] | None = None,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope, id, name=name, namespace=namespace, labels=labels, annotations=annotations
        )
        self.data: dict[str, str] = dict(data or {})
        problems = [
            Finding(Severity.ERROR, p.code, p.message, self.ref(), p.path, p.hint)
            for p in config_data_problems(self.kind, self.data)
        ]
        if problems:
            raise K8sDslError(problems, summary=f"invalid ConfigMap at {self.node.path}")

    def _body(self) -> dict[str, Any]:
        return {"data": dict(self.data)} if self.data else {}


__all__ = ["ConfigMap", "Namespace"]
