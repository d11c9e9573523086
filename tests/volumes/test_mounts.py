"""Mounts as values, and collecting a pod's volumes from its mounts (the attach-once API)."""

from __future__ import annotations

from typing import Any

import pytest

from k8sdsl.core import SUPPORTED_VERSIONS, K8sDslError
from k8sdsl.rules import registered_rules
from k8sdsl.volumes import (
    Mount,
    MountPropagation,
    NfsVolumeSource,
    RecursiveReadOnly,
    StorageMedium,
    Volume,
    VolumeDevice,
    collect_volumes,
)
from tests.conftest import assert_schema_valid

CACHE = Volume.empty_dir("cache", medium=StorageMedium.MEMORY, size_limit="64Mi")
CONFIG = Volume.config_map("config", config_map_name="app-config")
DATA = Volume.claim("data", claim_name="nfs-pvc")


def test_short_form_equals_the_long_form() -> None:
    assert CACHE.mount("/cache", read_only=True) == Mount(
        volume=CACHE, mount_path="/cache", read_only=True
    )


def test_mount_renders_the_volume_name_and_only_set_fields() -> None:
    assert CACHE.mount("/cache").to_k8s() == {"name": "cache", "mountPath": "/cache"}
    full = DATA.mount(
        "/data",
        read_only=True,
        sub_path_expr="$(POD_NAME)",
        mount_propagation=MountPropagation.HOST_TO_CONTAINER,
        recursive_read_only=RecursiveReadOnly.IF_POSSIBLE,
    )
    assert full.to_k8s() == {
        "name": "data",
        "mountPath": "/data",
        "readOnly": True,
        "subPathExpr": "$(POD_NAME)",
        "mountPropagation": "HostToContainer",
        "recursiveReadOnly": "IfPossible",
    }


def test_mount_nested_in_another_value_renders_as_a_volume_mount() -> None:
    # the workloads' Container dumps its mounts with model_dump: the serializer must apply
    from k8sdsl.core import K8sModel

    class Holder(K8sModel):
        volume_mounts: tuple[Mount, ...]
        volumes: tuple[Volume, ...]

    holder = Holder(volume_mounts=(CACHE.mount("/c"),), volumes=(CACHE,))
    assert holder.to_k8s() == {
        "volumeMounts": [{"name": "cache", "mountPath": "/c"}],
        "volumes": [{"name": "cache", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}}],
    }


def test_device_renders_a_volume_device() -> None:
    raw = Volume.claim("raw", claim_name="block-pvc")
    assert raw.device("/dev/xvda").to_k8s() == {"name": "raw", "devicePath": "/dev/xvda"}
    assert isinstance(raw.device("/dev/xvda"), VolumeDevice)


def test_a_pod_built_from_mounts_is_schema_valid_in_every_version() -> None:
    mounts = [CACHE.mount("/cache"), CONFIG.mount("/etc/app", read_only=True), DATA.mount("/d")]
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {
            "containers": [
                {
                    "name": "app",
                    "image": "busybox:1.36",
                    "volumeMounts": [m.to_k8s() for m in mounts],
                }
            ],
            "volumes": [v.to_k8s() for v in collect_volumes(mounts)],
        },
    }
    assert_schema_valid([pod])


@pytest.mark.parametrize(
    ("build", "code", "path"),
    [
        (lambda: CACHE.mount("cache"), "value/absolute-path", "mount_path"),
        (lambda: CACHE.mount("/projected -volume"), "value/mount-path", "mount_path"),
        (lambda: CACHE.mount(" /cache"), "value/absolute-path", "mount_path"),
        (
            lambda: CACHE.mount("/c", sub_path="a", sub_path_expr="$(B)"),
            "value/sub-path-conflict",
            "",
        ),
        (lambda: CACHE.mount("/c", sub_path="../etc"), "value/relative-path", "sub_path"),
        (lambda: CACHE.mount("/c", sub_path_expr="/abs"), "value/sub-path-expr", "sub_path_expr"),
        (lambda: CONFIG.mount("/etc/app", read_only=False), "value/read-only-source", ""),
        (
            lambda: Volume.nfs("n", server="s", path="/x", read_only=True).mount(
                "/n", read_only=False
            ),
            "value/read-only-source",
            "",
        ),
        (
            lambda: CACHE.mount("/c", recursive_read_only=RecursiveReadOnly.ENABLED),
            "value/recursive-read-only",
            "",
        ),
        (
            lambda: CACHE.mount(
                "/c",
                read_only=True,
                recursive_read_only=RecursiveReadOnly.ENABLED,
                mount_propagation=MountPropagation.BIDIRECTIONAL,
            ),
            "value/recursive-read-only",
            "",
        ),
        (
            lambda: CACHE.mount("/c", mount_propagation="bidirectional"),
            "value/enum",
            "mount_propagation",
        ),
        (
            lambda: Mount(volume=CACHE, mount_path="/c", readOnly=True),
            "value/extra-forbidden",
            "readOnly",
        ),
    ],
)
def test_invalid_mounts(build: Any, code: str, path: str) -> None:
    with pytest.raises(K8sDslError) as exc:
        build()
    assert (code, path) in [(f.code, f.path) for f in exc.value.findings]


