"""Every volume source builds from Python, renders the Kubernetes fields exactly, is pinned by
a snapshot and passes the official strict schema in every version where it exists."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from k8sdsl.core import SUPPORTED_VERSIONS, K8sDslError, K8sModel
from k8sdsl.volumes import (
    CATALOG,
    PERSISTENT_VOLUME_SOURCE_TYPES,
    POD_SOURCE_TYPES,
    AccessMode,
    AwsElasticBlockStoreVolumeSource,
    ClusterTrustBundleProjection,
    ConfigMapProjection,
    CsiPersistentVolumeSource,
    CsiVolumeSource,
    DownwardApiProjection,
    DownwardApiVolumeFile,
    EmptyDirVolumeSource,
    FcVolumeSource,
    FlockerVolumeSource,
    HostPathVolumeSource,
    IscsiVolumeSource,
    KeyToPath,
    LocalVolumeSource,
    NfsVolumeSource,
    ObjectFieldSelector,
    ObjectReference,
    PersistentVolumeClaimTemplate,
    PodCertificateKeyType,
    PodCertificateProjection,
    ProjectedVolume,
    ResourceFieldSelector,
    SecretProjection,
    SecretReference,
    ServiceAccountTokenProjection,
    StorageMedium,
    Volume,
    VolumeMode,
)
from tests.conftest import assert_schema_valid
from tests.volumes.samples import (
    LATER_PROJECTIONS,
    POD_VOLUMES,
    PV_SOURCES,
    persistent_volume,
    pod,
)

SCHEMAS = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"


@cache
def definitions(version: str) -> dict[str, Any]:
    path = SCHEMAS / f"v{version}.0-local-strict" / "_definitions.json"
    defs: dict[str, Any] = json.loads(path.read_text())["$defs"]
    return defs


def versions_from(first: str) -> list[str]:
    return [v for v in SUPPORTED_VERSIONS if int(v.split(".")[1]) >= int(first.split(".")[1])]


# -- coverage: every type of the catalog has a value and a sample ---------------------------


def test_every_pod_type_of_the_catalog_has_a_value_and_a_sample() -> None:
    pod_keys = {k for k, f in CATALOG.items() if f.pod}
    assert {t.k8s_key for t in POD_SOURCE_TYPES} == pod_keys
    assert set(POD_VOLUMES) == pod_keys


def test_every_pv_type_of_the_catalog_has_a_value_and_a_sample() -> None:
    pv_keys = {k for k, f in CATALOG.items() if f.pv}
    assert {t.k8s_key for t in PERSISTENT_VOLUME_SOURCE_TYPES} == pv_keys
    assert set(PV_SOURCES) == pv_keys


def test_the_catalog_covers_every_source_of_the_api() -> None:
    # the newest schema's Volume and PersistentVolumeSpec list every source key there is
    defs = definitions(SUPPORTED_VERSIONS[-1])
    volume_keys = set(defs["io.k8s.api.core.v1.Volume"]["properties"]) - {"name"}
    pv_keys = set(defs["io.k8s.api.core.v1.PersistentVolumeSpec"]["properties"]) - {
        "accessModes", "capacity", "claimRef", "mountOptions", "nodeAffinity",
        "persistentVolumeReclaimPolicy", "storageClassName", "volumeAttributesClassName",
        "volumeMode",
    }  # fmt: skip
    assert {k for k, f in CATALOG.items() if f.pod} == volume_keys
    assert {k for k, f in CATALOG.items() if f.pv} == pv_keys


# -- fields exactly as the API ---------------------------------------------------------------

VALUE_TYPES: list[type[K8sModel]] = [
    *POD_SOURCE_TYPES,
    *PERSISTENT_VOLUME_SOURCE_TYPES,
    SecretProjection,
    ConfigMapProjection,
    DownwardApiProjection,
    ServiceAccountTokenProjection,
    ClusterTrustBundleProjection,
    PodCertificateProjection,
    KeyToPath,
    DownwardApiVolumeFile,
    ObjectFieldSelector,
    ResourceFieldSelector,
    SecretReference,
    ObjectReference,
    PersistentVolumeClaimTemplate,
]


def _aliases(model: type[K8sModel]) -> dict[str, str]:
    from k8sdsl.core import to_camel

    return {n: f.serialization_alias or to_camel(n) for n, f in model.model_fields.items()}


@pytest.mark.parametrize(
    "model", sorted(set(VALUE_TYPES), key=lambda t: t.__name__), ids=lambda t: t.__name__
)
def test_fields_are_exactly_the_api_fields(model: type[K8sModel]) -> None:
    """Field names render to the API's names, every API field (release 1.36) exists, and
    every field the API requires is required."""
    schema = definitions("1.36")[f"io.k8s.api.core.v1.{model.k8s_type}"]
    api_fields = set(schema["properties"])
    ours = _aliases(model)
    assert set(ours.values()) == api_fields, f"{model.__name__} differs from {model.k8s_type}"
    required = {ours[n] for n, f in model.model_fields.items() if f.is_required()}
    assert set(schema.get("required", [])) <= required


# -- snapshots and schema --------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(POD_VOLUMES))
def test_pod_volume_snapshot_and_schema(key: str, yaml_snapshot: Any) -> None:
    obj = pod(POD_VOLUMES[key])
    assert obj == yaml_snapshot
    first = CATALOG[key].added_in
    assert_schema_valid([obj], versions_from(str(first)) if first else SUPPORTED_VERSIONS)


@pytest.mark.parametrize("key", sorted(LATER_PROJECTIONS))
def test_later_projection_snapshot_and_schema(key: str, yaml_snapshot: Any) -> None:
    volume, first = LATER_PROJECTIONS[key]
    obj = pod(volume)
    assert obj == yaml_snapshot
    assert_schema_valid([obj], versions_from(first))


@pytest.mark.parametrize("key", sorted(LATER_PROJECTIONS))
def test_later_projection_is_rejected_by_older_schemas(key: str) -> None:
    from tests.conftest import schema_errors

    volume, first = LATER_PROJECTIONS[key]
    before = f"1.{int(first.split('.')[1]) - 1}"
    assert schema_errors(pod(volume), before)


def test_image_volume_is_rejected_by_the_130_schema() -> None:
    from tests.conftest import schema_errors

    assert schema_errors(pod(POD_VOLUMES["image"]), "1.30")


@pytest.mark.parametrize("key", sorted(PV_SOURCES))
def test_persistent_volume_snapshot_and_schema(key: str, yaml_snapshot: Any) -> None:
    obj = persistent_volume(f"pv-{key.lower()}", PV_SOURCES[key])
    assert obj == yaml_snapshot
    assert_schema_valid([obj])


# -- defaults render as nothing ---------------------------------------------------------------


def test_defaults_are_left_out() -> None:
    """Unset fields are not rendered, so the API server's documented defaults apply."""
    assert EmptyDirVolumeSource().to_k8s() == {}
    assert Volume.empty_dir("cache").to_k8s() == {"name": "cache", "emptyDir": {}}
    assert HostPathVolumeSource(path="/data").to_k8s() == {"path": "/data"}
    assert Volume.secret("s", secret_name="app").to_k8s() == {
        "name": "s",
        "secret": {"secretName": "app"},
    }
    assert Volume.claim("d", claim_name="c").mount("/d").to_k8s() == {
        "name": "d",
        "mountPath": "/d",
    }


