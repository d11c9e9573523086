"""NfsVolume, the exports line, and the notes' NFS application rewritten in k8sdsl."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from apps import nfs_app
from k8sdsl import App, Chart, K8sDslError
from k8sdsl.storage import NfsExport, NfsVolume, Outcome, ReclaimPolicy, bind
from k8sdsl.volumes import AccessMode, Volume
from k8sdsl.workloads import SecurePod
from tests.conftest import assert_schema_valid, check_objects

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "notes"
HERE = Path(__file__).resolve().parent / "fixtures"


def _error(fn: Any) -> K8sDslError:
    with pytest.raises(K8sDslError) as info:
        fn()
    return info.value


@pytest.fixture
def apps_chart(app: App) -> Chart:
    return Chart(app, "nfs", namespace="apps")


def test_defaults(apps_chart: Chart, yaml_snapshot: Any) -> None:
    nfs = NfsVolume(apps_chart, "data", server="10.0.0.5", path="/var/nfs/general", capacity="1Gi")
    pv, claim = nfs.persistent_volume.to_k8s(), nfs.claim.to_k8s()
    assert pv["metadata"]["name"] == "apps-data"
    assert pv["spec"]["accessModes"] == ["ReadWriteMany"]
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert pv["spec"]["mountOptions"] == ["nfsvers=4.1"]
    assert pv["spec"]["storageClassName"] == "" == claim["spec"]["storageClassName"]
    assert pv["spec"]["claimRef"] == {"name": "data", "namespace": "apps"}
    assert claim["spec"]["volumeName"] == "apps-data"
    assert claim["spec"]["resources"] == {"requests": {"storage": "1Gi"}}
    assert [pv, claim] == yaml_snapshot
    assert_schema_valid([nfs.persistent_volume, nfs.claim])


def test_every_option(apps_chart: Chart, yaml_snapshot: Any) -> None:
    nfs = NfsVolume(
        apps_chart,
        "reports",
        server="nfs.example.com",
        path="/exports/reports",
        capacity="5Gi",
        access_modes=[AccessMode.READ_ONLY_MANY],
        reclaim_policy=ReclaimPolicy.RECYCLE,
        nfs_version="3",
        mount_options=["hard", "timeo=600"],
        read_only=True,
        namespace="reporting",
        claim_name="reports-ro",
        volume_name="reports-export",
        labels={"team": "bi"},
    )
    objects = [nfs.persistent_volume.to_k8s(), nfs.claim.to_k8s()]
    assert objects[0]["spec"]["mountOptions"] == ["nfsvers=3", "hard", "timeo=600"]
    assert objects[1]["metadata"]["namespace"] == "reporting"
    assert objects == yaml_snapshot
    assert_schema_valid(objects)


def test_no_nfs_version_lets_the_client_negotiate(apps_chart: Chart) -> None:
    nfs = NfsVolume(apps_chart, "data", server="s", path="/x", capacity="1Gi", nfs_version=None)
    assert "mountOptions" not in nfs.persistent_volume.to_k8s()["spec"]


def test_the_pair_binds_to_each_other(apps_chart: Chart) -> None:
    NfsVolume(apps_chart, "a", server="s", path="/a", capacity="1Gi")
    NfsVolume(apps_chart, "b", server="s", path="/b", capacity="1Gi")
    plan = bind(m.obj for m in apps_chart.app.manifests())
    assert plan.bindings() == {"apps/a": "apps-a", "apps/b": "apps-b"}
    assert not apps_chart.app.check().findings


def test_volume_and_mount(apps_chart: Chart) -> None:
    nfs = NfsVolume(
        apps_chart, "data", server="s", path="/x", capacity="1Gi", claim_name="shared.data"
    )
    assert nfs.claim_name == "shared.data"
    volume = nfs.volume()
    assert volume == Volume.claim("shared-data", claim_name="shared.data")
    assert nfs.volume("files", read_only=True).to_k8s() == {
        "name": "files",
        "persistentVolumeClaim": {"claimName": "shared.data", "readOnly": True},
    }
    mount = nfs.mount("/srv/data", read_only=True, sub_path="app")
    assert mount.to_k8s() == {
        "name": "shared-data",
        "mountPath": "/srv/data",
        "readOnly": True,
        "subPath": "app",
    }
    assert mount.volume == volume


def test_a_pod_mounting_it_has_no_dangling_claim(apps_chart: Chart) -> None:
    nfs = NfsVolume(apps_chart, "data", server="s", path="/x", capacity="1Gi")
    SecurePod(
        apps_chart,
        "reader",
        image="docker.io/library/busybox:1.36.1",
        command=["sleep", "3600"],
        mounts=[nfs.mount("/data")],
    )
    report = apps_chart.app.check()
    assert not [f for f in report.findings if f.code.startswith("storage/")]


def test_it_needs_a_namespace(app: App) -> None:
    err = _error(
        lambda: NfsVolume(Chart(app, "bare"), "data", server="s", path="/x", capacity="1Gi")
    )
    assert err.codes == ["storage/nfs-namespace"]
    assert err.findings[0].obj.source == "bare/data"


def test_bad_values_name_the_construct(apps_chart: Chart) -> None:
    err = _error(
        lambda: NfsVolume(apps_chart, "data", server="s", path="relative/path", capacity="1Gi")
    )
    assert err.findings[0].obj.source == "nfs/data/volume"
    assert err.findings[0].path == "path"
    err = _error(
        lambda: NfsVolume(
            apps_chart,
            "data2",
            server="s",
            path="/x",
            capacity="1Gi",
            access_modes=[AccessMode.READ_WRITE_ONCE_POD],
        )
    )
    assert "only with CSI" in err.findings[0].hint


def test_exports_line(apps_chart: Chart) -> None:
    nfs = NfsVolume(apps_chart, "data", server="s", path="/var/nfs/general", capacity="1Gi")
    assert nfs.exports_line(clients=["10.0.0.0/24"]) == (
        "/var/nfs/general 10.0.0.0/24(rw,sync,no_subtree_check)"
    )
    assert nfs.exports_line(clients=["10.0.0.11", "10.0.0.12"], options=["ro", "sync"]) == (
        "/var/nfs/general 10.0.0.11(ro,sync) 10.0.0.12(ro,sync)"
    )
    export = nfs.export(clients=["node-*.cluster.example", "@k8s-nodes", "2001:db8::/64"])
    assert export.clients == ("node-*.cluster.example", "@k8s-nodes", "2001:db8::/64")


@pytest.mark.parametrize(
    ("clients", "options", "message"),
    [
        ([], ("rw",), "at least one client"),
        (["10.0.0.1/24"], ("rw",), "host bits set"),
        (["10.0.0.0/33"], ("rw",), "not a network"),
        (["a b"], ("rw",), "not an NFS client"),
        (["10.0.0.0/24"], ("rw,sync",), "not an exports(5) option"),
        (["10.0.0.0/24"], ("rw", "ro"), "rw and ro contradict"),
        (["10.0.0.0/24"], ("sync", "async"), "sync and async contradict"),
    ],
)
def test_exports_mistakes(clients: list[str], options: tuple[str, ...], message: str) -> None:
    with pytest.raises(K8sDslError) as info:
        NfsExport(path="/var/nfs/general", clients=tuple(clients), options=options)
    assert message in info.value.findings[0].message


def test_an_export_path_with_spaces() -> None:
    with pytest.raises(K8sDslError) as info:
        NfsExport(path="/var/nfs/my share", clients=("10.0.0.0/24",))
    assert info.value.findings[0].path == "path"


def test_export_errors_from_the_construct_carry_its_path(apps_chart: Chart) -> None:
    nfs = NfsVolume(apps_chart, "data", server="s", path="/x", capacity="1Gi")
    err = _error(lambda: nfs.export(clients=["10.0.0.1/24"]))
    assert err.findings[0].obj.source == "nfs/data"
    assert err.findings[0].hint == "use '10.0.0.0/24'"


# -- the notes' NFS application ---------------------------------------------------------------


@pytest.fixture
def notes_app(tmp_path: Path) -> App:
    app = App(outdir=tmp_path / "dist")
    nfs_app.build(app)
    return app


def test_the_notes_app_is_a_pv_a_claim_and_a_pod(notes_app: App, yaml_snapshot: Any) -> None:
    objects = [m.obj for m in notes_app.manifests()]
    assert [(o["kind"], o["metadata"]["name"]) for o in objects] == [
        ("PersistentVolume", "apps-nfs-pvc"),
        ("PersistentVolumeClaim", "nfs-pvc"),
        ("Pod", "nfs-pod"),
    ]
    pod = objects[2]
    assert pod["spec"]["securityContext"]["runAsUser"] == 65534
    assert pod["spec"]["securityContext"]["runAsGroup"] == 65534
    assert pod["spec"]["securityContext"]["fsGroup"] == 65534
    assert pod["spec"]["volumes"] == [
        {"name": "nfs-pvc", "persistentVolumeClaim": {"claimName": "nfs-pvc"}}
    ]
    image = pod["spec"]["containers"][0]["image"]
    assert ":1.36.1@sha256:" in image
    assert objects == yaml_snapshot


def test_the_notes_app_passes_the_strict_schema_of_every_version(notes_app: App) -> None:
    assert_schema_valid([m.obj for m in notes_app.manifests()])


def test_the_notes_app_binds_and_synthesizes_without_findings(notes_app: App) -> None:
    plan = bind(m.obj for m in notes_app.manifests())
    verdict = plan.verdict("nfs-pvc", "apps")
    assert verdict.outcome is Outcome.BOUND and verdict.volume == "apps-nfs-pvc"
    report = notes_app.check()
    assert not report.has_errors(), report.format()
    assert not [f for f in report.findings if f.code.startswith("storage/")]
    notes_app.synth()
    written = (notes_app.outdir / "nfs-app.k8s.yaml").read_text()
    assert "claimName: nfs-pvc" in written


def test_the_exports_line_of_the_notes_server() -> None:
    assert nfs_app.exports_line() == "/var/nfs/general 10.0.0.0/24(rw,sync,no_subtree_check)"


def test_the_notes_mistakes_cannot_be_written(apps_chart: Chart) -> None:
    from k8sdsl.storage import PersistentVolumeSpec
    from k8sdsl.volumes import NfsVolumeSource, PersistentVolumeClaimSpec

    # 1. "PersistentVolumeReclaimPolicy: Recycle"
    err = _error(
        lambda: PersistentVolumeSpec(
            source=NfsVolumeSource(server="10.0.0.5", path="/var/nfs/general"),
            capacity={"storage": "1Gi"},
            access_modes=["ReadWriteMany"],
            PersistentVolumeReclaimPolicy="Recycle",
        )
    )
    assert err.findings[0].hint == "did you mean 'persistent_volume_reclaim_policy'?"
    # 2. "Resources: Requests: Storage: 1Gi"
    err = _error(
        lambda: PersistentVolumeClaimSpec(
            access_modes=["ReadWriteMany"], Resources={"Requests": {"Storage": "1Gi"}}
        )
    )
    assert "did you mean 'resources'?" in [f.hint for f in err.findings]
    err = _error(
        lambda: PersistentVolumeClaimSpec(
            access_modes=["ReadWriteMany"], resources={"Requests": {"Storage": "1Gi"}}
        )
    )
    assert err.findings[0].path.startswith("resources.")
    # 3. "claimName: nfs-PVC": not a valid name, and with NfsVolume never typed at all
    err = _error(lambda: Volume.claim("nfsvol", claim_name="nfs-PVC"))
    assert err.findings[0].hint == "use 'nfs-pvc'"
    nfs = NfsVolume(
        apps_chart, "nfs-pvc", server="10.0.0.5", path="/var/nfs/general", capacity="1Gi"
    )
    assert nfs.volume().to_k8s()["persistentVolumeClaim"]["claimName"] == nfs.claim.name


def test_the_notes_yaml_gets_the_findings_k8sdsl_prevents() -> None:
    # what `k8sdsl check` says about the notes' own files
    pv = yaml.safe_load((FIXTURES / "pv.yaml").read_text())
    pvc = yaml.safe_load((FIXTURES / "pvc.yaml").read_text())
    pod = yaml.safe_load((HERE / "notes-nfs-pod.yaml").read_text())
    report = check_objects([pv, pvc, pod])
    codes = set(report.codes())
    assert "storage/required-field" in codes  # the claim requests no storage
    assert "storage/missing-claim" in codes  # nfs-PVC
    missing = next(f for f in report.findings if f.code == "storage/missing-claim")
    assert missing.hint == "did you mean 'nfs-pvc'?"
    # the PV sets no class and neither does the claim: it hangs on the cluster's default
    assert "storage/default-class-trap" in codes
