"""Kubeconfigs: the authorization webhook's WebhookKubeconfig (snapshot, schema-valid, clean)
and the kubeconfig/* rules on anyone's kubeconfig through ``k8sdsl check``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from k8sdsl import App, ConfigFile, K8sDslError
from k8sdsl._config_schema import validate_config
from k8sdsl.cli import main
from k8sdsl.core import ValueInputError
from k8sdsl.security import WebhookKubeconfig

CLEAN = """\
apiVersion: v1
kind: Config
clusters:
  - name: webhook
    cluster:
      server: https://authz.example.com/authorize
      certificate-authority: /etc/kubernetes/pki/authz-ca.crt
users:
  - name: kube-apiserver
    user:
      client-certificate: /etc/kubernetes/pki/authz-client.crt
      client-key: /etc/kubernetes/pki/authz-client.key
contexts:
  - name: webhook
    context: {cluster: webhook, user: kube-apiserver}
current-context: webhook
"""


def check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str
) -> tuple[int, list[tuple[str, str, str]]]:
    path = tmp_path / "kubeconfig.yaml"
    path.write_text(text)
    code = main(["check", "--format", "json", str(path)])
    found = json.loads(capsys.readouterr().out)["findings"]
    return code, sorted((f["code"], f["path"], f["severity"]) for f in found)


def changed(section: str, **fields: Any) -> str:
    doc = yaml.safe_load(CLEAN)
    key = {"clusters": "cluster", "users": "user"}[section]
    doc[section][0][key].update(fields)
    return yaml.safe_dump(doc, sort_keys=False)


def test_the_webhook_kubeconfig_golden_yaml(yaml_snapshot: Any, tmp_path: Path) -> None:
    config = WebhookKubeconfig(
        server="https://authz.example.com/authorize",
        certificate_authority="/etc/kubernetes/pki/authz-ca.crt",
        client_certificate="/etc/kubernetes/pki/authz-client.crt",
        client_key="/etc/kubernetes/pki/authz-client.key",
    )
    doc = config.to_k8s()
    assert validate_config(doc) == []
    assert doc == yaml_snapshot
    app = App(outdir=tmp_path / "dist")
    ConfigFile(
        app, "kubeconfig", path="control-plane/authz-webhook.kubeconfig.yaml", document=config
    )
    assert app.synth().findings == ()


def test_a_clean_kubeconfig_has_no_findings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert check(capsys, tmp_path, CLEAN) == (0, [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            changed("clusters", **{"insecure-skip-tls-verify": True}),
            [("kubeconfig/insecure", "clusters[0].cluster.insecure-skip-tls-verify", "error")],
        ),
        (
            changed("clusters", server="http://authz.example.com/authorize"),
            [("kubeconfig/insecure", "clusters[0].cluster.server", "error")],
        ),
        (
            changed("users", **{"client-key-data": "LS0tLS1CRUdJTi..."}),
            [("kubeconfig/inline-credentials", "users[0].user.client-key-data", "error")],
        ),
        (
            changed("users", token="abc.def.ghi"),
            [("kubeconfig/inline-credentials", "users[0].user.token", "error")],
        ),
        (
            changed("users", username="admin", password="hunter2"),
            [("kubeconfig/inline-credentials", "users[0].user.password", "error")],
        ),
        (
            changed("users", **{"client-key-path": "/k"}),
            [("schema/unknown-field", "users[0].user.client-key-path", "error")],
        ),
    ],
)
def test_kubeconfig_rules_on_yaml(
    text: str,
    expected: list[tuple[str, str, str]],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    code, found = check(capsys, tmp_path, text)
    assert (code, found) == (1, sorted(expected))


def test_kubectls_own_output_is_read(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """``kubectl config view`` writes ``preferences: {}`` and ``null`` lists."""
    text = "apiVersion: v1\nkind: Config\npreferences: {}\nclusters: null\nusers: null\n"
    text += "contexts: null\ncurrent-context: ''\n"
    assert check(capsys, tmp_path, text) == (0, [])


def test_an_http_server_fails_synth(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    ConfigFile(
        app,
        "kubeconfig",
        path="control-plane/authz-webhook.kubeconfig.yaml",
        document=WebhookKubeconfig(server="http://authz", certificate_authority="/ca.crt"),
    )
    with pytest.raises(K8sDslError) as err:
        app.synth()
    assert [f.code for f in err.value.findings] == ["kubeconfig/insecure"]


def test_credentials_are_files() -> None:
    with pytest.raises(ValueInputError) as err:
        WebhookKubeconfig(server="https://a", certificate_authority="ca.crt")
    assert [f.path for f in err.value.findings] == ["certificate_authority"]
