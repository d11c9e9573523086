"""The check pipeline, in one place: strict schema, every rule, duplicate objects, one report.

``App.check``/``App.synth`` (objects k8sdsl built, the whole app) and ``k8sdsl check``
(YAML anyone wrote, maybe a part of an app) both call :func:`check_manifests`, so a file
gets the verdicts at the command line that its objects got at synth.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from k8sdsl._config_schema import is_config_kind
from k8sdsl._schema import schemas_for
from k8sdsl._schema_problems import path_to_text
from k8sdsl.core._cluster import Cluster
from k8sdsl.core._findings import Finding, Report
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._removed_apis import removed_api
from k8sdsl.core._versions import K8sVersion
from k8sdsl.rules._registry import run_rules


def rule_settings(
    cluster: Cluster,
    k8s_version: K8sVersion,
    *,
    complete: bool,
    profile: str | None = None,
) -> dict[str, Any]:
    """What every rule reads besides the objects: the declared cluster, whether the objects
    are the whole app (dangling references are errors, else warnings), the target version,
    and the pod-security ``profile`` to hold every pod to (``k8sdsl check --profile``)."""
    settings: dict[str, Any] = {
        "allowed_registries": cluster.allowed_registries,
        "cluster_domain": cluster.cluster_domain,
        "cluster": cluster,
        "complete": complete,
        "k8s_version": k8s_version,
    }
    if profile is not None:
        settings["profile"] = profile
    return settings


def check_manifests(
    manifests: Sequence[Manifest],
    settings: dict[str, Any],
    problems: Iterable[Finding] = (),
) -> Report:
    """Every finding for ``manifests``: the strict schema of each object's version, every
    registered rule (a rule that trips on malformed input runs again over the objects the
    schema passed), two objects with one identity, and the ``problems`` found while reading."""
    findings, valid = schema_check(manifests)
    findings.extend(problems)
    findings.extend(run_rules(read_through_typos(manifests), settings, well_formed=valid))
    findings.extend(duplicate_findings(manifests))
    return Report.of(findings)


def schema_findings(manifests: Sequence[Manifest]) -> list[Finding]:
    """Every schema error of every object, against its chart's target version (strict)."""
    return schema_check(manifests)[0]


def schema_check(
    manifests: Sequence[Manifest],
    *,
    counts: Mapping[tuple[str, str, str], int] | None = None,
) -> tuple[list[Finding], list[Manifest]]:
    """Schema findings, and the objects that passed the strict schema of their version.

    ``counts``: how many objects of each (version, apiVersion, kind) the run validates, when
    ``manifests`` are a part of it (default: ``manifests`` themselves)."""
    findings: list[Finding] = []
    valid: list[Manifest] = []
    # how many objects of each kind: compiling a kind's validator pays off only for many
    if counts is None:
        counts = Counter((str(m.k8s_version), m.api_version, m.kind) for m in manifests)
    for m in manifests:
        version = str(m.k8s_version)
        schemas = schemas_for(version)
        problems = schemas.validate(m.obj, expected=counts[version, m.api_version, m.kind])
        if problems is None:
            gone = removed_api(m.api_version, m.kind, m.k8s_version)
            if gone is not None:
                findings.append(
                    m.error(
                        "schema/removed-api",
                        "apiVersion",
                        f"{m.api_version} {m.kind} was removed in Kubernetes {gone.removed_in}: "
                        f"the API server of {m.k8s_version} refuses it",
                        gone.note or f"use apiVersion: {gone.replacement}",
                    )
                )
                continue
            guess = schemas.suggest_kind(m.kind) if m.kind else None
            findings.append(
                m.warning(
                    "schema/unknown-kind",
                    "kind",
                    f"no Kubernetes {m.k8s_version} schema for {m.api_version} {m.kind}; "
                    "the object was not schema-checked",
                    f"did you mean kind {guess!r}?"
                    if guess and guess != m.kind.lower()
                    else "a custom resource: give its CRD, k8sdsl.register_crd(FILE) at synth "
                    "or --crd FILE to check, to validate it against the CRD's schema",
                )
            )
            continue
        for p in problems:
            findings.append(m.error(p.code, p.path, p.message, p.hint))
        corrections = [p.correction for p in problems if p.correction is not None]
        if corrections:
            m.cache[_CORRECTIONS] = corrections
        if not problems:
            valid.append(m)
    return findings, valid


_CORRECTIONS = "k8sdsl.schema.corrections"


def read_through_typos(manifests: Sequence[Manifest]) -> list[Manifest]:
    """The objects as the rules judge them: one whose unknown key has a single likely meaning
    (``PersistentVolumeReclaimPolicy`` -> ``persistentVolumeReclaimPolicy``, ``nfs-PVC``'s
    ``PersistentVolumeClaim`` -> ``persistentVolumeClaim``) is read as if corrected, so the
    typo does not hide the rules on that field; their findings point at the key as written
    and say so. The schema still reports the typo."""
    out: list[Manifest] = []
    for m in manifests:
        corrections = m.cache.get(_CORRECTIONS)
        if not corrections:
            out.append(m)
            continue
        obj = copy.deepcopy(m.obj)
        renamed: dict[str, str] = {}
        for parent, key, meant in corrections:
            holder: Any = obj
            for part in parent:
                holder = holder[part] if isinstance(holder, (dict, list)) else None
            if isinstance(holder, dict) and key in holder and meant not in holder:
                holder[meant] = holder.pop(key)
                renamed[path_to_text([*parent, meant])] = path_to_text([*parent, key])
        out.append(
            Manifest(
                obj,
                m.source,
                m.k8s_version,
                m.chart,
                m.resource,
                m.lines,
                m.line_prefix,
                renamed,
            )
        )
    return out


def duplicate_findings(manifests: Sequence[Manifest]) -> list[Finding]:
    """Two objects with one identity: the second would overwrite the first when applied."""
    seen: dict[tuple[str, str, str, str | None], Manifest] = {}
    out: list[Finding] = []
    for m in manifests:
        if is_config_kind(m.api_version, m.kind):
            continue
        if m.api_version.startswith("kustomize.config.k8s.io/"):
            # a kustomization.yaml configures its own folder: one per folder, names repeat
            continue
        key = (
            m.api_version.split("/")[0] if "/" in m.api_version else "",
            m.kind,
            m.name,
            m.namespace,
        )
        if key in seen:
            out.append(
                m.error(
                    "app/duplicate-object",
                    "metadata.name",
                    f"{m.kind} {m.name!r} is defined twice (also at {seen[key].source})",
                    "give one of them another name or namespace",
                )
            )
        else:
            seen[key] = m
    return out


def own_checks(
    manifests: Sequence[Manifest], settings: dict[str, Any]
) -> tuple[list[Finding], list[Manifest]]:
    """Each object's own work: the strict schema and the rules that judge one object at a
    time. Returns the findings and the objects the schema passed. Together with
    :func:`cross_checks` it is :func:`check_manifests`, split so that the first part can run
    in parallel over parts of an app."""
    findings, valid = schema_check(manifests)
    findings.extend(
        run_rules(read_through_typos(manifests), settings, well_formed=valid, scope="object")
    )
    return findings, valid


def cross_checks(
    manifests: Sequence[Manifest], settings: dict[str, Any], valid: Sequence[Manifest]
) -> list[Finding]:
    """The work across objects, after :func:`own_checks` of every object (its schema
    verdicts and typo corrections): the rules of scope ``set`` and the duplicate check."""
    findings = run_rules(read_through_typos(manifests), settings, well_formed=valid, scope="set")
    findings.extend(duplicate_findings(manifests))
    return findings
