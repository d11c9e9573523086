"""Dangling references: warnings for a partial set of files, errors for the whole app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, Chart, Cluster, ConfigMap, ExistingObject, K8sDslError
from k8sdsl.cli import main

POD = """\
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  serviceAccountName: web-sa
  imagePullSecrets: [{name: regcred}]
  containers:
    - name: web
      image: registry.example.com/web:1.0
      env:
        - name: LOG_LEVEL
          valueFrom: {configMapKeyRef: {name: settings, key: log-level}}
        - name: TOKEN
          valueFrom: {secretKeyRef: {name: api-token, key: token, optional: true}}
      envFrom: [{secretRef: {name: db-credentials}}]
  volumes:
    - {name: conf, configMap: {name: settings}}
"""
SETTINGS = """\
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {log-level: info}
"""


def check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, *flags: str
) -> tuple[int, list[Any]]:
    path = tmp_path / "objects.yaml"
    path.write_text(text)
    code = main(["check", "--format", "json", *flags, str(path)])
    found = json.loads(capsys.readouterr().out)["findings"]
    return code, [f for f in found if f["code"].startswith("references/")]


def test_missing_objects_are_warnings_for_a_partial_set(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, found = check(capsys, tmp_path, POD)
    assert code == 0
    assert {f["severity"] for f in found} == {"warning"}
    paths = {f["path"] for f in found}
    assert paths == {
        "spec.containers[0].env[0].valueFrom.configMapKeyRef.name",
        "spec.containers[0].envFrom[0].secretRef.name",
        "spec.imagePullSecrets[0].name",
        "spec.serviceAccountName",
        "spec.volumes[0].configMap.name",
    }  # the optional Secret is fine
    assert all("not among the files checked" in f["message"] for f in found)


def test_complete_makes_them_errors_and_the_cluster_declares_what_exists(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, found = check(capsys, tmp_path, POD + SETTINGS, "--complete")
    assert code == 1
    assert {f["severity"] for f in found} == {"error"}
    assert len(found) == 3  # regcred, db-credentials, web-sa
    (tmp_path / "cluster.yaml").write_text(
        "objects:\n"
        "  - {kind: Secret, name: regcred, namespace: shop}\n"
        "  - {kind: Secret, name: db-credentials, namespace: shop}\n"
        "  - {kind: ServiceAccount, name: web-sa, namespace: shop}\n"
    )
    code, found = check(
        capsys, tmp_path, POD + SETTINGS, "--complete", "--cluster", str(tmp_path / "cluster.yaml")
    )
    assert (code, found) == (0, [])


def test_a_missing_key_and_a_misspelt_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = (POD + SETTINGS).replace("key: log-level", "key: loglevel")
    text = text.replace("configMap: {name: settings}", "configMap: {name: setings}")
    _, found = check(capsys, tmp_path, text)
    by_path = {f["path"]: f for f in found}
    key = by_path["spec.containers[0].env[0].valueFrom.configMapKeyRef.key"]
    assert key["code"] == "references/missing-key" and key["hint"] == "did you mean 'log-level'?"
    name = by_path["spec.volumes[0].configMap.name"]
    assert name["hint"] == "did you mean 'settings'?"


def test_the_default_service_account_always_exists(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  serviceAccountName: default\n"
    text += "  containers: [{name: c, image: busybox:1.36.1}]\n"
    assert check(capsys, tmp_path, text, "--complete")[1] == []


def test_at_synth_the_app_is_complete(tmp_path: Path) -> None:
    from k8sdsl import SecurePod
    from k8sdsl.volumes import Volume

    def app(cluster: Cluster) -> App:
        app = App(outdir=tmp_path / "dist", cluster=cluster)
        chart = Chart(app, "shop", namespace="shop")
        ConfigMap(chart, "other", data={"a": "b"})
        secret = Volume.secret("certs", secret_name="web-tls")
        SecurePod(
            chart,
            "web",
            image="registry.example.com/web:1.0@sha256:" + "a" * 64,
            mounts=[secret.mount("/certs")],
        )
        return app

    with pytest.raises(K8sDslError) as err:
        app(Cluster()).synth()
    codes = [(f.code, f.path) for f in err.value.findings if f.code.startswith("references/")]
    assert codes == [("references/missing-object", "spec.volumes[0].secret.secretName")]
    declared = Cluster(objects=[ExistingObject(kind="Secret", name="web-tls", namespace="shop")])
    app(declared).synth()
