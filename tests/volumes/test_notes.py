"""The course notes' volume samples as their author meant them, written in k8sdsl, and their
mistakes: each either cannot be written in Python or fails ``k8sdsl check`` with a clear
finding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from k8sdsl import App, Chart
from k8sdsl.core import K8sDslError, Report, Severity
from k8sdsl.volumes import (
    AwsElasticBlockStoreVolumeSource,
    ConfigMapProjection,
    DownwardApiProjection,
    DownwardApiVolumeFile,
    GcePersistentDiskVolumeSource,
    GitRepoVolumeSource,
    HostPathType,
    KeyToPath,
    SecretProjection,
    Volume,
)
from k8sdsl.workloads import Container, Pod
from tests.conftest import assert_schema_valid, check_objects

WEBSERVER = "k8s.gcr.io/test-webserver"


def volume_findings(report: Report) -> list[tuple[str, Severity, str]]:
    return [(f.code, f.severity, f.path) for f in report.findings if f.code.startswith("volumes/")]


def webserver_pod(chart: Chart, name: str, volume: Volume, mount_path: str) -> Pod:
    return Pod(
        chart,
        name,
        containers=[
            Container(name="test-container", image=WEBSERVER, mounts=[volume.mount(mount_path)])
        ],
    )


# -- AWS EBS -----------------------------------------------------------------------------------


def ebs_volume() -> Volume:
    return Volume.of(
        "test-volume",
        AwsElasticBlockStoreVolumeSource(volume_id="vol-0123456789abcdef0", fs_type="ext4"),
    )


def test_ebs_pod_as_meant(chart: Chart, yaml_snapshot: Any) -> None:
    pod = webserver_pod(chart, "test-ebs", ebs_volume(), "/test-ebs")
    assert pod == yaml_snapshot
    assert_schema_valid([pod])  # the API keeps the field, so the schema accepts it...


def test_ebs_pod_is_refused_for_every_supported_target(app: App, chart: Chart) -> None:
    # ...but no supported kubelet has the plugin: synth reports it, naming the CSI driver
    webserver_pod(chart, "test-ebs", ebs_volume(), "/test-ebs")
    report = app.check()
    (finding,) = [f for f in report.findings if f.code == "volumes/removed-plugin"]
    assert finding.severity is Severity.ERROR
    assert finding.path == "spec.volumes[0].awsElasticBlockStore"
    assert finding.obj.source == "test/test-ebs"
    assert "ebs.csi.aws.com" in finding.hint


def test_ebs_empty_volume_id_cannot_be_written() -> None:
    with pytest.raises(K8sDslError) as exc:
        AwsElasticBlockStoreVolumeSource(volume_id="", fs_type="ext4")
    assert [(f.code, f.path) for f in exc.value.findings] == [
        ("value/string-too-short", "volume_id")
    ]
    with pytest.raises(K8sDslError) as exc:
        AwsElasticBlockStoreVolumeSource(fs_type="ext4")  # type: ignore[call-arg]
    assert [(f.code, f.path) for f in exc.value.findings] == [("value/missing", "volume_id")]


NOTES_EBS_YAML = """
apiVersion: v1
kind: Pod
metadata:
  name: test-ebs
spec:
  containers:
  - image: k8s.gcr.io/test-webserver
    name: test-container
    volumeMounts:
    - mountPath: /test-ebs
      name: test-volume
  volumes:
  - name: test-volume
    # This AWS EBS volume must already exist.
    awsElasticBlockStore:
      volumeID:
      fsType: ext4
"""


def test_ebs_yaml_with_empty_volume_id_fails_check() -> None:
    report = check_objects([yaml.safe_load(NOTES_EBS_YAML)], "1.28")
    assert ("volumes/required-field", Severity.ERROR,
            "spec.volumes[0].awsElasticBlockStore.volumeID") in volume_findings(report)  # fmt: skip


# -- GCE persistent disk -----------------------------------------------------------------------


def gce_volume() -> Volume:
    return Volume.of(
        "test-volume", GcePersistentDiskVolumeSource(pd_name="my-data-disk", fs_type="ext4")
    )


def test_gce_pod_as_meant(chart: Chart, yaml_snapshot: Any) -> None:
    pod = webserver_pod(chart, "test-pd", gce_volume(), "/test-pd")
    assert pod == yaml_snapshot
    assert_schema_valid([pod])
    report = check_objects([pod], "1.28", only=["volumes/removed-plugin"])
    assert "pd.csi.storage.gke.io" in report.findings[0].hint


def test_gce_commented_out_source_key_cannot_be_written() -> None:
    # "#exist. gcePersistentDisk:" swallowed the key: pdName and fsType land on the volume
    with pytest.raises(K8sDslError) as exc:
        Volume(name="test-volume", pd_name="my-data-disk", fs_type="ext4")  # type: ignore[call-arg]
    found = {(f.code, f.path) for f in exc.value.findings}
    assert found == {
        ("value/extra-forbidden", "pd_name"),
        ("value/extra-forbidden", "fs_type"),
        ("value/missing", "source"),
    }


NOTES_GCE_YAML = """
apiVersion: v1
kind: Pod
metadata:
  name: test-pd
spec:
  containers:
  - image: k8s.gcr.io/test-webserver
    name: test-container
    volumeMounts:
    - mountPath: /test-pd
      name: test-volume
  volumes:
  - name: test-volume
    #This GCE PD must already
    #exist. gcePersistentDisk:
    pdName: my-data-disk
    fsType: ext4
