"""Strict validation of the custom resources whose CRD schemas k8sdsl pins
(``k8sdsl/crd_schemas``): Calico's IPPool, FelixConfiguration, NetworkPolicy and
GlobalNetworkPolicy.

The API server of a cluster without Calico knows none of these kinds, so
``kubernetes-validate`` has no schema for them. The schemas here are the ``openAPIV3Schema``
of Calico's CRDs (the folder's README names the release and commit), made strict the way
the official schemas are: an object that lists its properties refuses any other key
(``schema/unknown-field`` with a "did you mean"). ``crd.projectcalico.org/v1`` is the CRD
form; ``projectcalico.org/v3`` (what calicoctl and the Calico API server take) has the same
fields and is validated against the same schema. One schema serves every target version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from k8sdsl._schema_problems import SchemaProblem, schema_problems

CRD_SCHEMA_DIR = Path(__file__).parent / "crd_schemas"

#: the API groups whose kinds k8sdsl pins CRD schemas for: a cheap first test
CALICO_API_VERSIONS = frozenset({"crd.projectcalico.org/v1", "projectcalico.org/v3"})


@dataclass(frozen=True, slots=True)
class CrdKind:
    """A custom resource kind k8sdsl validates: its pinned schema and its scope."""

    kind: str
    schema: str
    namespaced: bool


#: kind -> its pinned CRD schema (both Calico apiVersions)
CRD_KINDS: dict[str, CrdKind] = {
    c.kind: c
    for c in (
        CrdKind("IPPool", "ippool-crd.projectcalico.org-v1.json", False),
        CrdKind("FelixConfiguration", "felixconfiguration-crd.projectcalico.org-v1.json", False),
        CrdKind("NetworkPolicy", "networkpolicy-crd.projectcalico.org-v1.json", True),
        CrdKind("GlobalNetworkPolicy", "globalnetworkpolicy-crd.projectcalico.org-v1.json", False),
    )
}


def is_crd_kind(api_version: str, kind: str) -> bool:
    """Whether k8sdsl pins the CRD schema of ``apiVersion``/``kind``."""
    return api_version in CALICO_API_VERSIONS and kind in CRD_KINDS


@cache
def _validator(kind: str) -> jsonschema.Draft202012Validator:
    with open(CRD_SCHEMA_DIR / CRD_KINDS[kind].schema, encoding="utf-8") as fh:
        schema = json.load(fh)
    return jsonschema.Draft202012Validator(schema)


def crd_schema(kind: str) -> dict[str, Any]:
    """The pinned JSON schema of a Calico custom resource kind."""
    return dict(_validator(kind).schema)  # type: ignore[arg-type]


def validate_crd(obj: dict[str, Any]) -> list[SchemaProblem] | None:
    """Every schema problem of a Calico custom resource; ``None`` when the object is not
    one of the kinds of :data:`CRD_KINDS` in a Calico apiVersion."""
    api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
    if not is_crd_kind(api_version, kind):
        return None
    validator = _validator(kind)
    problems = [p for err in validator.iter_errors(obj) for p in schema_problems(err)]
    return sorted(set(problems), key=lambda p: (p.path, p.message))
