"""Exemptions: the value, the annotations k8sdsl and checkov read, and their path through
SecurePod to dist/."""

from __future__ import annotations

import pytest

from k8sdsl import App, Chart
from k8sdsl.core import K8sDslError, ValueInputError
from k8sdsl.security import (
    CHECKOV_IDS,
    Control,
    Exemption,
    exemption_annotations,
    exemption_reason,
)
from k8sdsl.workloads import Deployment, PodSecurityContext, SecurePod, SecurePodTemplate

DIGEST_IMAGE = "registry.example.com/team/app:1.0@sha256:" + "ab" * 32


def test_reason_is_mandatory_and_one_line() -> None:
    with pytest.raises(ValueInputError) as err:
        Exemption(control="privileged", reason="")
    assert err.value.findings[0].path == "reason"
    with pytest.raises(ValueInputError) as err:
        Exemption(control="privileged", reason="   ")
    assert err.value.findings[0].path == "reason"
    with pytest.raises(ValueInputError) as err:
        Exemption(control="privileged", reason="line one\nline two")
    assert err.value.codes == ["value/reason-one-line"]
    with pytest.raises(ValueInputError):
        Exemption(control="privileged")  # type: ignore[call-arg]


def test_unknown_control_suggests_the_right_one() -> None:
    with pytest.raises(ValueInputError) as err:
        Exemption(control="run-as-user-below-1000", reason="x")
    (finding,) = err.value.findings
    assert finding.code == "value/unknown-control"
    assert "run-as-user-below-10000" in finding.hint


def test_annotations_for_k8sdsl_and_checkov() -> None:
    annotations = exemption_annotations(
        [
            Exemption(control=Control.RUN_AS_USER_BELOW_10000, reason="image user is 1000"),
            Exemption(control=Control.PRIVILEGED, reason="needs /dev/fuse"),
        ]
    )
    assert annotations == {
        "k8sdsl.io/exemption.privileged": "needs /dev/fuse",
        "k8sdsl.io/exemption.run-as-user-below-10000": "image user is 1000",
        "checkov.io/skip1": "CKV_K8S_16=needs /dev/fuse",
        "checkov.io/skip2": "CKV_K8S_40=image user is 1000",
    }


def test_checkov_comment_cannot_break_checkov_parsing() -> None:
    # checkov splits "<id>=<comment>" on every "=": a second "=" would crash its parser
    ((key, value),) = [
        (k, v)
        for k, v in exemption_annotations(
            [Exemption(control="privileged", reason="mode=privileged is required")]
        ).items()
        if k.startswith("checkov")
    ]
    assert value == "CKV_K8S_16=mode:privileged is required"
    assert len(value.split("=")) == 2


def test_a_check_shared_by_two_controls_is_skipped_once() -> None:
    annotations = exemption_annotations(
        [
            Exemption(control="run-as-non-root", reason="a"),
            Exemption(control="run-as-user", reason="b"),
        ]
    )
    assert [v for k, v in annotations.items() if k.startswith("checkov")] == ["CKV_K8S_23=a"]


def test_every_checkov_id_is_a_pod_check() -> None:
    for control, ids in CHECKOV_IDS.items():
        assert ids, control
        assert all(i.startswith("CKV_K8S_") for i in ids)


def test_exemption_reason_reads_any_annotation_map() -> None:
    ann = exemption_annotations([Exemption(control="host-ports", reason="legacy agent")])
    assert exemption_reason("host-ports", {}, ann) == "legacy agent"
    assert exemption_reason(Control.PRIVILEGED, ann) is None


def test_securepod_writes_exemptions_into_its_annotations(app: App) -> None:
    chart = Chart(app, "t", namespace="apps")
    pod = SecurePod(
        chart,
        "legacy",
        image=DIGEST_IMAGE,
        security_context=PodSecurityContext(run_as_user=1000),
        exemptions=[Exemption(control="run-as-user-below-10000", reason="image user is 1000")],
    )
    meta = pod.to_k8s()["metadata"]
    assert (
        meta["annotations"]["k8sdsl.io/exemption.run-as-user-below-10000"] == "image user is 1000"
    )
    assert meta["annotations"]["checkov.io/skip1"] == "CKV_K8S_40=image user is 1000"
    report = app.check()
    assert not report.has_errors()
    assert [f.code for f in report.findings if f.obj.name == "legacy"] == [
        "pod-security/run-as-user-below-10000"
    ]


def test_weakening_without_exemption_fails_synth(app: App) -> None:
    chart = Chart(app, "t", namespace="apps")
    SecurePod(
        chart, "legacy", image=DIGEST_IMAGE, security_context=PodSecurityContext(run_as_user=1000)
    )
    with pytest.raises(K8sDslError) as err:
        app.synth()
    assert "pod-security/run-as-user-below-10000" in err.value.codes
    assert not (app.outdir).exists()


def test_workloads_carry_checkov_skips_on_top_and_k8sdsl_annotations_on_pods(app: App) -> None:
    chart = Chart(app, "t", namespace="apps")
    d = Deployment(
        chart,
        "web",
        template=SecurePodTemplate(
            image=DIGEST_IMAGE,
            ports=[8080],
            exemptions=[Exemption(control="read-only-root-filesystem", reason="writes a pid file")],
        ),
    )
    obj = d.to_k8s()
    assert obj["metadata"]["annotations"] == {
        "k8sdsl.io/exemption.read-only-root-filesystem": "writes a pid file",
        "checkov.io/skip1": "CKV_K8S_22=writes a pid file",
    }
    template_annotations = obj["spec"]["template"]["metadata"]["annotations"]
    assert (
        template_annotations["k8sdsl.io/exemption.read-only-root-filesystem"] == "writes a pid file"
    )
    # checkov reads only the top-level object; pods keep only k8sdsl's own record
    assert not any(k.startswith("checkov.io") for k in template_annotations)