def test_ephemeral_defaults_to_one_read_write_once_claim() -> None:
    template = PersistentVolumeClaimTemplate.of(storage="2Gi")
    assert template.to_k8s() == {
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "2Gi"}}}
    }


def test_ephemeral_with_block_mode_class_and_labels() -> None:
    volume = Volume.ephemeral(
        "raw",
        storage="10Gi",
        access_modes=[AccessMode.READ_WRITE_ONCE_POD],
        storage_class_name="",
        volume_mode=VolumeMode.BLOCK,
        labels={"app": "db"},
    )
    assert volume.to_k8s()["ephemeral"]["volumeClaimTemplate"] == {
        "metadata": {"labels": {"app": "db"}},
        "spec": {
            "accessModes": ["ReadWriteOncePod"],
            "resources": {"requests": {"storage": "10Gi"}},
            "storageClassName": "",
            "volumeMode": "Block",
        },
    }


def test_renamed_fields_use_the_api_spelling() -> None:
    assert AwsElasticBlockStoreVolumeSource(volume_id="vol-1").to_k8s() == {"volumeID": "vol-1"}
    assert FlockerVolumeSource(dataset_uuid="u").to_k8s() == {"datasetUUID": "u"}
    assert FcVolumeSource.by_target(target_wwns=["w"], lun=0).to_k8s() == {
        "targetWWNs": ["w"],
        "lun": 0,
    }


