"""Namespaces and ConfigMaps: the plainest objects, used by every app."""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from k8sdsl.core._config_data import config_data_problems
from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity


class Namespace(Resource):
    """A Namespace. ``labels`` carry, for example, ``pod-security.kubernetes.io/enforce``."""

    api_version: ClassVar[str] = "v1"
    kind: ClassVar[str] = "Namespace"


class ConfigMap(Resource):
    """A ConfigMap with string ``data`` and ``binary_data`` (bytes, written base64 as
    ``binaryData``). Keys are file names (letters, digits, ``-``, ``_`` and ``.``), unique
    across both; the whole is at most 1 MiB. ``ConfigMap.from_files`` reads files."""

    api_version: ClassVar[str] = "v1"
    kind: ClassVar[str] = "ConfigMap"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        data: Mapping[str, str] | None = None,
        binary_data: Mapping[str, bytes] | None = None,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope, id, name=name, namespace=namespace, labels=labels, annotations=annotations
        )
        self.data: dict[str, str] = dict(data or {})
        self.binary_data: dict[str, bytes] = dict(binary_data or {})
        problems = [
            Finding(Severity.ERROR, p.code, p.message, self.ref(), p.path, p.hint)
            for p in config_data_problems(self.kind, self.data, self.binary_data)
        ]
        for key, value in self.binary_data.items():
            if not isinstance(value, bytes):
                problems.append(
                    Finding(
                        Severity.ERROR,
                        "configmap/value",
                        f"binary_data value of {key!r} is {type(value).__name__}, not bytes",
                        self.ref(),
                        f"binaryData[{key!r}]",
                        "pass bytes (b'...'), or put text into data",
                    )
                )
        if problems:
            raise K8sDslError(problems, summary=f"invalid ConfigMap at {self.node.path}")

    @classmethod
    def from_files(
        cls,
        scope: Construct,
        id: str,
        /,
        *,
        paths: Sequence[str | os.PathLike[str]],
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> ConfigMap:
        """A ConfigMap with one key per file, named after the file (as ``kubectl create
        configmap --from-file``). The files are read now, when the app is defined: UTF-8
        text goes to ``data``, anything else to ``binaryData``. Relative paths are relative
        to the working directory."""
        data: dict[str, str] = {}
        binary: dict[str, bytes] = {}
        where = f"{scope.node.path}/{id}".lstrip("/") if isinstance(scope, Construct) else id
        problems: list[Finding] = []
        for i, raw in enumerate(paths):
            path = Path(raw)
            key = path.name
            ref = ObjectRef("v1", "ConfigMap", name or id, namespace, where)
            if key in data or key in binary:
                problems.append(
                    Finding(
                        Severity.ERROR,
                        "configmap/key",
                        f"two files are named {key!r}: each file is one key",
                        ref,
                        f"paths[{i}]",
                        "rename one file, or put them into two ConfigMaps",
                    )
                )
                continue
            try:
                content = path.read_bytes()
            except OSError as exc:
                problems.append(
                    Finding(
                        Severity.ERROR,
                        "configmap/file",
                        f"cannot read {str(path)!r}: {exc.strerror or exc}",
                        ref,
                        f"paths[{i}]",
                        "give the path of a readable file (relative paths start at the "
                        "working directory)",
                    )
                )
                continue
            try:
                data[key] = content.decode("utf-8")
            except UnicodeDecodeError:
                binary[key] = content
        if problems:
            raise K8sDslError(problems, summary=f"invalid ConfigMap at {where}")
        return cls(
            scope,
            id,
            data=data,
            binary_data=binary,
            name=name,
            namespace=namespace,
            labels=labels,
            annotations=annotations,
        )

    def _body(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.data:
            body["data"] = dict(self.data)
        if self.binary_data:
            body["binaryData"] = {
                k: base64.b64encode(v).decode("ascii") for k, v in self.binary_data.items()
            }
        return body


__all__ = ["ConfigMap", "Namespace"]
