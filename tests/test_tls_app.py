"""apps/tls.py's trust bundle: the shop's root CA as a ClusterTrustBundle and a pod that
mounts it through a projected ``clusterTrustBundle`` source, in dist/ (schema-valid, a
certificate and no key) and across target versions (the API version and the gate follow the
target: v1alpha1 and a gate before 1.33, v1beta1 and a gate 1.33-1.36, v1 from 1.37, and
no projection field before 1.29)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from cryptography import x509

from apps.tls import SHOP_ROOT_CA, _trust_bundle
from k8sdsl import App
from k8sdsl.cli import main
from tests.conftest import schema_errors

DIST = Path(__file__).resolve().parent.parent / "dist" / "tls-trust-bundle.k8s.yaml"


def _objects() -> dict[str, dict]:  # type: ignore[type-arg]
    docs = [d for d in yaml.safe_load_all(DIST.read_text()) if d]
    return {d["kind"]: d for d in docs}


def test_dist_has_the_bundle_and_the_pod_that_mounts_it() -> None:
    objects = _objects()
    assert sorted(objects) == ["ClusterTrustBundle", "Pod"]
    bundle, pod = objects["ClusterTrustBundle"], objects["Pod"]
    assert bundle["apiVersion"] == "certificates.k8s.io/v1beta1"
    assert "namespace" not in bundle["metadata"]
    assert pod["spec"]["volumes"] == [
        {
            "name": "corp-ca",
            "projected": {
                "sources": [
                    {"clusterTrustBundle": {"name": bundle["metadata"]["name"], "path": "ca.crt"}}
                ]
            },
        }
    ]
    mounts = pod["spec"]["containers"][0]["volumeMounts"]
    assert mounts == [{"mountPath": "/etc/ssl/corp", "name": "corp-ca"}]
    for obj in objects.values():
        assert schema_errors(obj, "1.35") == []


def test_the_bundle_is_a_ca_certificate_and_no_key() -> None:
    text = _objects()["ClusterTrustBundle"]["spec"]["trustBundle"]
    assert text == SHOP_ROOT_CA
    assert "PRIVATE KEY" not in DIST.read_text()
    cert = x509.load_pem_x509_certificate(text.encode())
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert cert.subject == cert.issuer  # a root


def test_check_of_the_file_warns_of_the_gate_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "json", str(DIST)]) == 0
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["severity"], f["code"], f["path"]) for f in findings] == [
        (
            "warning",
            "volumes/feature-gate",
            "spec.volumes[0].projected.sources[0].clusterTrustBundle",
        )
    ]


@pytest.mark.parametrize(
    ("version", "api", "gate"),
    [
        ("1.29", "certificates.k8s.io/v1alpha1", "warning"),
        ("1.33", "certificates.k8s.io/v1beta1", "warning"),
        ("1.36", "certificates.k8s.io/v1beta1", "warning"),
        ("1.37", "certificates.k8s.io/v1", None),
        ("1.28", "certificates.k8s.io/v1alpha1", "error"),
    ],
)
def test_the_versions_follow_the_target(version: str, api: str, gate: str | None) -> None:
    app = App(outdir="unused", k8s_version=version)
    _trust_bundle(app)
    report = app.check()
    found = [(str(f.severity), f.code) for f in report.findings if f.code.startswith("volumes/")]
    assert found == ([] if gate is None else [(gate, "volumes/feature-gate")])
    manifests = {m.kind: m.obj for m in app.manifests()}
    assert manifests["ClusterTrustBundle"]["apiVersion"] == api
    assert schema_errors(manifests["ClusterTrustBundle"], version) == []
    if gate != "error":
        assert schema_errors(manifests["Pod"], version) == []