def test_huge_pages_medium() -> None:
    assert EmptyDirVolumeSource.huge_pages().to_k8s() == {"medium": "HugePages"}
    assert EmptyDirVolumeSource.huge_pages(page_size="1Gi").to_k8s() == {"medium": "HugePages-1Gi"}
    assert EmptyDirVolumeSource.memory(size_limit="1Gi").medium is StorageMedium.MEMORY


def test_projected_renders_one_key_per_source() -> None:
    volume = ProjectedVolume.of(
        SecretProjection(name="a"), ConfigMapProjection(name="b"), default_mode=0o440
    )
    assert volume.to_k8s() == {
        "sources": [{"secret": {"name": "a"}}, {"configMap": {"name": "b"}}],
        "defaultMode": 0o440,
    }


def test_k8s_key_is_the_api_key() -> None:
    assert NfsVolumeSource.k8s_key == "nfs"
    assert CsiVolumeSource.k8s_key == CsiPersistentVolumeSource.k8s_key == "csi"
    assert LocalVolumeSource.k8s_key == "local"
    assert ProjectedVolume.k8s_key == "projected"
    assert Volume.nfs("n", server="s", path="/x").k8s_key == "nfs"


# -- what cannot be written --------------------------------------------------------------------


def _codes(exc: pytest.ExceptionInfo[K8sDslError]) -> list[tuple[str, str]]:
    return [(f.code, f.path) for f in exc.value.findings]


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (
            lambda: Volume(name="v", source=LocalVolumeSource(path="/mnt")),
            ("value/pod-volume-source", "source"),
        ),
        (
            lambda: Volume(
                name="v",
                source=CsiPersistentVolumeSource(driver="d.example.com", volume_handle="h"),
            ),
            ("value/pod-volume-source", "source"),
        ),
        (
            lambda: Volume(name="v", source={"nfs": {"server": "s", "path": "/x"}}),
            ("value/pod-volume-source", "source"),
        ),
        (
            lambda: Volume(name="Data Volume", source=EmptyDirVolumeSource()),
            ("value/dns-label", "name"),
        ),
        (
            lambda: NfsVolumeSource(server="s", path="relative/path"),
            ("value/absolute-path", "path"),
        ),
        (lambda: HostPathVolumeSource(path="/var/../etc"), ("value/host-path", "path")),
        (lambda: HostPathVolumeSource(path="/data", type="directory"), ("value/enum", "type")),
        (lambda: EmptyDirVolumeSource(medium="memory"), ("value/storage-medium", "medium")),
        (lambda: EmptyDirVolumeSource(size_limit="64MB"), ("value/quantity", "size_limit")),
        (lambda: FcVolumeSource(target_wwns=("w",), lun=1, wwids=("x",)), ("value/one-of", "")),
        (lambda: FcVolumeSource(target_wwns=("w",)), ("value/missing-lun", "")),
        (lambda: FlockerVolumeSource(), ("value/one-of", "")),
        (
            lambda: IscsiVolumeSource(target_portal="p:3260", iqn="not-an-iqn", lun=0),
            ("value/iqn", "iqn"),
        ),
        (
            lambda: IscsiVolumeSource(
                target_portal="p:3260",
                iqn="iqn.2001-04.com.example:d",
                lun=0,
                chap_auth_session=True,
            ),
            ("value/chap-secret", ""),
        ),
        (
            lambda: IscsiVolumeSource(target_portal="p", iqn="iqn.2001-04.com.x:d", lun=256),
            ("value/less-than-equal", "lun"),
        ),
        (
            lambda: AwsElasticBlockStoreVolumeSource(volume_id="v", partition=-1),
            ("value/greater-than-equal", "partition"),
        ),
        (lambda: CsiVolumeSource(driver="Not A Driver"), ("value/csi-driver", "driver")),
        (lambda: KeyToPath(key="config", path="/etc/app.conf"), ("value/relative-path", "path")),
        (lambda: KeyToPath(key="bad key", path="x"), ("value/config-key", "key")),
        (
            lambda: DownwardApiVolumeFile.field(path="node", field_path="spec.nodeName"),
            ("value/field-path", "field_path"),
        ),
        (lambda: DownwardApiVolumeFile(path="x"), ("value/one-of", "")),
        (
            lambda: DownwardApiVolumeFile.resource(
                path="c", container_name="app", resource="limits.gpu"
            ),
            ("value/container-resource", "resource"),
        ),
        (
            lambda: ServiceAccountTokenProjection(path="token", expiration_seconds=60),
            ("value/greater-than-equal", "expiration_seconds"),
        ),
        (lambda: ClusterTrustBundleProjection(path="ca.pem"), ("value/one-of", "")),
        (
            lambda: ClusterTrustBundleProjection(
                path="ca.pem", name="b", label_selector={"match_labels": {"a": "b"}}
            ),
            ("value/label-selector", ""),
        ),
        (
            lambda: PodCertificateProjection(
                signer_name="s", key_type=PodCertificateKeyType.RSA_3072, key_path="k.pem"
            ),
            ("value/one-of", ""),
        ),
        (lambda: ProjectedVolume(sources=()), ("value/empty-list", "sources")),
        (
            lambda: ProjectedVolume(sources=(NfsVolumeSource(server="s", path="/x"),)),
            ("value/volume-projection-type", "sources[0]"),
        ),
        (
            lambda: PersistentVolumeClaimTemplate.of(
                storage="1Gi",
                access_modes=[AccessMode.READ_WRITE_ONCE_POD, AccessMode.READ_WRITE_ONCE],
            ),
            ("value/access-modes", ""),
        ),
        (
            lambda: PersistentVolumeClaimTemplate.of(storage="1Gi", access_modes=[]),
            ("value/empty-list", "access_modes"),
        ),
    ],
)
def test_invalid_values_fail_with_code_and_path(build: Any, expected: tuple[str, str]) -> None:
    with pytest.raises(K8sDslError) as exc:
        build()
    assert expected in _codes(exc)


