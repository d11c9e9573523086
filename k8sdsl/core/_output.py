"""Where objects live in the Git repository, as the rules that follow paths see it
(kustomize's ``resources``, an Argo CD Application's ``path``, a Flux Kustomization's).

At synth the files do not exist yet: :class:`PlannedOutput` (``settings["output"]``) knows
every file synth is about to write and which object goes in which file. In
``k8sdsl check`` the files are on disk: :class:`FilesOnDisk` resolves each object's file
and paths against the repository root (the nearest folder up holding ``.git``, else the
working folder). Paths are POSIX and relative to that root.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Literal

from k8sdsl.core._manifest import Manifest

#: the file names kustomize looks for in a folder, in its order
KUSTOMIZATION_FILE_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

PathKind = Literal["file", "dir"]


def _source_file(m: Manifest) -> str | None:
    """The file of an object read from YAML (its source is ``file:line``)."""
    file, sep, line = m.source.rpartition(":")
    return file if sep and line.isdigit() else None


def normalized(path: str) -> PurePosixPath:
    """``a/./b/../c`` -> ``a/c``; leading ``..`` stay (they leave the folder)."""
    return PurePosixPath(os.path.normpath(path).replace(os.sep, "/"))


class OutputView:
    """The repository as the path rules see it."""

    def file_of(self, m: Manifest) -> PurePosixPath | None:
        """The repository path of the file holding ``m``, if known."""
        raise NotImplementedError

    def kind_of(self, path: PurePosixPath) -> PathKind | None:
        """Whether the repository path is a file, a folder, or nothing."""
        raise NotImplementedError

    def is_kustomization_dir(self, path: PurePosixPath) -> bool:
        return any(self.kind_of(path / name) == "file" for name in KUSTOMIZATION_FILE_NAMES)


@dataclass(frozen=True)
class PlannedOutput(OutputView):
    """The output synth is about to write: ``files`` relative to the output folder, which
    sits at ``repo_path`` in the repository (``App(repo_path="dist")``); ``file_of_source``
    maps an object's source (its construct path) to its file. A path outside the output
    folder is looked up on disk under ``root`` (the working folder)."""

    repo_path: str
    files: frozenset[str]
    file_of_source: Mapping[str, str]
    root: Path = field(default_factory=Path.cwd)

    @cached_property
    def _prefix(self) -> PurePosixPath:
        return normalized(self.repo_path or ".")

    @cached_property
    def _dirs(self) -> frozenset[PurePosixPath]:
        dirs = {self._prefix}
        for f in self.files:
            dirs.update((self._prefix / f).parents)
        return frozenset(dirs)

    @cached_property
    def _files(self) -> frozenset[PurePosixPath]:
        return frozenset(normalized(str(self._prefix / f)) for f in self.files)

    def file_of(self, m: Manifest) -> PurePosixPath | None:
        file = self.file_of_source.get(m.source)
        return normalized(str(self._prefix / file)) if file is not None else None

    def kind_of(self, path: PurePosixPath) -> PathKind | None:
        path = normalized(str(path))
        if path in self._files:
            return "file"
        if path in self._dirs:
            return "dir"
        inside = (
            path == self._prefix or self._prefix in path.parents or self._prefix == normalized(".")
        )
        if inside:
            return None
        return FilesOnDisk(self.root).kind_of(path)


class FilesOnDisk(OutputView):
    """Files as ``k8sdsl check`` reads them. ``root`` is the repository root; by default
    each file's own (the nearest folder up with ``.git``), else the working folder."""

    def __init__(self, root: Path | None = None) -> None:
        self._root = root
        self._roots: dict[Path, Path] = {}

    def root_of(self, file: Path) -> Path:
        if self._root is not None:
            return self._root
        folder = file.parent
        if folder not in self._roots:
            found = next((p for p in [folder, *folder.parents] if (p / ".git").exists()), None)
            self._roots[folder] = found if found is not None else Path.cwd().resolve()
        return self._roots[folder]

    @property
    def root(self) -> Path:
        return self._root if self._root is not None else Path.cwd().resolve()

    def file_of(self, m: Manifest) -> PurePosixPath | None:
        file = _source_file(m)
        if file is None or file == "-":
            return None
        resolved = Path(file).resolve()
        root = self.root_of(resolved)
        if self._root is None:
            self._root = root
        try:
            return PurePosixPath(resolved.relative_to(root).as_posix())
        except ValueError:
            return PurePosixPath(resolved.as_posix())

    def kind_of(self, path: PurePosixPath) -> PathKind | None:
        p = Path(path) if path.is_absolute() else self.root / path
        if p.is_file():
            return "file"
        if p.is_dir():
            return "dir"
        return None


def output_view(settings: Mapping[str, object]) -> OutputView:
    """The planned output at synth, else the files on disk."""
    planned = settings.get("output")
    return planned if isinstance(planned, OutputView) else FilesOnDisk()
