"""The volume gallery synthesizes, shows every type that a supported target still serves, in
the object where it is allowed, and documents the rest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from apps import volume_gallery
from k8sdsl import App
from k8sdsl.core import SUPPORTED_VERSIONS, K8sVersion, Severity
from k8sdsl.volumes import CATALOG
from tests.conftest import assert_schema_valid

OLDEST = K8sVersion(SUPPORTED_VERSIONS[0])
#: removed in or before the oldest supported target: no supported kubelet serves them
UNSERVED = {k for k, f in CATALOG.items() if f.removed_in is not None and f.removed_in <= OLDEST}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    out = tmp_path_factory.mktemp("gallery")
    app = App(outdir=out, cluster=volume_gallery.CLUSTER)
    volume_gallery.build(app)
    app.synth()
    return {
        p.name: [d for d in yaml.safe_load_all(p.read_text()) if d]
        for p in sorted(Path(out).glob("*.yaml"))
    }


def _pod_keys(objects: list[dict[str, Any]]) -> set[str]:
    return {
        key
        for o in objects
        if o["kind"] == "Pod"
        for v in o["spec"].get("volumes", [])
        for key in v
        if key in CATALOG
    }


def _pv_keys(objects: list[dict[str, Any]]) -> set[str]:
    return {
        k for o in objects if o["kind"] == "PersistentVolume" for k in o["spec"] if k in CATALOG
    }


#: removed types the gallery shows for a cluster that serves them through CSI migration
MIGRATED = {"awsElasticBlockStore", "azureDisk", "gcePersistentDisk"}


def test_every_served_type_is_in_the_gallery(written: dict[str, list[dict[str, Any]]]) -> None:
    everything = [o for objects in written.values() for o in objects]
    shown = UNSERVED - MIGRATED
    assert _pod_keys(everything) == {k for k, f in CATALOG.items() if f.pod} - shown
    assert _pv_keys(everything) == {k for k, f in CATALOG.items() if f.pv} - shown


def test_the_unserved_types_are_the_documented_ones() -> None:
    assert UNSERVED == {
        "awsElasticBlockStore", "azureDisk", "cinder", "flocker", "gcePersistentDisk",
        "glusterfs", "photonPersistentDisk", "quobyte", "scaleIO", "storageos",
    }  # fmt: skip
    docs = volume_gallery.__doc__ or ""
    guide = (Path(__file__).parents[2] / "docs" / "volumes.md").read_text()
    for key in UNSERVED:
        assert key in docs and key in guide, key


def test_each_removed_type_is_in_a_chart_that_still_serves_it(
    written: dict[str, list[dict[str, Any]]],
) -> None:
    for name, objects in written.items():
        version = name.removeprefix("volume-gallery-k8s-").removesuffix(".k8s.yaml")
        target = K8sVersion(version.replace("-", ".")) if version[0].isdigit() else None
        for key in _pod_keys(objects) | _pv_keys(objects):
            facts = CATALOG[key]
            if facts.removed_in is None:
                continue
            if name == "volume-gallery-csi-migration.k8s.yaml":
                # served through CSI migration: the gallery's cluster has the driver
                assert facts.csi_driver in volume_gallery.CLUSTER.csi_drivers, (name, key)
            else:
                assert target is not None and target < facts.removed_in, (name, key)


def test_gallery_objects_pass_the_schema_of_their_target(
    written: dict[str, list[dict[str, Any]]],
) -> None:
    for name, objects in written.items():
        version = name.removeprefix("volume-gallery-k8s-").removesuffix(".k8s.yaml")
        target = version.replace("-", ".") if version[0].isdigit() else "1.35"
        assert_schema_valid(objects, [target])


def test_gallery_has_no_errors_and_only_lifecycle_warnings() -> None:
    app = App(outdir="unused", cluster=volume_gallery.CLUSTER)
    volume_gallery.build(app)
    report = app.check()
    assert not report.has_errors(), report.format()
    assert {f.code for f in report.findings if f.severity is Severity.WARNING} == {
        "volumes/deprecated-plugin", "volumes/git-repo", "volumes/csi-migration",
    }  # fmt: skip


def test_pods_outside_restricted_say_why(written: dict[str, list[dict[str, Any]]]) -> None:
    pods = {o["metadata"]["name"]: o for objects in written.values() for o in objects
            if o["kind"] == "Pod"}  # fmt: skip
    host = pods["host-path"]["metadata"]["annotations"]
    for control in ("host-path-volumes", "volume-types", "privileged"):
        assert host[f"k8sdsl.io/exemption.{control}"]
    mounter = pods["host-path"]["spec"]["containers"][0]
    assert mounter["securityContext"]["privileged"] is True
    assert mounter["volumeMounts"][0]["mountPropagation"] == "Bidirectional"
    assert "k8sdsl.io/exemption.volume-types" not in pods["api-data"]["metadata"]["annotations"]