def test_errors_carry_a_hint() -> None:
    with pytest.raises(K8sDslError) as exc:
        EmptyDirVolumeSource(medium="memory")
    assert exc.value.findings[0].hint == "did you mean StorageMedium.MEMORY?"
    with pytest.raises(K8sDslError) as exc:
        Volume(name="v", source=LocalVolumeSource(path="/mnt"))
    assert "PersistentVolume" in exc.value.findings[0].hint


def test_windows_host_path_is_accepted() -> None:
    assert HostPathVolumeSource(path="C:\\logs").path == "C:\\logs"


def test_every_host_path_type_and_empty_dir_medium(yaml_snapshot: Any) -> None:
    """hostPath with each type (unset included) and emptyDir with each medium, pinned and
    accepted by every schema."""
    from k8sdsl.volumes import HostPathType

    volumes = [
        Volume.host_path(f"host-{i}", path=f"/srv/{i}", type=t)
        for i, t in enumerate([None, *HostPathType])
    ] + [
        Volume.empty_dir("disk"),
        Volume.empty_dir("node-default", medium=StorageMedium.DEFAULT),
        Volume.empty_dir("memory", medium=StorageMedium.MEMORY, size_limit="128Mi"),
        Volume.of("huge", EmptyDirVolumeSource.huge_pages()),
        Volume.of("huge-2mi", EmptyDirVolumeSource.huge_pages(page_size="2Mi")),
    ]
    mounts = [v.mount(f"/mnt/{v.name}") for v in volumes]
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "node-volumes"},
        "spec": {
            "containers": [{"name": "app", "image": "busybox:1.36",
                            "volumeMounts": [m.to_k8s() for m in mounts]}],
            "volumes": [v.to_k8s() for v in volumes],
        },
    }  # fmt: skip
    assert [v["hostPath"].get("type") for v in pod["spec"]["volumes"][:9]] == [
        None, "", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket",
        "CharDevice", "BlockDevice",
    ]  # fmt: skip
    assert pod == yaml_snapshot
    assert_schema_valid([pod])
