"""GitOps objects point at folders of the repository; these rules hold them to the output:

* ``gitops/path-missing`` (error): an Argo CD Application's ``spec.source.path`` (or a path
  of ``spec.sources``) or a Flux Kustomization's ``spec.path`` names no folder of the
  repository: Argo CD reports ``app path does not exist`` and Flux ``kustomization path not
  found``, and nothing of the environment is applied.
* ``gitops/namespace-mismatch`` (error): the Application's destination namespace (the Flux
  Kustomization's ``targetNamespace``) is not the namespace of the environment's objects
  in that folder: Argo CD puts objects without a namespace there, creates it with
  ``CreateNamespace=true`` and reports the environment's objects in another namespace as
  a second home for them.

Paths are relative to the repository root: at synth, the output folder is at the app's
``repo_path`` (``dist``); in ``k8sdsl check`` the root is the nearest folder up holding
``.git`` (else the working folder).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from k8sdsl.core._findings import Finding
from k8sdsl.core._kinds import is_namespaced
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._output import OutputView, normalized, output_view
from k8sdsl.rules._registry import RuleContext, rule

_ARGO = "argoproj.io/v1alpha1"
_FLUX = "kustomize.toolkit.fluxcd.io/v1"


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _view(ctx: RuleContext) -> OutputView:
    return ctx.memo("k8sdsl.output-view", lambda: output_view(ctx.settings))


def _targets(m: Manifest) -> Iterator[tuple[str, str, str | None]]:
    """(field path, repository path, destination namespace) of each folder ``m`` syncs."""
    spec = _d(m.obj.get("spec"))
    if m.api_version == _ARGO and m.kind == "Application":
        namespace = _d(spec.get("destination")).get("namespace")
        ns = str(namespace) if isinstance(namespace, str) and namespace else None
        source = _d(spec.get("source"))
        if isinstance(source.get("path"), str) and not source.get("chart"):
            yield "spec.source.path", source["path"], ns
        sources = spec.get("sources")
        for i, s in enumerate(sources if isinstance(sources, list) else []):
            s = _d(s)
            if isinstance(s.get("path"), str) and not s.get("chart"):
                yield f"spec.sources[{i}].path", s["path"], ns
    elif m.api_version == _FLUX and m.kind == "Kustomization":
        target = spec.get("targetNamespace")
        ns = str(target) if isinstance(target, str) and target else None
        path = spec.get("path", "./")
        if isinstance(path, str):
            yield "spec.path", path, ns


def _repo_path(path: str) -> PurePosixPath:
    return normalized(path.lstrip("/") or ".")


@rule("gitops/path-missing", "GitOps objects point at folders that exist")
def path_missing(ctx: RuleContext) -> Iterator[Finding]:
    """Argo CD and Flux read the path inside the repository's checkout; a folder that is
    not there fails every sync of the environment, quietly keeping the old state live."""
    view = _view(ctx)
    for m in ctx.of_kind("Application", "Kustomization"):
        for field, path, _ns in _targets(m):
            target = _repo_path(path)
            if target.parts[:1] == ("..",):
                yield m.error(
                    "gitops/path-missing",
                    field,
                    f"{path!r} leaves the repository",
                    "write the path from the repository root, e.g. 'dist/prod'",
                )
            elif view.kind_of(target) != "dir":
                yield m.error(
                    "gitops/path-missing",
                    field,
                    f"{m.kind} {m.name!r} syncs {path!r}, which is not a folder of the "
                    "repository (paths are relative to the repository root)",
                    "point it at an environment's folder of the output, e.g. 'dist/prod' "
                    "(App(repo_path=...) says where the output folder is)",
                )


def _namespaces_by_folder(ctx: RuleContext) -> dict[PurePosixPath, set[str]]:
    """Folder -> the namespaces of the namespaced objects in or below it (built once)."""

    def build() -> dict[PurePosixPath, set[str]]:
        view = _view(ctx)
        out: dict[PurePosixPath, set[str]] = {}
        for m in ctx.manifests:
            if not is_namespaced(m.kind) or m.namespace is None:
                continue
            if m.api_version.startswith("kustomize.config.k8s.io/"):
                continue
            file = view.file_of(m)
            if file is None:
                continue
            for folder in file.parents:
                out.setdefault(folder, set()).add(m.namespace)
        return out

    return ctx.memo("gitops/namespaces-by-folder", build)


@rule("gitops/namespace-mismatch", "GitOps destinations are the environment's namespace")
def namespace_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    """A destination namespace other than the one the environment's objects name sends
    the objects without a namespace elsewhere than their neighbours, and a
    ``CreateNamespace=true`` sync creates a namespace nobody uses."""
    syncing = ctx.of_kind("Application", "Kustomization")
    if not syncing:
        return  # the folder index costs a pass over every object: only when needed
    by_folder = _namespaces_by_folder(ctx)
    for m in syncing:
        for field, path, ns in _targets(m):
            if ns is None:
                continue
            found = by_folder.get(_repo_path(path), set())
            others = sorted(found - {ns})
            if not others:
                continue
            where = "destination.namespace" if m.kind == "Application" else "targetNamespace"
            yield m.error(
                "gitops/namespace-mismatch",
                "spec.destination.namespace" if m.kind == "Application" else "spec.targetNamespace",
                f"{m.kind} {m.name!r} syncs {path!r} into namespace {ns!r}, but objects there "
                f"are in {', '.join(repr(o) for o in others)} (from {field})",
                f"set {where} to {others[0]!r}, the environment's namespace",
            )
