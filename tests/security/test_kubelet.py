"""KubeletConfiguration: hardened defaults, every kubelet/* rule on YAML through ``k8sdsl
check`` and on the typed value through synth, the pinned schema, and the notes' defaults
giving one finding per weakness."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from k8sdsl import App, Chart, ConfigFile, K8sDslError
from k8sdsl._config_schema import validate_config
from k8sdsl.cli import main
from k8sdsl.core import ValueInputError
from k8sdsl.security import (
    KUBEADM_CLIENT_CA_FILE,
    SECURE_TLS_CIPHER_SUITES,
    KubeletAnonymousAuthentication,
    KubeletAuthentication,
    KubeletAuthorization,
    KubeletAuthorizationMode,
    KubeletConfiguration,
    KubeletWebhookAuthentication,
    KubeletX509Authentication,
    TlsVersion,
)

NOTES = Path(__file__).resolve().parent.parent / "fixtures" / "notes" / "kubelet-defaults.yaml"

#: a configuration with nothing to find: the hardened settings written by hand
CLEAN = """\
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true, cacheTTL: 2m}
  x509: {clientCAFile: /etc/kubernetes/pki/ca.crt}
authorization: {mode: Webhook}
readOnlyPort: 0
rotateCertificates: true
serverTLSBootstrap: true
protectKernelDefaults: true
"""


def check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, *flags: str
) -> tuple[int, list[dict[str, Any]]]:
    path = tmp_path / "kubelet.yaml"
    path.write_text(text)
    code = main(["check", "--format", "json", *flags, str(path)])
    return code, json.loads(capsys.readouterr().out)["findings"]


def with_changes(**changes: Any) -> str:
    doc = yaml.safe_load(CLEAN)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = doc
        for p in parents:
            node = node.setdefault(p, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return yaml.safe_dump(doc, sort_keys=False)


# code -> (YAML change, path of the finding, severity, the typed value that does the same)
CASES: dict[str, tuple[dict[str, Any], str, str, dict[str, Any]]] = {
    "kubelet/anonymous-auth": (
        {"authentication__anonymous__enabled": True},
        "authentication.anonymous.enabled",
        "error",
        {
            "authentication": KubeletAuthentication(
                anonymous=KubeletAnonymousAuthentication(enabled=True)
            )
        },
    ),
    "kubelet/always-allow": (
        {"authorization__mode": "AlwaysAllow"},
        "authorization.mode",
        "error",
        {"authorization": KubeletAuthorization(mode=KubeletAuthorizationMode.ALWAYS_ALLOW)},
    ),
    "kubelet/read-only-port": (
        {"readOnlyPort": 10255},
        "readOnlyPort",
        "error",
        {"read_only_port": 10255},
    ),
    "kubelet/webhook-authentication": (
        {"authentication__webhook__enabled": False},
        "authentication.webhook.enabled",
        "error",
        {
            "authentication": KubeletAuthentication(
                webhook=KubeletWebhookAuthentication(enabled=False)
            )
        },
    ),
    "kubelet/client-ca": (
        {"authentication__x509__clientCAFile": None},
        "authentication.x509.clientCAFile",
        "error",
        {
            "authentication": KubeletAuthentication(
                x509=KubeletX509Authentication(client_ca_file=None)
            )
        },
    ),
    "kubelet/certificate-rotation": (
        {"rotateCertificates": False},
        "rotateCertificates",
        "warning",
        {"rotate_certificates": False},
    ),
    "kubelet/serving-certificate": (
        {"serverTLSBootstrap": None},
        "serverTLSBootstrap",
        "warning",
        {"server_tls_bootstrap": False},
    ),
    "kubelet/kernel-defaults": (
        {"protectKernelDefaults": None},
        "protectKernelDefaults",
        "warning",
        {"protect_kernel_defaults": False},
    ),
    "kubelet/tls-version": (
        {"tlsMinVersion": "VersionTLS10"},
        "tlsMinVersion",
        "warning",
        {"tls_min_version": TlsVersion.TLS11},
    ),
    "kubelet/tls-cipher-suites": (
        {
            "tlsCipherSuites": [
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_RSA_WITH_AES_128_CBC_SHA",
            ]
        },
        "tlsCipherSuites",
        "warning",
        {"tls_cipher_suites": ("TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",)},
    ),
    "kubelet/event-qps": (
        {"eventRecordQPS": 0},
        "eventRecordQPS",
        "warning",
        {"event_record_qps": 0},
    ),
}


def test_defaults_are_the_hardened_settings(yaml_snapshot: Any) -> None:
    config = KubeletConfiguration()
    doc = config.to_k8s()
    assert doc["authentication"] == {
        "anonymous": {"enabled": False},
        "webhook": {"enabled": True, "cacheTTL": "2m"},
        "x509": {"clientCAFile": KUBEADM_CLIENT_CA_FILE},
    }
    assert doc["authorization"]["mode"] == "Webhook"
    assert doc["readOnlyPort"] == 0
    assert doc["rotateCertificates"] is doc["serverTLSBootstrap"] is True
    assert doc["protectKernelDefaults"] is True
    assert (doc["eventRecordQPS"], doc["eventBurst"]) == (50, 100)
    assert doc["tlsMinVersion"] == "VersionTLS12"
    assert doc["tlsCipherSuites"] == list(SECURE_TLS_CIPHER_SUITES)
    assert validate_config(doc) == []
    assert doc == yaml_snapshot


def test_a_full_configuration_golden_yaml(yaml_snapshot: Any) -> None:
    config = KubeletConfiguration(
        authentication=KubeletAuthentication(
            x509=KubeletX509Authentication(client_ca_file="/etc/pki/cluster-ca.pem")
        ),
        cgroup_driver="systemd",
        cluster_dns=("10.96.0.10",),
        cluster_domain="cluster.local",
        container_runtime_endpoint="unix:///run/containerd/containerd.sock",
        static_pod_path="/etc/kubernetes/manifests",
        max_pods=250,
        seccomp_default=True,
        feature_gates={"UserNamespacesSupport": True},
        server_tls_bootstrap=False,
        tls_cert_file="/var/lib/kubelet/pki/kubelet.crt",
        tls_private_key_file="/var/lib/kubelet/pki/kubelet.key",
    )
    assert validate_config(config.to_k8s()) == []
    assert config.to_k8s() == yaml_snapshot


def test_the_notes_defaults_give_one_finding_per_weakness(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["check", "--format", "json", str(NOTES)])
    found = json.loads(capsys.readouterr().out)["findings"]
    assert code == 1
    assert sorted((f["code"], f["path"], f["severity"]) for f in found) == [
        ("kubelet/always-allow", "authorization.mode", "error"),
        ("kubelet/anonymous-auth", "authentication.anonymous.enabled", "error"),
        ("kubelet/certificate-rotation", "rotateCertificates", "warning"),
        ("kubelet/client-ca", "authentication.x509.clientCAFile", "error"),
        ("kubelet/kernel-defaults", "protectKernelDefaults", "warning"),
        ("kubelet/read-only-port", "readOnlyPort", "error"),
        ("kubelet/serving-certificate", "serverTLSBootstrap", "warning"),
        ("kubelet/webhook-authentication", "authentication.webhook.enabled", "error"),
    ]
    lines = {f["code"]: f["obj"]["source"].rsplit(":", 1)[1] for f in found}
    text = NOTES.read_text().splitlines()
    assert "enabled: true" in text[int(lines["kubelet/anonymous-auth"]) - 1]
    assert "readOnlyPort: 10255" in text[int(lines["kubelet/read-only-port"]) - 1]


def test_a_clean_configuration_has_no_findings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, found = check(capsys, tmp_path, CLEAN)
    assert (code, found) == (0, [])


def test_fields_left_out_take_the_configuration_files_defaults(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Left out, anonymous is off, webhook authentication on, the mode Webhook and the
    read-only port 0: the kubelet's config-file defaults are not findings."""
    text = with_changes(
        authentication__anonymous=None,
        authentication__webhook=None,
        authorization=None,
        readOnlyPort=None,
    )
    code, found = check(capsys, tmp_path, text)
    assert (code, found) == (0, [])


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_on_yaml(code: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    changes, path, severity, _ = CASES[code]
    exit_code, found = check(capsys, tmp_path, with_changes(**changes))
    assert [(f["code"], f["path"], f["severity"]) for f in found] == [(code, path, severity)]
    assert found[0]["hint"]
    assert exit_code == (1 if severity == "error" else 0)


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_on_the_typed_value(code: str, tmp_path: Path) -> None:
    _, path, severity, fields = CASES[code]
    app = App(outdir=tmp_path / "dist")
    ConfigFile(
        app,
        "kubelet",
        path="nodes/general/kubelet-config.yaml",
        document=KubeletConfiguration(**fields),
    )
    found = [f for f in app.check().findings if f.code.startswith(("kubelet/", "schema/"))]
    assert [(f.code, f.path, f.severity.value) for f in found] == [(code, path, severity)]
    assert found[0].obj.source == "kubelet"
    assert found[0].obj.kind == "KubeletConfiguration"
    if severity == "error":
        with pytest.raises(K8sDslError) as err:
            app.synth()
        assert code in {f.code for f in err.value.findings}
        assert not (tmp_path / "dist").exists()  # all or nothing


def test_rules_survive_odd_shapes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = (
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
        "authentication: [anonymous]\nauthorization: yes\nreadOnlyPort: '10255'\n"
        "tlsCipherSuites: {a: b}\neventRecordQPS: false\n"
    )
    _, found = check(capsys, tmp_path, text)
    codes = {f["code"] for f in found}
    assert "internal/rule-failed" not in codes
    assert {"schema/type", "kubelet/client-ca"} <= codes


def test_an_unknown_field_is_a_schema_error_with_a_suggestion(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = CLEAN + "readOnlyPrt: 0\nsyncFrequency: 1 minute\n"
    code, found = check(capsys, tmp_path, text)
    assert code == 1
    by_code = {(f["code"], f["path"]): f for f in found}
    assert by_code["schema/unknown-field", "readOnlyPrt"]["hint"] == "did you mean readOnlyPort?"
    assert ("schema/invalid", "syncFrequency") in by_code


def test_a_wrong_api_version_names_the_right_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, found = check(capsys, tmp_path, CLEAN.replace("v1beta1", "v1"))
    assert code == 1
    assert [(f["code"], f["hint"]) for f in found] == [
        ("schema/config-version", "use apiVersion: kubelet.config.k8s.io/v1beta1")
    ]


def test_two_kubelet_files_are_not_duplicates(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A configuration file has no name: one per node pool is normal."""
    (tmp_path / "a.yaml").write_text(CLEAN)
    (tmp_path / "b.yaml").write_text(CLEAN)
    code = main(["check", "--format", "json", str(tmp_path)])
    assert json.loads(capsys.readouterr().out)["findings"] == []
    assert code == 0


@pytest.mark.parametrize(
    ("fields", "path", "code"),
    [
        ({"read_only_port": 70000}, "read_only_port", "value/less-than-equal"),
        ({"event_record_qps": -1}, "event_record_qps", "value/greater-than-equal"),
        (
            {"authentication": {"webhook": {"cache_ttl": "2 minutes"}}},
            "authentication.webhook.cache_ttl",
            "value/duration",
        ),
        ({"static_pod_path": "etc/manifests"}, "static_pod_path", "value/absolute-path"),
        ({"tls_min_version": "TLS1.2"}, "tls_min_version", "value/enum"),
        ({"read_only_prt": 0}, "read_only_prt", "value/extra-forbidden"),
    ],
)
def test_bad_values_are_refused_where_they_are_written(
    fields: dict[str, Any], path: str, code: str
) -> None:
    with pytest.raises(ValueInputError) as err:
        KubeletConfiguration(**fields)
    assert [(f.code, f.path) for f in err.value.findings] == [(code, path)]


def test_a_kubelet_file_in_a_chart_is_judged_for_the_charts_version(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "nodes", k8s_version="1.30")
    ConfigFile(
        chart, "kubelet", path="nodes/general/kubelet-config.yaml", document=KubeletConfiguration()
    )
    app.synth()
    text = (tmp_path / "dist" / "nodes" / "general" / "kubelet-config.yaml").read_text()
    assert text.splitlines()[0] == "# k8sdsl: k8s-version=1.30"
    assert yaml.safe_load(text) == KubeletConfiguration().to_k8s()
    # the chart had no objects of its own: its file is written, empty, as before
    assert (tmp_path / "dist" / "nodes.k8s.yaml").read_text() == ""
