"""Namespaces and ConfigMaps: the plainest objects, used by every app."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic_core import PydanticCustomError

from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._findings import Finding, K8sDslError, Severity
from k8sdsl.core._types import check_config_key


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
        bad = [k for k in self.data if not _config_key_ok(k)]
        bad_values = [k for k, v in self.data.items() if not isinstance(v, str)]
        # the API server sums the values' bytes and refuses more than 1 MiB (MaxSecretSize)
        size = sum(len(v.encode("utf-8")) for v in self.data.values() if isinstance(v, str))
        problems = [
            Finding(
                Severity.ERROR,
                "configmap/key",
                f"{k!r} is not a valid ConfigMap key",
                self.ref(),
                f"data[{k!r}]",
                "use letters, digits, '-', '_' and '.' (at most 253 characters)",
            )
            for k in bad
        ] + [
            Finding(
                Severity.ERROR,
                "configmap/value",
                f"value of {k!r} is {type(self.data[k]).__name__}, not a string",
                self.ref(),
                f"data[{k!r}]",
                f"use {str(self.data[k])!r}",
            )
            for k in bad_values
        ]
        if size > MAX_CONFIGMAP_BYTES:
            problems.append(
                Finding(
                    Severity.ERROR,
                    "configmap/too-large",
                    f"the data holds {size:,} bytes; the API server refuses a ConfigMap "
                    f"over {MAX_CONFIGMAP_BYTES:,} bytes (1 MiB)",
                    self.ref(),
                    "data",
                    "split it over several ConfigMaps, or mount large files from a volume",
                )
            )
        if problems:
            raise K8sDslError(problems, summary=f"invalid ConfigMap at {self.node.path}")

    def _body(self) -> dict[str, Any]:
        return {"data": dict(self.data)} if self.data else {}


#: the API server's limit on a ConfigMap's data (``MaxSecretSize``, 1 MiB)
MAX_CONFIGMAP_BYTES = 1024 * 1024


def _config_key_ok(key: object) -> bool:
    if not isinstance(key, str):
        return False
    try:
        check_config_key(key)
    except PydanticCustomError:
        return False
    return True


__all__ = ["ConfigMap", "Namespace"]
