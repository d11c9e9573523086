"""StatefulSet: claim templates mounted like volumes, the headless Service, golden YAML,
schema validity, and its rules on constructs and on YAML through ``k8sdsl check``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, Chart, Cluster, K8sDslError
from k8sdsl.cli import main
from k8sdsl.volumes import Volume
from k8sdsl.workloads import (
    ClaimRetention,
    ContainerPort,
    PersistentVolumeClaimRetentionPolicy,
    PodManagementPolicy,
    RestartPolicy,
    SecurePodTemplate,
    Service,
    StatefulSet,
    StatefulSetUpdateStrategy,
    VolumeClaimTemplate,
)

from ..conftest import assert_schema_valid, check_objects

IMAGE = (
    "registry.example.com/team/postgres:16.4"
    "@sha256:5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6"
)
DATA = VolumeClaimTemplate.of("data", storage="10Gi", storage_class_name="fast")


@pytest.fixture
def chart(app: App) -> Chart:
    return Chart(app, "db", namespace="data")


def postgres(chart: Chart, **kwargs: Any) -> StatefulSet:
    template = SecurePodTemplate(
        image=IMAGE,
        ports=[ContainerPort.tcp(5432, name="postgres")],
        mounts=[DATA.mount("/var/lib/postgresql/data"), Volume.empty_dir("run").mount("/run")],
    )
    return StatefulSet(
        chart, "postgres", template=template, volume_claim_templates=[DATA], **kwargs
    )


def test_statefulset_golden(chart: Chart, yaml_snapshot: Any) -> None:
    sts = postgres(
        chart,
        replicas=3,
        pod_management_policy=PodManagementPolicy.PARALLEL,
        update_strategy=StatefulSetUpdateStrategy.rolling(partition=2),
        persistent_volume_claim_retention_policy=PersistentVolumeClaimRetentionPolicy(
            when_deleted=ClaimRetention.DELETE, when_scaled=ClaimRetention.RETAIN
        ),
        ordinals_start=1,
        min_ready_seconds=10,
    )
    service = sts.headless_service()
    assert [sts.to_k8s(), service.to_k8s()] == yaml_snapshot
    assert_schema_valid([sts, service], ["1.28", "1.37"])
    spec = sts.to_k8s()["spec"]
    # the claim template is mounted by name; only the emptyDir is a pod volume
    pod = spec["template"]["spec"]
    assert pod["volumes"] == [{"name": "run", "emptyDir": {}}]
    assert pod["containers"][0]["volumeMounts"][0] == {
        "name": "data",
        "mountPath": "/var/lib/postgresql/data",
    }
    assert spec["volumeClaimTemplates"] == [
        {
            "metadata": {"name": "data"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "10Gi"}},
                "storageClassName": "fast",
            },
        }
    ]
    assert spec["serviceName"] == "postgres" and spec["ordinals"] == {"start": 1}
    assert service.to_k8s()["spec"]["clusterIP"] == "None"
    assert service.selector == sts.selector == {"app.kubernetes.io/name": "postgres"}
    assert service.to_k8s()["spec"]["ports"] == [
        {"port": 5432, "targetPort": "postgres", "name": "postgres"}
    ]


def test_defaults_leave_kubernetes_defaults(chart: Chart) -> None:
    spec = postgres(chart).to_k8s()["spec"]
    for field in ("replicas", "podManagementPolicy", "updateStrategy", "ordinals"):
        assert field not in spec
    assert spec["serviceName"] == "postgres"
    assert StatefulSetUpdateStrategy.on_delete().to_k8s() == {"type": "OnDelete"}
    assert StatefulSetUpdateStrategy.rolling().to_k8s() == {"type": "RollingUpdate"}


def test_a_headless_service_passed_in_names_the_service(chart: Chart) -> None:
    service = Service(
        chart,
        "pg",
        selector={"app.kubernetes.io/name": "postgres"},
        ports=[5432],
        cluster_ip="None",
    )
    sts = postgres(chart, service_name=service)
    assert sts.to_k8s()["spec"]["serviceName"] == "pg"
    with pytest.raises(K8sDslError) as err:
        sts.headless_service()  # the Service exists already
    assert err.value.findings[0].code == "value/service-name"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"selector": {"app.kubernetes.io/name": "postgres"}, "ports": [5432]}, "not headless"),
        ({"selector": {"app": "other"}, "ports": [5432], "cluster_ip": "None"}, "selects app"),
    ],
)
def test_a_service_that_is_not_the_governing_service_fails(
    chart: Chart, kwargs: dict[str, Any], message: str
) -> None:
    service = Service(chart, "pg", **kwargs)
    with pytest.raises(K8sDslError) as err:
        postgres(chart, service_name=service)
    (finding,) = err.value.findings
    assert finding.code == "workloads/statefulset-service"
    assert finding.path == "spec.serviceName" and message in finding.message


def test_construction_errors(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as err:
        StatefulSet(
            chart,
            "a",
            template=SecurePodTemplate(image=IMAGE, mounts=[Volume.empty_dir("data").mount("/d")]),
            volume_claim_templates=[DATA],
        )
    assert err.value.findings[0].code == "workloads/claim-template-volume"
    with pytest.raises(K8sDslError) as err:
        StatefulSet(chart, "b", template=SecurePodTemplate(image=IMAGE), replicas=-1)
    assert err.value.findings[0].path.endswith("replicas")
    with pytest.raises(K8sDslError) as err:
        StatefulSet(
            chart,
            "c",
            template=SecurePodTemplate(image=IMAGE),
            volume_claim_templates=[DATA, DATA],
        )
    assert "used twice" in err.value.findings[0].message
    with pytest.raises(K8sDslError) as err:
        StatefulSet(
            chart,
            "d",
            template=SecurePodTemplate(image=IMAGE, restart_policy=RestartPolicy.NEVER),
        )
    assert err.value.findings[0].code == "workloads/restart-policy"
    with pytest.raises(K8sDslError) as err:
        StatefulSet(chart, "e", template=SecurePodTemplate(image=IMAGE)).headless_service()
    assert err.value.findings[0].code == "workloads/expose-no-port"
    with pytest.raises(K8sDslError):
        VolumeClaimTemplate.of("data", storage="0")
    mounted = SecurePodTemplate(image=IMAGE, mounts=[DATA.mount("/data")])
    with pytest.raises(K8sDslError) as err:
        StatefulSet(chart, "f", template=mounted)  # the template is not in the StatefulSet
    assert err.value.findings[0].code == "workloads/claim-template-volume"
    assert "not in volume_claim_templates" in err.value.findings[0].message


@pytest.mark.parametrize("kind", ["Deployment", "DaemonSet", "Job", "CronJob", "Pod"])
def test_only_a_statefulset_mounts_claim_templates(chart: Chart, kind: str) -> None:
    import k8sdsl.workloads as w

    mounted = SecurePodTemplate(image=IMAGE, mounts=[DATA.mount("/data")])
    extra: dict[str, Any] = {"schedule": "@daily"} if kind == "CronJob" else {}
    with pytest.raises(K8sDslError) as err:
        getattr(w, kind)(chart, "x", template=mounted, **extra)
    (finding,) = err.value.findings
    assert finding.code == "workloads/claim-template-volume"
    assert kind in finding.message and finding.obj.kind == kind


def test_synth_checks_the_service_and_the_class(tmp_path: Path) -> None:
    def app(with_service: bool, cluster: Cluster) -> App:
        app = App(outdir=tmp_path / "dist", cluster=cluster)
        chart = Chart(app, "db", namespace="data")
        sts = postgres(chart)
        if with_service:
            sts.headless_service()
        return app

    with pytest.raises(K8sDslError) as err:
        app(False, Cluster(storage_classes=["fast"])).synth()
    codes = {f.code for f in err.value.findings if f.code.startswith("workloads/")}
    assert codes == {"workloads/statefulset-service"}
    report = app(True, Cluster(storage_classes=["slow"])).check()
    (finding,) = [f for f in report.findings if f.code == "workloads/claim-template-class"]
    assert finding.severity.value == "error"
    assert finding.path == "spec.volumeClaimTemplates[0].spec.storageClassName"
    app(True, Cluster(storage_classes=["fast"])).synth()


# -- YAML through k8sdsl check ------------------------------------------------------------------

STATEFULSET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  serviceName: db
  replicas: 3
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
        - name: db
          image: registry.example.com/db:1.0
          volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        storageClassName: fast
        resources: {requests: {storage: 10Gi}}
"""
SERVICE = """\
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: data}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 5432}]
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: ebs.csi.aws.com
"""


