"""A parallel synth (``synth(jobs=N)``, ``K8SDSL_JOBS``): the files and the report are the
serial synth's, byte for byte and finding for finding, with errors and warnings too."""

from __future__ import annotations

from pathlib import Path

import pytest

from k8sdsl import App, Chart, K8sDslError
from k8sdsl.network import IngressRule, NetworkPolicy, NetworkPolicyPort
from k8sdsl.storage import PersistentVolumeClaim
from k8sdsl.synth import JOBS_ENV, PARALLEL_FROM, synth_jobs
from k8sdsl.volumes import AccessMode, Volume
from k8sdsl.workloads import ContainerPort, Deployment, SecurePodTemplate

from .conftest import folder_bytes

IMAGE = "registry.example.com/shop/web:1.2.3"


def fleet(out: Path, n: int, *, broken: bool = False) -> App:
    """n apps (Deployment, Service, claim, policy); ``broken``: some name a missing claim
    (an error across objects) and some use a ``latest`` image (an error of one object)."""
    app = App(outdir=out)
    for i in range(n):
        chart = Chart(app, f"app-{i}", namespace="apps")
        claim = PersistentVolumeClaim(
            chart,
            "data",
            name=f"app-{i}-data",
            storage="1Gi",
            access_modes=[AccessMode.READ_WRITE_ONCE],
            storage_class="standard",
        )
        name = f"app-{i}-dta" if broken and i % 7 == 3 else claim.name
        image = "nginx:latest" if broken and i % 11 == 5 else IMAGE
        web = Deployment(
            chart,
            "web",
            name=f"app-{i}-web",
            template=SecurePodTemplate(
                image=image,
                ports=[ContainerPort(name="http", container_port=8080)],
                mounts=[Volume.claim("data", claim_name=name).mount("/data")],
            ),
        )
        web.expose(port=80, name=f"app-{i}-web")
        NetworkPolicy(
            chart,
            "web-ingress",
            name=f"app-{i}-web-ingress",
            pod_selector=web.selector,
            ingress=[IngressRule(ports=(NetworkPolicyPort.tcp(8080),))],
        )
    return app


@pytest.mark.parametrize("jobs", [2, 3])
def test_files_and_report_are_the_serial_synths(tmp_path: Path, jobs: int) -> None:
    serial = fleet(tmp_path / "serial", 40).synth(jobs=1)
    parallel = fleet(tmp_path / "parallel", 40).synth(jobs=jobs)
    assert folder_bytes(tmp_path / "parallel") == folder_bytes(tmp_path / "serial")
    assert parallel.findings == serial.findings
    assert parallel.format() == serial.format()
    assert serial.findings  # the fleet has notes to compare


def test_errors_of_one_object_and_across_objects_are_the_serial_ones(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    (out / "before.yaml").write_text("kept\n")
    with pytest.raises(K8sDslError) as serial:
        fleet(out, 30, broken=True).synth(jobs=1)
    with pytest.raises(K8sDslError) as parallel:
        fleet(out, 30, broken=True).synth(jobs=2)
    codes = {f.code for f in serial.value.findings}
    assert {"storage/missing-claim", "images/tag"} <= codes
    assert parallel.value.findings == serial.value.findings
    assert str(parallel.value) == str(serial.value)
    assert folder_bytes(out) == {"before.yaml": b"kept\n"}


def test_the_environment_variable_asks_for_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet(tmp_path / "serial", 12).synth()
    monkeypatch.setenv(JOBS_ENV, "2")
    fleet(tmp_path / "parallel", 12).synth()
    assert folder_bytes(tmp_path / "parallel") == folder_bytes(tmp_path / "serial")


def test_auto_stays_serial_for_a_small_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(JOBS_ENV, raising=False)
    assert synth_jobs(None, 10_000) == 1  # the default is serial
    assert synth_jobs("auto", PARALLEL_FROM - 1) == 1
    assert synth_jobs("auto", PARALLEL_FROM) >= 1
    assert synth_jobs(3, 5) == 3
    monkeypatch.setenv(JOBS_ENV, "auto")
    assert synth_jobs(None, 10) == 1


@pytest.mark.parametrize("value", ["two", "0", "-1", ""])
def test_a_bad_jobs_value_names_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(JOBS_ENV, value)
    if value == "":
        assert synth_jobs(None, 10) == 1  # unset and empty are the default
        return
    with pytest.raises(K8sDslError) as caught:
        fleet(tmp_path / "dist", 2).synth()
    finding = caught.value.findings[0]
    assert finding.code == "app/jobs"
    assert repr(value) in finding.message and JOBS_ENV in finding.hint
    assert not (tmp_path / "dist").exists()


def test_an_app_with_cdk8s_objects_synthesizes_serially(tmp_path: Path) -> None:
    import cdk8s

    def build(out: Path) -> App:
        app = fleet(out, 3)
        chart = app.charts[0]
        cdk8s.ApiObject(
            chart.cdk8s_chart,
            "extra",
            api_version="v1",
            kind="ConfigMap",
            metadata=cdk8s.ApiObjectMetadata(name="extra"),
        )
        return app

    build(tmp_path / "serial").synth(jobs=1)
    build(tmp_path / "parallel").synth(jobs=2)  # the node process is not forked
    assert folder_bytes(tmp_path / "parallel") == folder_bytes(tmp_path / "serial")
    assert "name: extra" in (tmp_path / "serial" / "app-0.k8s.yaml").read_text()


def test_an_error_raised_while_a_worker_renders_is_the_serial_error(tmp_path: Path) -> None:
    from k8sdsl.core._findings import Finding, ObjectRef, Severity

    def build(out: Path) -> App:
        app = fleet(out, 6)
        late = app.charts[3].resources()[0]  # a chart a worker renders (every 2nd from 1)

        def refuse() -> dict[str, object]:
            raise K8sDslError(
                [Finding(Severity.ERROR, "value/late", "refused late", ObjectRef(source="x"))],
                summary="refused while rendering",
            )

        late.to_k8s = refuse  # type: ignore[method-assign]
        return app

    with pytest.raises(K8sDslError) as serial:
        build(tmp_path / "serial").synth(jobs=1)
    with pytest.raises(K8sDslError) as parallel:
        build(tmp_path / "parallel").synth(jobs=2)
    assert str(parallel.value) == str(serial.value)
    assert parallel.value.codes == ["value/late"]


class _Stubborn(Exception):
    """An exception whose class does not unpickle (its __init__ wants two arguments)."""

    def __init__(self, what: str, why: str) -> None:
        super().__init__(f"{what}: {why}")


def test_an_error_that_cannot_travel_back_still_fails_the_synth(tmp_path: Path) -> None:
    app = fleet(tmp_path / "dist", 6)
    late = app.charts[3].resources()[0]

    def refuse() -> dict[str, object]:
        raise _Stubborn("render", "no")

    late.to_k8s = refuse  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="_Stubborn: render: no"):
        app.synth(jobs=2)
    assert not (tmp_path / "dist").exists()
