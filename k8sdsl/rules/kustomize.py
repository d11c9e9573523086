"""kustomize's rules for a kustomization's ``resources`` (kubernetes-sigs/kustomize,
``api/internal/loader/fileloader.go`` and ``api/internal/target/kusttarget.go``), checked
before ``kubectl apply -k``, Argo CD or Flux run kustomize and fail the sync:

* ``kustomize/absolute-path`` (error): the file loader refuses an absolute path ("security;
  file ... is not in or below ...").
* ``kustomize/outside-root`` (error): a file must be in or below the kustomization's folder;
  only a folder holding a kustomization (a base) may be reached with ``..``.
* ``kustomize/missing-resource`` (error): the path is neither a file nor a folder.
* ``kustomize/not-a-kustomization`` (error): a folder without ``kustomization.yaml``,
  ``kustomization.yml`` or ``Kustomization`` ("unable to find one of ... in directory").
* ``kustomize/duplicate-resource`` (error): one path listed twice loads its objects twice
  ("may not add resource with an already registered id").

Remote resources (``https://``, ``github.com/...``, ``git@...``) are not followed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from k8sdsl.core._findings import Finding
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._output import OutputView, normalized, output_view
from k8sdsl.rules._registry import RuleContext, rule

#: the kustomize configuration apiVersions (kustomize accepts a file without one, too)
KUSTOMIZE_API_VERSIONS = frozenset({"kustomize.config.k8s.io/v1beta1"})
KUSTOMIZE_KINDS = frozenset({"Kustomization", "Component"})


def is_kustomization(m: Manifest) -> bool:
    return m.api_version in KUSTOMIZE_API_VERSIONS and m.kind in KUSTOMIZE_KINDS


_REMOTE_PREFIXES = ("github.com/", "git@", "gitlab.com/", "bitbucket.org/")


def _remote(path: str) -> bool:
    return "://" in path or path.startswith(
        ("github.com/", "git@", "gitlab.com/", "bitbucket.org/")
    )


def _view(ctx: RuleContext) -> OutputView:
    return ctx.memo("k8sdsl.output-view", lambda: output_view(ctx.settings))


@rule("kustomize/resources", "a kustomization's resources are paths kustomize loads")
def resources(ctx: RuleContext) -> Iterator[Finding]:
    """kustomize loads each entry of ``resources`` with its file loader, restricted to the
    kustomization's root: a bad entry fails ``kustomize build`` and with it the whole
    environment's sync, for every object in it."""
    view = _view(ctx)
    for m in ctx.manifests:
        if not is_kustomization(m):
            continue
        listed = m.obj.get("resources")
        if not isinstance(listed, list):
            continue
        here = view.file_of(m)
        root = here.parent if here is not None else None
        seen: dict[PurePosixPath, int] = {}
        for i, entry in enumerate(listed):
            path = f"resources[{i}]"
            if not isinstance(entry, str) or _remote(entry):
                continue
            if PurePosixPath(entry).is_absolute():
                yield m.error(
                    "kustomize/absolute-path",
                    path,
                    f"{entry!r} is an absolute path: kustomize loads only paths relative to "
                    "the kustomization's folder",
                    "write the path relative to the folder of this kustomization.yaml",
                )
                continue
            rel = normalized(entry)
            if rel in seen:
                yield m.error(
                    "kustomize/duplicate-resource",
                    path,
                    f"{entry!r} is listed twice (also resources[{seen[rel]}]): kustomize "
                    "loads its objects twice and fails ('already registered id')",
                    "list each file or folder once",
                )
                continue
            seen[rel] = i
            if root is None:
                continue  # standard input: no folder to resolve against
            target = normalized(str(root / rel))
            kind = view.kind_of(target)
            leaves = rel.parts[:1] == ("..",)
            if kind is None:
                yield m.error(
                    "kustomize/missing-resource",
                    path,
                    f"{entry!r} is neither a file nor a folder (looked for {target})",
                    "fix the path, or generate the file it names",
                )
            elif kind == "dir" and not view.is_kustomization_dir(target):
                yield m.error(
                    "kustomize/not-a-kustomization",
                    path,
                    f"the folder {entry!r} holds no kustomization.yaml, kustomization.yml or "
                    "Kustomization",
                    "list the folder's files instead, or add a kustomization.yaml to it",
                )
            elif kind == "file" and leaves:
                yield m.error(
                    "kustomize/outside-root",
                    path,
                    f"the file {entry!r} is not in or below the kustomization's folder: "
                    "kustomize refuses it ('security; file ... is not in or below ...')",
                    "move the file below this folder, or make its folder a base with its own "
                    "kustomization.yaml and list the folder",
                )
