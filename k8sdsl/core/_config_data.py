"""The API server's checks of ConfigMap and Secret data: keys and the 1 MiB limit. One
checker, called by the ConfigMap construct and by the ``configmap/data`` rule on YAML."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic_core import PydanticCustomError

from k8sdsl.core._metadata import MetadataProblem
from k8sdsl.core._types import check_config_key

#: the API server's limit on a ConfigMap's or Secret's data (``MaxSecretSize``, 1 MiB)
MAX_CONFIGMAP_BYTES = 1024 * 1024


def config_key_ok(key: object) -> bool:
    if not isinstance(key, str):
        return False
    try:
        check_config_key(key)
    except PydanticCustomError:
        return False
    return True


def _decoded_size(text: str) -> int:
    """The bytes a base64 ``binaryData`` value holds (the API server counts those)."""
    body = "".join(text.split())
    return len(body) * 3 // 4 - len(body) + len(body.rstrip("="))


def config_data_problems(
    kind: str, data: Mapping[Any, Any], binary_data: Mapping[Any, Any] | None = None
) -> Iterator[MetadataProblem]:
    """Keys the API server refuses (a key in both data and binaryData too), values that are
    not strings, and data over 1 MiB (the sum of the values' bytes, binaryData decoded, as
    the API server counts it)."""
    code = kind.lower()
    size = 0
    for field, mapping in (("data", data), ("binaryData", binary_data or {})):
        for key, value in mapping.items():
            if not config_key_ok(key):
                yield MetadataProblem(
                    f"{code}/key",
                    f"{field}[{key!r}]",
                    f"{key!r} is not a valid {kind} key",
                    "use letters, digits, '-', '_' and '.' (at most 253 characters)",
                )
            elif field == "binaryData" and key in data:
                yield MetadataProblem(
                    f"{code}/key",
                    f"{field}[{key!r}]",
                    f"{key!r} is a key of both data and binaryData (the API server refuses "
                    "a duplicate key)",
                    "rename one of them",
                )
            if isinstance(value, bytes) and field == "binaryData":
                size += len(value)
            elif isinstance(value, str) and field == "binaryData":
                size += _decoded_size(value)
            elif isinstance(value, str):
                size += len(value.encode("utf-8"))
            elif field == "data" and kind == "ConfigMap":
                yield MetadataProblem(
                    f"{code}/value",
                    f"{field}[{key!r}]",
                    f"value of {key!r} is {type(value).__name__}, not a string",
                    f"use {str(value)!r}",
                )
    if size > MAX_CONFIGMAP_BYTES:
        yield MetadataProblem(
            f"{code}/too-large",
            "data",
            f"the data holds {size:,} bytes; the API server refuses a {kind} over "
            f"{MAX_CONFIGMAP_BYTES:,} bytes (1 MiB)",
            f"split it over several {kind}s, or mount large files from a volume",
        )