"""


def test_gce_yaml_with_commented_out_key_fails_check() -> None:
    report = check_objects([yaml.safe_load(NOTES_GCE_YAML)], "1.35")
    (finding,) = [f for f in report.findings if f.code == "volumes/missing-source"]
    assert (finding.severity, finding.path) == (Severity.ERROR, "spec.volumes[0]")
    assert "gcePersistentDisk" in finding.hint and "commented out" in finding.hint
    # and the strict schema rejects the stray fields too
    assert any(f.code.startswith("schema/") for f in _schema_report(NOTES_GCE_YAML).findings)


def _schema_report(text: str) -> Report:
    from k8sdsl._pipeline import schema_findings
    from k8sdsl.core import K8sVersion, Manifest

    manifest = Manifest(yaml.safe_load(text), "notes.yaml", K8sVersion("1.35"))
    return Report.of(schema_findings([manifest]))


# -- emptyDir ----------------------------------------------------------------------------------


def test_empty_dir_pod_as_meant(chart: Chart, yaml_snapshot: Any) -> None:
    pod = webserver_pod(chart, "test-pd", Volume.empty_dir("cache-volume"), "/cache")
    assert pod == yaml_snapshot
    assert pod.to_k8s()["spec"]["volumes"] == [{"name": "cache-volume", "emptyDir": {}}]
    assert_schema_valid([pod])
    assert volume_findings(check_objects([pod], "1.35")) == []


# -- projected ---------------------------------------------------------------------------------


def all_in_one() -> Volume:
    return Volume.projected(
        "all-in-one",
        SecretProjection(
            name="mysecret", items=[KeyToPath(key="username", path="my-group/my-username")]
        ),
        DownwardApiProjection(
            items=[
                DownwardApiVolumeFile.field(path="labels", field_path="metadata.labels"),
                DownwardApiVolumeFile.resource(
                    path="cpu_limit", container_name="container-test", resource="limits.cpu"
                ),
            ]
        ),
        ConfigMapProjection(
            name="myconfigmap", items=[KeyToPath(key="config", path="my-group/my-config")]
        ),
    )


def test_projected_pod_as_meant(chart: Chart, yaml_snapshot: Any) -> None:
    pod = Pod(
        chart,
        "volume-test",
        containers=[
            Container(
                name="container-test",
                image="busybox:1.36",
                mounts=[all_in_one().mount("/projected-volume", read_only=True)],
            )
        ],
    )
    assert pod == yaml_snapshot
    assert_schema_valid([pod])
    assert volume_findings(check_objects([pod], "1.35")) == []


def test_projected_mount_path_with_a_space_cannot_be_written() -> None:
    with pytest.raises(K8sDslError) as exc:
        all_in_one().mount("/projected -volume", read_only=True)
    (finding,) = exc.value.findings
    assert (finding.code, finding.path) == ("value/mount-path", "mount_path")
    assert finding.hint == "use '/projected-volume'"


def test_projected_mount_path_with_a_space_is_flagged_by_check() -> None:
    notes = (Path(__file__).parent / "fixtures" / "projected-pod.yaml").read_text()
    report = check_objects([yaml.safe_load(notes)], "1.35")
    assert volume_findings(report) == [
        ("volumes/mount-path-whitespace", Severity.WARNING,
         "spec.containers[0].volumeMounts[0].mountPath"),
    ]  # fmt: skip


def test_a_projection_is_one_source_each() -> None:
    # flattened, the notes' sample reads as one entry with secret, downwardAPI and configMap
    volume = all_in_one().to_k8s()
    assert [list(s) for s in volume["projected"]["sources"]] == [
        ["secret"], ["downwardAPI"], ["configMap"],
    ]  # fmt: skip


# -- hostPath ----------------------------------------------------------------------------------


def test_host_path_as_meant(chart: Chart, yaml_snapshot: Any) -> None:
    volume = Volume.host_path("test-volume", path="/data", type=HostPathType.DIRECTORY)
    assert volume.to_k8s() == {
        "name": "test-volume",
        "hostPath": {"path": "/data", "type": "Directory"},
    }
    pod = webserver_pod(chart, "test-host-path", volume, "/test-pd")
    assert pod == yaml_snapshot
    assert_schema_valid([pod])
    assert volume_findings(check_objects([pod], "1.35")) == []


def test_host_path_type_must_be_one_of_the_notes_list() -> None:
    assert [t.value for t in HostPathType] == [
        "", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice",
        "BlockDevice",
    ]  # fmt: skip
    with pytest.raises(K8sDslError):
        Volume.host_path("v", path="/data", type="Dir")  # type: ignore[arg-type]


# -- gitRepo -----------------------------------------------------------------------------------


def test_git_repo_as_meant_is_refused_from_133_with_the_replacement() -> None:
    volume = Volume.of(
        "git-volume",
        GitRepoVolumeSource(
            repository="git@somewhere:me/my-git-repository.git",
            revision="22f1d8406d464b0c0874075539c1f2e96c253775",
        ),
    )
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "git"},
        "spec": {
            "containers": [
                {"name": "app", "image": "busybox:1.36",
                 "volumeMounts": [volume.mount("/repo").to_k8s()]},
            ],
            "volumes": [volume.to_k8s()],
        },
    }  # fmt: skip
    assert_schema_valid([pod])
    late = check_objects([pod], "1.33", only=["volumes/git-repo"]).findings
    early = check_objects([pod], "1.32", only=["volumes/git-repo"]).findings
    assert [f.severity for f in late] == [Severity.ERROR]
    assert [f.severity for f in early] == [Severity.WARNING]
    assert "initContainers" in late[0].hint and "emptyDir" in late[0].hint