def test_the_whitespace_error_names_the_fix() -> None:
    with pytest.raises(K8sDslError) as exc:
        CACHE.mount("/projected -volume")
    assert exc.value.findings[0].hint == "use '/projected-volume'"


def test_camel_case_keyword_suggests_the_python_name() -> None:
    with pytest.raises(K8sDslError) as exc:
        Mount(volume=CACHE, mount_path="/c", readOnly=True)
    assert exc.value.findings[0].hint == "did you mean 'read_only'?"


def test_read_only_mounts_of_read_only_sources_are_fine() -> None:
    assert CONFIG.mount("/etc/app", read_only=True).read_only is True
    assert CONFIG.mount("/etc/app").read_only is None


# -- collect_volumes ----------------------------------------------------------------------------


def test_collect_lists_each_volume_once_in_first_use_order() -> None:
    mounts = [DATA.mount("/data"), CACHE.mount("/cache"), DATA.mount("/again", sub_path="x")]
    extra = [CONFIG, CACHE]
    assert collect_volumes(mounts, extra) == [DATA, CACHE, CONFIG]


def test_collect_takes_devices() -> None:
    raw = Volume.claim("raw", claim_name="block")
    assert collect_volumes([raw.device("/dev/xvda"), CACHE.mount("/c")]) == [raw, CACHE]


def test_equal_values_with_one_name_are_one_volume() -> None:
    again = Volume.empty_dir("cache", medium=StorageMedium.MEMORY, size_limit="64Mi")
    assert collect_volumes([CACHE.mount("/a"), again.mount("/b")]) == [CACHE]


def test_two_different_volumes_with_one_name_are_an_error() -> None:
    other = Volume.of("cache", NfsVolumeSource(server="nfs", path="/cache"))
    with pytest.raises(K8sDslError) as exc:
        collect_volumes([CACHE.mount("/a")], [other])
    (finding,) = exc.value.findings
    assert (finding.code, finding.path) == ("volumes/duplicate-volume", "spec.volumes")
    assert "emptyDir" in finding.message and "nfs" in finding.message
    assert finding.hint


def test_collect_of_nothing_is_empty() -> None:
    assert collect_volumes([]) == []


def test_every_mount_field_snapshot_and_schema(yaml_snapshot: Any) -> None:
    """Each mount option once, pinned; recursiveReadOnly exists from 1.30."""
    host = Volume.host_path("host", path="/mnt/shared")
    podinfo = Volume.config_map("config", config_map_name="app-config")
    mounter = [host.mount("/mnt/shared", mount_propagation=MountPropagation.BIDIRECTIONAL)]
    app = [
        host.mount("/host", read_only=True, mount_propagation=MountPropagation.HOST_TO_CONTAINER),
        podinfo.mount("/etc/app/app.properties", sub_path="app.properties", read_only=True),
        DATA.mount("/data", sub_path_expr="$(POD_NAME)"),
        CACHE.mount("/cache", read_only=True, recursive_read_only=RecursiveReadOnly.ENABLED),
    ]
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "mounts"},
        "spec": {
            "containers": [
                {"name": "mounter", "image": "busybox:1.36",
                 "securityContext": {"privileged": True},
                 "volumeMounts": [m.to_k8s() for m in mounter]},
                {"name": "app", "image": "busybox:1.36",
                 "env": [{"name": "POD_NAME",
                          "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
                 "volumeMounts": [m.to_k8s() for m in app]},
            ],
            "volumes": [v.to_k8s() for v in collect_volumes([*mounter, *app])],
        },
    }  # fmt: skip
    assert pod == yaml_snapshot
    assert_schema_valid([pod], [v for v in SUPPORTED_VERSIONS if v >= "1.30"])
    from tests.conftest import check_objects

    ids = [r.id for r in registered_rules() if r.topic == "volumes"]
    report = check_objects([pod], "1.35", only=ids)
    assert [f.code for f in report.findings] == ["volumes/subpath-no-updates"]
