"""Metadata rules: what the API server refuses in names, namespaces, labels and annotations.

The checker is :func:`k8sdsl.core._metadata.metadata_problems`, the same one k8sdsl's
constructs call when they are built, so YAML (and cdk8s-plus objects in a k8sdsl chart) get
the verdict and the hint a Python app gets at its line.
"""

from __future__ import annotations

from collections.abc import Iterator

from k8sdsl.core._config_data import config_data_problems
from k8sdsl.core._findings import Finding
from k8sdsl.core._metadata import metadata_problems
from k8sdsl.rules._registry import RuleContext, rule


@rule("metadata/names", "names, namespaces, label and annotation keys the API server refuses")
def names(ctx: RuleContext) -> Iterator[Finding]:
    """The API server validates metadata before anything else: a name that is not a DNS-1123
    subdomain (a DNS label for Services and Namespaces, which become DNS names), a namespace
    that is not a DNS label, a label key that is not a qualified name, a label value over 63
    characters: ``metadata.name: Invalid value: "Bad_Name"``. The strict schema cannot see
    these (they are patterns the OpenAPI documents leave out)."""
    for manifest in ctx.manifests:
        if manifest.resource is not None:
            continue  # the construct ran the same checker when it was built
        meta = manifest.metadata
        labels = meta.get("labels")
        annotations = meta.get("annotations")
        for p in metadata_problems(
            manifest.kind,
            meta.get("name"),
            meta.get("namespace"),
            labels if isinstance(labels, dict) else {},
            annotations if isinstance(annotations, dict) else {},
        ):
            yield manifest.error(p.code, p.path, p.message, p.hint)


@rule("metadata/config-data", "ConfigMap and Secret keys and sizes the API server refuses")
def config_data(ctx: RuleContext) -> Iterator[Finding]:
    """ConfigMap and Secret keys must be valid file names (letters, digits, ``-``, ``_``,
    ``.``): they become files when mounted. The API server refuses more than 1 MiB of data
    (``MaxSecretSize``), because the object is stored whole in etcd."""
    for manifest in ctx.of_kind("ConfigMap", "Secret"):
        if manifest.resource is not None:
            continue  # the construct ran the same checker when it was built
        parts = [("data", manifest.obj.get("data"), manifest.obj.get("binaryData"))]
        if manifest.kind == "Secret":
            parts.append(("stringData", manifest.obj.get("stringData"), None))
        for field, data, binary in parts:
            for p in config_data_problems(
                manifest.kind,
                data if isinstance(data, dict) else {},
                binary if isinstance(binary, dict) else {},
            ):
                if p.code.endswith("/value"):
                    continue  # the schema reports a value of the wrong type
                if p.code == "secret/too-large":
                    continue  # Secret data is base64: its encoded size is not what etcd limits
                path = field + p.path[len("data") :] if p.path.startswith("data") else p.path
                yield manifest.error(p.code, path, p.message, p.hint)
