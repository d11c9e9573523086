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


#: (checker, text) pairs that passed, once per process: a fleet repeats the same label keys,
#: values and namespaces on every object, and each check is a regex plus a length test
_PASSED: set[tuple[Any, str]] = set()
_PASSED_MAX = 200_000


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
    # (checker, text, field, key): the path is spelled only for a text that fails
    checks: list[tuple[Any, str, str, str | None]] = []
    if isinstance(name, str):
        fn = check_dns_label if kind in DNS_LABEL_KINDS else check_dns_subdomain
        checks.append((fn, name, "metadata.name", None))
    if namespace is not None:
        if kind and not is_namespaced(kind):
            yield MetadataProblem(
                "metadata/cluster-scoped",
                "metadata.namespace",
                f"{kind} is cluster-scoped and has no namespace",
                "remove the namespace",
            )
        elif isinstance(namespace, str):
            checks.append((check_dns_label, namespace, "metadata.namespace", None))
    for key, value in labels.items():
        if isinstance(key, str):
            checks.append((check_label_key, key, "metadata.labels", key))
            if isinstance(value, str):
                checks.append((check_label_value, value, "metadata.labels", key))
    for key in annotations:
        if isinstance(key, str):
            checks.append((check_label_key, key, "metadata.annotations", key))
    passed = _PASSED
    for fn, value, field, key in checks:
        if (fn, value) in passed:
            found = None
        else:
            path = field if key is None else f"{field}[{key!r}]"
            found = _problem(fn, value, path)
            if found is None and len(passed) < _PASSED_MAX:
                passed.add((fn, value))
        if found is not None:
            yield found
        elif field == "metadata.name" and kind in DNS_1035_KINDS and not value[:1].isalpha():
            yield MetadataProblem(
                "metadata/dns-1035-label",
                field,
                f"{value!r} is not a {kind} name: it must start with a lowercase letter "
                "(DNS-1035), because it becomes a DNS name and environment variable prefix",
                f"use {'svc-' + value!r}",
            )