def findings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, *flags: str
) -> list[tuple[str, str, str]]:
    path = tmp_path / "objects.yaml"
    path.write_text(text)
    main(["check", "--format", "json", *flags, str(path)])
    found = json.loads(capsys.readouterr().out)["findings"]
    return sorted(
        (f["code"], f["severity"], f["path"])
        for f in found
        if f["code"].startswith(("workloads/", "volumes/unknown-mount"))
    )


def test_the_valid_statefulset_has_no_finding(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert findings(capsys, tmp_path, STATEFULSET + SERVICE, "--complete") == []


def test_a_missing_service_is_a_warning_then_an_error_when_complete(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert findings(capsys, tmp_path, STATEFULSET) == [
        (
            "workloads/claim-template-class",
            "warning",
            "spec.volumeClaimTemplates[0].spec.storageClassName",
        ),
        ("workloads/statefulset-service", "warning", "spec.serviceName"),
    ]
    assert ("workloads/statefulset-service", "error", "spec.serviceName") in findings(
        capsys, tmp_path, STATEFULSET, "--complete"
    )
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text(
        "storage_classes: [fast]\nobjects:\n  - {kind: Service, name: db, namespace: data}\n"
    )
    assert findings(capsys, tmp_path, STATEFULSET, "--complete", "--cluster", str(cluster)) == []


@pytest.mark.parametrize(
    ("old", "new", "code", "path", "text"),
    [
        (
            "clusterIP: None",
            "clusterIP: 10.0.0.9",
            "workloads/statefulset-service",
            "spec.serviceName",
            "not headless",
        ),
        (
            "selector: {app: db}\n  ports",
            "selector: {app: dbx}\n  ports",
            "workloads/statefulset-service",
            "spec.serviceName",
            "selects app=dbx",
        ),
        (
            "  selector: {app: db}\n  ports",
            "  ports",
            "workloads/statefulset-service",
            "spec.serviceName",
            "has no selector",
        ),
        (
            "        resources: {requests: {storage: 10Gi}}\n",
            "",
            "workloads/claim-template-storage",
            "spec.volumeClaimTemplates[0].spec.resources.requests.storage",
            "requests no storage",
        ),
        (
            "accessModes: [ReadWriteOnce]",
            "volumeMode: Filesystem",
            "workloads/claim-template-storage",
            "spec.volumeClaimTemplates[0].spec.accessModes",
            "no accessModes",
        ),
    ],
)
def test_statefulset_rules_on_yaml(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    old: str,
    new: str,
    code: str,
    path: str,
    text: str,
) -> None:
    source = (STATEFULSET + SERVICE).replace(old, new, 1)
    assert source != STATEFULSET + SERVICE
    file = tmp_path / "objects.yaml"
    file.write_text(source)
    main(["check", "--format", "json", "--complete", str(file)])
    found = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["code"] == code]
    assert [(f["severity"], f["path"]) for f in found] == [("error", path)]
    assert text in found[0]["message"]


def test_the_claim_template_class_rule_on_yaml(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text("storage_classes: [fast-ssd, standard]\n")
    text = STATEFULSET.replace("storageClassName: fast", "storageClassName: fast-sd")
    file = tmp_path / "objects.yaml"
    file.write_text(text)
    main(["check", "--format", "json", "--cluster", str(cluster), str(file)])
    found = [
        f
        for f in json.loads(capsys.readouterr().out)["findings"]
        if f["code"] == "workloads/claim-template-class"
    ]
    assert [(f["severity"], f["hint"]) for f in found] == [("error", "did you mean 'fast-ssd'?")]
    # without a class, a default class in the files (or declared) is enough
    no_class = STATEFULSET.replace("        storageClassName: fast\n", "")
    default = (
        "---\napiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: std\n"
        "  annotations: {storageclass.kubernetes.io/is-default-class: 'true'}\n"
        "provisioner: ebs.csi.aws.com\n"
    )
    report = check_objects_text(no_class)
    assert [f.severity.value for f in report if f.code == "workloads/claim-template-class"] == [
        "warning"
    ]
    assert [
        f for f in check_objects_text(no_class + default) if f.code.startswith("workloads/claim")
    ] == []


def check_objects_text(text: str) -> list[Any]:
    import yaml

    docs = [d for d in yaml.safe_load_all(text) if d]
    return list(check_objects(docs).findings)


PARITY = Path(__file__).resolve().parents[1] / "fixtures" / "parity"


@pytest.mark.parametrize(
    "code",
    [
        "workloads/statefulset-service",
        "workloads/claim-template-volume",
        "workloads/cron-schedule",
        "workloads/cron-time-zone",
        "workloads/cron-name-length",
    ],
)
def test_construct_codes_have_a_yaml_case(capsys: pytest.CaptureFixture[str], code: str) -> None:
    """The codes the new constructs raise are given by k8sdsl check on YAML too (the
    parity fixtures, one per code)."""
    path = PARITY / (code.replace("/", "--") + ".yaml")
    main(["check", "--format", "json", "--complete", str(path)])
    found = json.loads(capsys.readouterr().out)["findings"]
    assert code in {f["code"] for f in found}
