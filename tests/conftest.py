"""Shared fixtures: apps with a throwaway output folder, schema checks; YAML snapshots come
from the k8sdsl.testing plugin."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

# the yaml_snapshot fixture is the library's own (k8sdsl.testing), as users' tests get it;
# where the installed package's pytest11 entry point loaded it already, this is a no-op
pytest_plugins = ["k8sdsl.testing"]

from k8sdsl import App, Chart  # noqa: E402
from k8sdsl._schema import schemas_for  # noqa: E402
from k8sdsl.core import SUPPORTED_VERSIONS, Resource  # noqa: E402


@pytest.fixture
def app(tmp_path: Path) -> App:
    """An App writing into a temporary folder, targeting the default version."""
    return App(outdir=tmp_path / "dist")


@pytest.fixture
def chart(app: App) -> Chart:
    return Chart(app, "test", namespace="default")


def schema_errors(obj: dict[str, Any], version: str) -> list[str]:
    problems = schemas_for(version).validate(obj)
    if problems is None:
        return [f"no schema for {obj.get('apiVersion')} {obj.get('kind')} in {version}"]
    return [f"{p.path}: {p.message}" for p in problems]


def assert_schema_valid(
    objects: Iterable[dict[str, Any] | Resource], versions: Sequence[str] = SUPPORTED_VERSIONS
) -> None:
    """Every object passes the official strict schema of every version given."""
    failures = []
    for obj in objects:
        data = obj.to_k8s() if isinstance(obj, Resource) else obj
        for version in versions:
            for err in schema_errors(data, version):
                failures.append(
                    f"{data.get('kind')}/{data.get('metadata', {}).get('name')} @{version}: {err}"
                )
    assert not failures, "\n".join(failures)


@pytest.fixture
def schema_valid() -> Callable[..., None]:
    return assert_schema_valid


def check_objects(
    objects: Iterable[dict[str, Any] | Resource],
    version: str = "1.35",
    only: Iterable[str] | None = None,
    settings: dict[str, Any] | None = None,
) -> Any:
    """Run the registered rules (or ``only`` some ids) over plain objects, as ``k8sdsl check``
    would; returns a :class:`k8sdsl.Report`."""
    from k8sdsl.core import K8sVersion, Manifest, Report
    from k8sdsl.rules import run_rules

    v = K8sVersion(version)
    manifests = [
        Manifest(o.to_k8s() if isinstance(o, Resource) else o, f"test[{i}]", v)
        for i, o in enumerate(objects)
    ]
    return Report.of(run_rules(manifests, {"k8s_version": v, **(settings or {})}, only))


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``: relative path -> bytes (to compare two synths' output)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
