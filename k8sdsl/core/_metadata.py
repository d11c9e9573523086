"""The metadata checks the API server makes: names per kind, namespaces, label and annotation
keys, label values. One checker, called by a construct at the user's line and by the
``metadata/names`` rule over any manifest, so Python and YAML get the same verdict."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from pydantic_core import PydanticCustomError

from k8sdsl.core._kinds import is_namespaced
from k8sdsl.core._types import (
    check_dns_label,
    check_dns_subdomain,
    check_label_key,
    check_label_value,
)

#: kinds whose names the API server holds to a DNS label (no dots): they become DNS names
#: (a Service's ``<name>.<namespace>.svc``) or path segments
DNS_LABEL_KINDS = frozenset({"Namespace", "Service"})
#: kinds whose names must also start with a letter (DNS-1035 labels)
DNS_1035_KINDS = frozenset({"Service"})


class MetadataProblem(NamedTuple):
    code: str
    path: str
    message: str
    hint: str


def _problem(fn: Any, value: Any, path: str) -> MetadataProblem | None:
    try:
        fn(value)
    except PydanticCustomError as exc:
        ctx = exc.context or {}
        return MetadataProblem(
            f"metadata/{exc.type.replace('_', '-')}",
            path,
            f"{value!r} {exc.message()}",
            str(ctx.get("hint", "")),
        )
    return None


def metadata_problems(
    kind: str,
    name: Any,
    namespace: Any,
    labels: Mapping[Any, Any],
    annotations: Mapping[Any, Any],
) -> Iterator[MetadataProblem]:
    """What the API server would refuse in an object's metadata. Values that are not
    strings are left to the schema, which reports their type."""
    checks: list[tuple[Any, Any, str]] = []
    if isinstance(name, str):
        fn = check_dns_label if kind in DNS_LABEL_KINDS else check_dns_subdomain
        checks.append((fn, name, "metadata.name"))
    if namespace is not None:
        if kind and not is_namespaced(kind):
            yield MetadataProblem(
                "metadata/cluster-scoped",
                "metadata.namespace",
                f"{kind} is cluster-scoped and has no namespace",
                "remove the namespace",
            )
        elif isinstance(namespace, str):
            checks.append((check_dns_label, namespace, "metadata.namespace"))
    for key, value in labels.items():
        if isinstance(key, str):
            checks.append((check_label_key, key, f"metadata.labels[{key!r}]"))
            if isinstance(value, str):
                checks.append((check_label_value, value, f"metadata.labels[{key!r}]"))
    for key in annotations:
        if isinstance(key, str):
            checks.append((check_label_key, key, f"metadata.annotations[{key!r}]"))
    for fn, value, path in checks:
        found = _problem(fn, value, path)
        if found is not None:
            yield found
        elif path == "metadata.name" and kind in DNS_1035_KINDS and not value[:1].isalpha():
            yield MetadataProblem(
                "metadata/dns-1035-label",
                path,
                f"{value!r} is not a {kind} name: it must start with a lowercase letter "
                "(DNS-1035), because it becomes a DNS name and environment variable prefix",
                f"use {'svc-' + value!r}",
            )
