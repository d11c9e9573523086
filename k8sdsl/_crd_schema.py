"""Strict validation of custom resources against the CRD schemas k8sdsl pins
(``k8sdsl/crd_schemas``, whose README names each file's source and release), and the
conversion of a CRD's ``openAPIV3Schema`` into such a schema (:func:`crd_to_schema`).

The API server of a cluster without an operator knows none of its kinds, so
``kubernetes-validate`` has no schema for them. The schemas here are the ``openAPIV3Schema``
of the operators' CRDs, made strict the way the official schemas are: an object that lists
its properties refuses any other key (``schema/unknown-field`` with a "did you mean").
Pinned: Calico's IPPool, FelixConfiguration, NetworkPolicy and GlobalNetworkPolicy, the
External Secrets Operator's ExternalSecret and Bitnami's SealedSecret.

A pinned kind is known by its API group and kind; each lists the apiVersions it is validated
in (Calico's ``crd.projectcalico.org/v1`` CRD form and ``projectcalico.org/v3``, what
calicoctl and the Calico API server take, have the same fields and share one schema). One
schema serves every target Kubernetes version.

``python -m k8sdsl._crd_schema CRD.yaml --version v1 --out FILE.json`` pins one more.

A user's own CRDs (the ones ``cdk8s import`` made typed classes of) are registered at run
time with :func:`register_crd` (``k8sdsl.register_crd``, ``k8sdsl check --crd FILE``): their
kinds are then validated like the pinned ones, a registered kind before a pinned one.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from k8sdsl._schema_problems import SchemaProblem, schema_problems
from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Severity

CRD_SCHEMA_DIR = Path(__file__).parent / "crd_schemas"

#: Calico's two apiVersions (the CRD form and the Calico API server's)
CALICO_API_VERSIONS = frozenset({"crd.projectcalico.org/v1", "projectcalico.org/v3"})


@dataclass(frozen=True, slots=True)
class CrdKind:
    """A custom resource kind k8sdsl validates: the apiVersions it is validated in, its
    pinned schema file (in :data:`CRD_SCHEMA_DIR`) and its scope."""

    api_versions: frozenset[str]
    kind: str
    schema: str
    namespaced: bool


def _calico(kind: str, schema: str, namespaced: bool) -> CrdKind:
    return CrdKind(CALICO_API_VERSIONS, kind, schema, namespaced)


#: every pinned kind
PINNED_KINDS: tuple[CrdKind, ...] = (
    _calico("IPPool", "ippool-crd.projectcalico.org-v1.json", False),
    _calico("FelixConfiguration", "felixconfiguration-crd.projectcalico.org-v1.json", False),
    _calico("NetworkPolicy", "networkpolicy-crd.projectcalico.org-v1.json", True),
    _calico("GlobalNetworkPolicy", "globalnetworkpolicy-crd.projectcalico.org-v1.json", False),
    # the External Secrets Operator (v1 is the only version its CRD serves) and Bitnami
    # sealed-secrets: Secrets without their values in git
    CrdKind(
        frozenset({"external-secrets.io/v1"}),
        "ExternalSecret",
        "externalsecret-external-secrets.io-v1.json",
        True,
    ),
    CrdKind(
        frozenset({"bitnami.com/v1alpha1"}),
        "SealedSecret",
        "sealedsecret-bitnami.com-v1alpha1.json",
        True,
    ),
    # GitOps controllers: Argo CD and Flux
    CrdKind(
        frozenset({"argoproj.io/v1alpha1"}),
        "Application",
        "application-argoproj.io-v1alpha1.json",
        True,
    ),
    CrdKind(
        frozenset({"argoproj.io/v1alpha1"}),
        "ApplicationSet",
        "applicationset-argoproj.io-v1alpha1.json",
        True,
    ),
    CrdKind(
        frozenset({"kustomize.toolkit.fluxcd.io/v1"}),
        "Kustomization",
        "kustomization-kustomize.toolkit.fluxcd.io-v1.json",
        True,
    ),
    CrdKind(
        frozenset({"source.toolkit.fluxcd.io/v1"}),
        "GitRepository",
        "gitrepository-source.toolkit.fluxcd.io-v1.json",
        True,
    ),
    # cert-manager
    CrdKind(frozenset({"cert-manager.io/v1"}), "Issuer", "issuer-cert-manager.io-v1.json", True),
    CrdKind(
        frozenset({"cert-manager.io/v1"}),
        "ClusterIssuer",
        "clusterissuer-cert-manager.io-v1.json",
        False,
    ),
    CrdKind(
        frozenset({"cert-manager.io/v1"}),
        "Certificate",
        "certificate-cert-manager.io-v1.json",
        True,
    ),
)

#: (apiVersion, kind) -> its pinned CRD schema
CRD_KINDS: dict[tuple[str, str], CrdKind] = {
    (api_version, c.kind): c for c in PINNED_KINDS for api_version in sorted(c.api_versions)
}

#: every apiVersion with a pinned kind: a cheap first test
CRD_API_VERSIONS = frozenset(api_version for api_version, _ in CRD_KINDS)


def is_crd_kind(api_version: str, kind: str) -> bool:
    """Whether k8sdsl pins the CRD schema of ``apiVersion``/``kind``."""
    return (api_version, kind) in CRD_KINDS


def is_crd_api_version(api_version: str) -> bool:
    """Whether a pinned or a registered kind has this apiVersion: a cheap first test."""
    return api_version in CRD_API_VERSIONS or api_version in _REGISTERED_API_VERSIONS


def crd_kind(api_version: str, kind: str) -> CrdKind | None:
    """The pinned kind of ``apiVersion``/``kind``, or ``None``."""
    return CRD_KINDS.get((api_version, kind))


@cache
def _validator(schema_file: str) -> jsonschema.Draft202012Validator:
    with open(CRD_SCHEMA_DIR / schema_file, encoding="utf-8") as fh:
        schema = json.load(fh)
    return jsonschema.Draft202012Validator(schema)


def crd_schema(api_version: str, kind: str) -> dict[str, Any]:
    """The pinned JSON schema of a custom resource kind (``KeyError`` if none is pinned)."""
    return dict(_validator(CRD_KINDS[(api_version, kind)].schema).schema)  # type: ignore[arg-type]


def problems_against(
    validator: jsonschema.protocols.Validator, obj: Mapping[str, Any]
) -> list[SchemaProblem]:
    """Every schema problem of ``obj`` against ``validator``, sorted and without repeats."""
    problems = [p for err in validator.iter_errors(obj) for p in schema_problems(err)]
    return sorted(set(problems), key=lambda p: (p.path, p.message))


def validate_crd(obj: Mapping[str, Any]) -> list[SchemaProblem] | None:
    """Every schema problem of a custom resource; ``None`` when no CRD schema is registered
    (:func:`register_crd`) or pinned for its apiVersion and kind."""
    key = (str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
    registered = _REGISTERED.get(key)
    if registered is not None:
        return problems_against(registered.validator, obj)
    found = CRD_KINDS.get(key)
    if found is None:
        return None
    return problems_against(_validator(found.schema), obj)


# --- CRDs registered at run time ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegisteredCrd:
    """One served version of a CRD registered with :func:`register_crd`: its apiVersion and
    kind, its scope, where it was read from and the validator of its strict schema."""

    api_version: str
    kind: str
    namespaced: bool
    source: str
    validator: jsonschema.Draft202012Validator


#: (apiVersion, kind) -> the registered CRD version that validates it
_REGISTERED: dict[tuple[str, str], RegisteredCrd] = {}
_REGISTERED_API_VERSIONS: set[str] = set()


def _crd_error(source: str, message: str, hint: str) -> K8sDslError:
    return K8sDslError(
        [
            Finding(
                Severity.ERROR,
                "crd/invalid",
                message,
                ObjectRef(kind="CustomResourceDefinition", source=source),
                "",
                hint,
            )
        ],
        summary="the CRD cannot be registered",
    )


def _crd_documents(
    crd: Mapping[str, Any] | str | os.PathLike[str],
) -> tuple[str, list[Mapping[str, Any]]]:
    """Where the CRD comes from, and the CustomResourceDefinitions it holds."""
    if isinstance(crd, Mapping):
        meta = crd.get("metadata")
        name = meta.get("name") if isinstance(meta, Mapping) else None
        return str(name or "<dict>"), [crd]
    import yaml

    source = os.fspath(crd)
    try:
        with open(source, encoding="utf-8") as fh:
            docs = list(yaml.safe_load_all(fh))
    except OSError as exc:
        raise _crd_error(
            source, f"cannot read {source}: {exc.strerror or exc}", "give the path of a CRD file"
        ) from None
    except yaml.YAMLError as exc:
        raise _crd_error(
            source, f"{source} is not YAML: {exc}", "give the CRD YAML that kubectl applies"
        ) from None
    items: list[Any] = []
    for doc in docs:
        if isinstance(doc, Mapping) and doc.get("kind") == "List":
            items.extend(doc.get("items") or [])
        elif doc is not None:
            items.append(doc)
    crds = [
        d for d in items if isinstance(d, Mapping) and d.get("kind") == "CustomResourceDefinition"
    ]
    if not crds:
        raise _crd_error(
            source,
            f"{source} holds no CustomResourceDefinition",
            "give the file that defines the kind (apiextensions.k8s.io/v1 "
            "CustomResourceDefinition), the one `cdk8s import` read",
        )
    return source, crds


def register_crd(
    crd: Mapping[str, Any] | str | os.PathLike[str], *, version: str | None = None
) -> list[tuple[str, str]]:
    """Validate the custom resources of a CRD at synth and in ``k8sdsl check`` against its
    ``openAPIV3Schema``, made strict like the official schemas (an unknown field is
    ``schema/unknown-field``, a wrong type ``schema/type``, a missing required field
    ``schema/required``).

    ``crd`` is a CRD as a dict, or a YAML file holding one or more (the file given to
    ``cdk8s import``). Every version the CRD lists is registered, or only ``version``.
    Returns the (apiVersion, kind) pairs registered. Registering again replaces; a
    registered kind is validated before a schema k8sdsl pins for it. Raises
    :class:`~k8sdsl.K8sDslError` (``crd/invalid``) for a file that is not a CRD or lacks the
    version.
    """
    source, crds = _crd_documents(crd)
    out: dict[tuple[str, str], RegisteredCrd] = {}
    for doc in crds:
        versions = [version] if version is not None else crd_versions(doc)
        for v in versions:
            try:
                schema = crd_to_schema(doc, v)
            except CrdError as exc:
                raise _crd_error(
                    source, str(exc), "give version= one the CRD serves, or a CRD with a schema"
                ) from None
            group = doc["spec"]["group"]
            kind = str(doc["spec"]["names"]["kind"])
            entry = RegisteredCrd(
                f"{group}/{v}",
                kind,
                (doc["spec"].get("scope") or "Namespaced") != "Cluster",
                source,
                jsonschema.Draft202012Validator(schema),
            )
            out[(entry.api_version, kind)] = entry
    _REGISTERED.update(out)
    _REGISTERED_API_VERSIONS.update(api_version for api_version, _ in out)
    return sorted(out)


def registered_crds() -> Sequence[RegisteredCrd]:
    """The CRD versions registered with :func:`register_crd`, by apiVersion and kind."""
    return [_REGISTERED[k] for k in sorted(_REGISTERED)]


def custom_kind_namespaced(api_version: str, kind: str) -> bool | None:
    """The scope a registered or pinned CRD gives its kind (``True`` for ``Namespaced``), or
    ``None`` when no CRD is known for it."""
    registered = _REGISTERED.get((api_version, kind))
    if registered is not None:
        return registered.namespaced
    pinned = CRD_KINDS.get((api_version, kind))
    return pinned.namespaced if pinned is not None else None


def forget_registered_crds() -> None:
    """Undo every :func:`register_crd` (tests that register a CRD for themselves)."""
    _REGISTERED.clear()
    _REGISTERED_API_VERSIONS.clear()


# --- converting a CRD's openAPIV3Schema ---------------------------------------------------

#: keywords kept as the CRD writes them
_KEPT = (
    "type",
    "required",
    "enum",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "multipleOf",
    "nullable",
)
_GO_FLAGS = re.compile(r"^\^\(\?([a-z]+)\)")


class CrdError(ValueError):
    """A document that is not a CRD with the asked-for version."""


def _pattern(pattern: str) -> str:
    # Go accepts flags after the anchor (^(?i)...); Python wants them first: (?i)^...
    m = _GO_FLAGS.match(pattern)
    return f"(?{m.group(1)})^{pattern[m.end() :]}" if m else pattern


def _strict(node: Mapping[str, Any]) -> dict[str, Any]:
    """One ``openAPIV3Schema`` node as a strict JSON schema (see the README of
    :data:`CRD_SCHEMA_DIR`)."""
    if node.get("x-kubernetes-int-or-string"):
        out: dict[str, Any] = {"anyOf": [{"type": "integer"}, {"type": "string"}]}
        if "pattern" in node:
            out["anyOf"][1]["pattern"] = _pattern(str(node["pattern"]))
        return out
    out = {}
    for key in _KEPT:
        if key in node:
            out[key] = _pattern(node[key]) if key == "pattern" else node[key]
    if out.pop("nullable", False) and "type" in out:
        out["type"] = [out["type"], "null"]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            out[key] = [_strict(n) for n in node[key]]
    if "not" in node:
        out["not"] = _strict(node["not"])
    if "items" in node and isinstance(node["items"], Mapping):
        out["items"] = _strict(node["items"])
    preserve = bool(node.get("x-kubernetes-preserve-unknown-fields"))
    if "properties" in node:
        out["properties"] = {k: _strict(v) for k, v in sorted(node["properties"].items())}
    extra = node.get("additionalProperties")
    if isinstance(extra, Mapping):
        out["additionalProperties"] = _strict(extra)
    elif isinstance(extra, bool):
        out["additionalProperties"] = extra
    elif "properties" in node and not preserve:
        # the API server prunes unknown fields of a structural schema: k8sdsl refuses them
        out["additionalProperties"] = False
    return out


def crd_versions(crd: Mapping[str, Any]) -> list[str]:
    """The version names a CRD serves, in its order."""
    return [str(v.get("name")) for v in crd.get("spec", {}).get("versions", []) or []]


def crd_to_schema(
    crd: Mapping[str, Any], version: str, *, api_versions: Iterable[str] = ()
) -> dict[str, Any]:
    """The strict JSON schema (draft 2020-12) of one version of a CRD: types, ``required``,
    enums, patterns, formats and bounds as the CRD writes them, descriptions and defaults
    left out, every object that lists its properties closed, ``x-kubernetes-int-or-string``
    as integer-or-string, ``apiVersion`` and ``kind`` fixed to the CRD's (and the extra
    ``api_versions``, for an API server that serves the same fields under another group)."""
    if crd.get("kind") != "CustomResourceDefinition":
        raise CrdError(f"not a CustomResourceDefinition (kind: {crd.get('kind')!r})")
    spec = crd.get("spec") or {}
    group, kind = spec.get("group"), (spec.get("names") or {}).get("kind")
    if not group or not kind:
        raise CrdError("the CRD names no spec.group or spec.names.kind")
    for served in spec.get("versions") or []:
        if served.get("name") == version:
            schema = (served.get("schema") or {}).get("openAPIV3Schema")
            break
    else:
        raise CrdError(
            f"{kind} ({group}) has no version {version!r}; it serves: "
            f"{', '.join(crd_versions(crd)) or 'none'}"
        )
    if not isinstance(schema, Mapping):
        raise CrdError(f"{kind} ({group}) version {version} has no openAPIV3Schema")
    body = _strict(schema)
    versions = sorted({f"{group}/{version}", *api_versions})
    properties = dict(body.get("properties", {}))
    properties["apiVersion"] = {"const": versions[0]} if len(versions) == 1 else {"enum": versions}
    properties["kind"] = {"const": kind}
    properties["metadata"] = {"type": "object"}
    body["properties"] = dict(sorted(properties.items()))
    body["type"] = "object"
    body["additionalProperties"] = False
    body["required"] = sorted({"apiVersion", "kind", *body.get("required", [])})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{kind} ({', '.join(versions)})",
        **body,
    }


def _main(argv: list[str] | None = None) -> int:
    import yaml

    parser = argparse.ArgumentParser(
        prog="python -m k8sdsl._crd_schema",
        description="Write the strict JSON schema of one version of a CRD (YAML file).",
    )
    parser.add_argument("crd", type=Path)
    parser.add_argument("--version", required=True, help="the CRD version, e.g. v1")
    parser.add_argument("--also", action="append", default=[], help="another apiVersion")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    docs = [d for d in yaml.safe_load_all(args.crd.read_text(encoding="utf-8")) if d]
    crds = [d for d in docs if d.get("kind") == "CustomResourceDefinition"]
    if len(crds) != 1:
        print(f"{args.crd}: expected one CustomResourceDefinition, found {len(crds)}")
        return 2
    try:
        schema = crd_to_schema(crds[0], args.version, api_versions=args.also)
    except CrdError as exc:
        print(f"{args.crd}: {exc}")
        return 2
    args.out.write_text(json.dumps(schema, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(_main())
